import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import {
  buildCloudEvent,
  proposalEndorsedFixture,
  type ActorDto,
  type ProgrammeDto,
} from '@wandelwerk/contracts';
import { FundingSettings, fundingBlueprint } from '@wandelwerk/funding/blueprint';
import { subjectOf } from '@wandelwerk/messaging';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { waitFor } from '@wandelwerk/testing';
import { randomUUID } from 'node:crypto';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const officer: ActorDto = {
  userId: '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f72',
  role: 'funding_officer',
  municipalityId: null,
};
const APPROVALS = 200;
/** Each allocation: EUR 12,345.67, below the four-eyes threshold, all of it in 2026. */
const AMOUNT = 1_234_567;
/** The 2026 budget holds 73 allocations and half of another. */
const FITTING = 73;
const PLANNED = FITTING * AMOUNT + Math.floor(AMOUNT / 2);

/**
 * The invariant under concurrency: 200 approvals at once through the API against a budget that holds 73. The
 * database decides (a CHECK on the budget line, relative updates under its row lock), so exactly 73 succeed, the
 * others get 409 with what is available, and the ledger adds up to the cent.
 */
describe('funding: concurrent approvals never over-allocate', () => {
  jest.setTimeout(60_000);
  let funding: TestService;
  let gateway: TestGateway;
  let programme: ProgrammeDto;
  const allocationIds: string[] = [];

  beforeAll(async () => {
    funding = await startTestService(FundingSettings, fundingBlueprint);
    gateway = await startTestGateway(funding.topo.prefix);
    const created = await gateway.send('POST', '/api/v1/funding/programmes', {
      code: 'INVKG-BB',
      name: 'InvKG Arm 1 Brandenburg',
      legalBasis: 'Investitionsgesetz Kohleregionen (InvKG)',
      maxFundingRateBasisPoints: 9000,
      fundingPeriod: { firstYear: 2020, lastYear: 2038 },
      eligibleStateCodes: ['12'],
      eligibleRegions: ['lausitz'],
    });
    programme = created.body as unknown as ProgrammeDto;
    const raised = await gateway.send(
      'POST',
      `/api/v1/funding/programmes/${programme.id}/budget/amendments`,
      {
        kind: 'raise',
        year: 2026,
        amountCents: PLANNED,
        reason: 'Haushaltsplan 2026',
      },
    );
    expect(raised.status).toBe(201);
    // 200 endorsed proposals, as the projects service announces them.
    const js = jetstream(funding.topo.nc);
    for (let i = 0; i < APPROVALS; i++) {
      const event = buildCloudEvent({
        type: proposalEndorsedFixture.type,
        subject: randomUUID(),
        correlationId: randomUUID(),
        data: {
          ...proposalEndorsedFixture.data,
          proposal: {
            ...proposalEndorsedFixture.data.proposal,
            title: `Vorhaben ${i + 1}`,
            requestedFundingCents: AMOUNT,
            eligibleCostCents: 2 * AMOUNT,
            totalCostCents: 2 * AMOUNT,
          },
          requestedFundingByYear: [{ year: 2026, amountCents: AMOUNT }],
        },
      });
      await js.publish(subjectOf(funding.topo.prefix, event.type), JSON.stringify(event));
    }
    const rows = await waitFor(
      async () => {
        const found = await funding.db.query<{ id: string }>(
          `SELECT id FROM funding.allocation WHERE status = 'requested'`,
        );
        return found.length === APPROVALS ? found : null;
      },
      { what: `${APPROVALS} allocation requests`, timeoutMs: 30_000 },
    );
    allocationIds.push(...rows.map((row) => row.id));
  }, 60_000);

  afterAll(async () => {
    await gateway.stop();
    await funding.dispose();
  });

  it('approves exactly as many as fit; the rest get 409 with the available amount; the ledger adds up', async () => {
    const answers = await Promise.all(
      allocationIds.map((id) =>
        gateway.sendAs(officer)('POST', `/api/v1/funding/allocations/${id}/approve`, {}),
      ),
    );
    const approved = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 409);
    expect([approved.length, refused.length]).toEqual([FITTING, APPROVALS - FITTING]);
    const leftover = PLANNED - FITTING * AMOUNT;
    for (const answer of refused) {
      expect(answer.body).toMatchObject({
        code: 'funding.budget-exceeded',
        year: 2026,
        requestedCents: AMOUNT,
      });
      // Reservations only grew, so what a refusal names is below the amount and at least what is left at the end.
      const available = answer.body?.['availableCents'] as number;
      expect(available).toBeLessThan(AMOUNT);
      expect(available).toBeGreaterThanOrEqual(leftover);
    }

    const ledger = await gateway.sendAs(officer)('GET', `/api/v1/funding/programmes/${programme.id}/budget`);
    expect(ledger.body?.['years']).toEqual([
      expect.objectContaining({
        year: 2026,
        plannedCents: PLANNED,
        reservedCents: FITTING * AMOUNT,
        disbursedCents: 0,
        availableCents: leftover,
        thresholdPercent: 90,
      }),
    ]);
    // The same in SQL: the line's reservation is exactly the sum of the approved allocations, nothing else moved.
    const [check] = await funding.db.query<Record<string, string>>(
      `SELECT b.planned_cents, b.reserved_cents, b.disbursed_cents,
         (SELECT sum(amount_cents) FROM funding.allocation WHERE status = 'approved') AS approved_sum,
         (SELECT count(*) FROM funding.allocation WHERE status = 'approved') AS approved_count,
         (SELECT count(*) FROM funding.allocation WHERE status = 'requested') AS requested_count,
         (SELECT count(*) FROM funding.allocation_approval) AS approval_rows,
         (SELECT count(*) FROM funding.outbox WHERE type = 'funding.allocation.approved.v1') AS approved_events
       FROM funding.budget_year b WHERE b.programme_id = $1 AND b.year = 2026`,
      [programme.id],
    );
    expect(check).toEqual({
      planned_cents: String(PLANNED),
      reserved_cents: String(FITTING * AMOUNT),
      disbursed_cents: '0',
      approved_sum: String(FITTING * AMOUNT),
      approved_count: String(FITTING),
      requested_count: String(APPROVALS - FITTING),
      approval_rows: String(FITTING),
      approved_events: String(FITTING),
    });
    // 80 % and 90 % were each crossed once; 100 % never.
    const thresholds = await funding.outbox<{ thresholdPercent: number }>(
      'funding.budget.threshold-reached.v1',
    );
    expect(thresholds.map((e) => e.data.thresholdPercent)).toEqual([80, 90]);
  });
});
