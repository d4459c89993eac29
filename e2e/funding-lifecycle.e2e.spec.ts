import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type {
  ActorDto,
  AllocationDecisionDto,
  AllocationDto,
  BudgetLedgerDto,
  MunicipalityDto,
  Page,
  ProgrammeDto,
  ProposalDto,
} from '@wandelwerk/contracts';
import { FundingSettings, fundingBlueprint } from '@wandelwerk/funding/blueprint';
import { MunicipalitiesSettings, municipalitiesBlueprint } from '@wandelwerk/municipalities/blueprint';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { ProjectsSettings, projectsBlueprint } from '@wandelwerk/projects/blueprint';
import { testSettings, waitFor } from '@wandelwerk/testing';
import { readFileSync } from 'node:fs';
import { startTestGateway, type Send, type TestGateway } from './support/gateway.js';

const demoCsv = readFileSync(new URL('../data/demo/municipalities.csv', import.meta.url), 'utf8');
const manager: ActorDto = {
  userId: '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f71',
  role: 'program_manager',
  municipalityId: null,
};
const officer: ActorDto = {
  userId: '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f72',
  role: 'funding_officer',
  municipalityId: null,
};
const second: ActorDto = {
  userId: '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f73',
  role: 'funding_officer',
  municipalityId: null,
};
/** The owner of the proposals, also holding a funding officer's account. */
const ownerAsOfficer: ActorDto = { ...manager, role: 'funding_officer' };
const scores = { regionalValueAdded: 5, jobs: 3, sustainability: 4, cooperation: 5, feasibility: 4 };

/**
 * Funding through the gateway on the real infrastructure: an endorsed proposal becomes an allocation request, two
 * officers approve it, the grant decision commits it, tranches pay it out and the last one closes it; the projects
 * service follows by events. Every refusal answers with its problem.
 */
describe('funding through the gateway (HTTP → NATS → funding, projects, municipalities → PostgreSQL)', () => {
  jest.setTimeout(30_000);
  let municipalities: TestService;
  let projects: TestService;
  let funding: TestService;
  let gateway: TestGateway;
  let send: Send;
  const ids: Record<string, string> = {};
  let programme: ProgrammeDto;

  const as = (actor: ActorDto) => gateway.sendAs(actor);
  const ledger = async () =>
    (await as(officer)('GET', `/api/v1/funding/programmes/${programme.id}/budget`))
      .body as unknown as BudgetLedgerDto;
  const yearOf = async (year: number) => (await ledger()).years.find((y) => y.year === year);

  /** A proposal through the projects API up to `endorsed`; resolves with it and its allocation request. */
  const endorsedProposal = async (
    patch: Record<string, unknown>,
  ): Promise<{ proposal: ProposalDto; allocation: AllocationDto }> => {
    const created = await as(manager)('POST', '/api/v1/projects', {
      title: 'Niederlausitzhalle Senftenberg',
      summary: 'Energetische Sanierung der Stadthalle und ein neuer Kongresssaal.',
      description: '',
      workshop: 'culture-tourism-marketing',
      programmeCode: 'INVKG-BB',
      leadMunicipality: { municipalityId: ids['12066304'], costShareBasisPoints: 8000 },
      partners: [{ municipalityId: ids['12066112'], costShareBasisPoints: 2000 }],
      plannedStart: '2026-01-01',
      plannedEnd: '2027-12-31',
      indicators: [],
      ...patch,
    });
    expect(created.status).toBe(201);
    const id = created.body?.['id'] as string;
    const step = (actor: ActorDto, action: string, body: object = {}) =>
      as(actor)('POST', `/api/v1/projects/${id}/${action}`, body);
    expect((await step(manager, 'submit')).status).toBe(200);
    expect((await step(officer, 'start-review', { reviewDueDate: '2026-03-31' })).status).toBe(200);
    const review = await as(officer)('POST', `/api/v1/projects/${id}/reviews`, {
      votum: 'endorse',
      scores,
      comment: 'Empfohlen.',
    });
    const endorsed = await step(officer, 'endorse', { reviewId: review.body?.['id'] });
    expect(endorsed.body).toMatchObject({ status: 'endorsed' });
    const allocation = await waitFor(
      async () =>
        (
          (await as(officer)('GET', `/api/v1/funding/allocations?proposalId=${id}`))
            .body as unknown as Page<AllocationDto>
        ).items[0],
      { what: 'the allocation request' },
    );
    return { proposal: endorsed.body as unknown as ProposalDto, allocation };
  };
  const statusOfProposal = async (id: string) =>
    (await send('GET', `/api/v1/projects/${id}`)).body?.['status'];

  beforeAll(async () => {
    municipalities = await startTestService(MunicipalitiesSettings, municipalitiesBlueprint);
    const prefix = { NATS_PREFIX: municipalities.topo.prefix };
    projects = await startTestService(ProjectsSettings, projectsBlueprint, prefix);
    funding = await startTestService(FundingSettings, fundingBlueprint, prefix);
    gateway = await startTestGateway(municipalities.topo.prefix);
    send = gateway.send;
    await send('POST', '/api/v1/municipalities/import', demoCsv, { 'content-type': 'text/csv' });
    const listed = await send('GET', '/api/v1/municipalities?limit=100');
    for (const m of (listed.body as unknown as Page<MunicipalityDto>).items) ids[m.ags] = m.id;
    const created = await send('POST', '/api/v1/funding/programmes', {
      code: 'INVKG-BB',
      name: 'InvKG Arm 1 Brandenburg',
      legalBasis: 'Investitionsgesetz Kohleregionen (InvKG), §§ 1, 3 und 7',
      maxFundingRateBasisPoints: 9000,
      fundingPeriod: { firstYear: 2020, lastYear: 2038 },
      eligibleStateCodes: ['12'],
      eligibleRegions: ['lausitz'],
    });
    expect(created.status).toBe(201);
    programme = created.body as unknown as ProgrammeDto;
    for (const [year, amountCents] of [
      [2026, 600_000_000],
      [2027, 600_000_000],
    ]) {
      const amended = await send('POST', `/api/v1/funding/programmes/${programme.id}/budget/amendments`, {
        kind: 'raise',
        year,
        amountCents,
        reason: 'Haushaltsplan 2026/2027',
      });
      expect(amended.status).toBe(201);
    }
    // The projects service learns the programme from its event, and the municipalities from theirs.
    await waitFor(
      async () =>
        (await projects.db.query(`SELECT 1 FROM projects.programme_read_model WHERE code = 'INVKG-BB'`))
          .length === 1 &&
        (await projects.db.query(`SELECT 1 FROM projects.municipality_read_model`)).length === 19,
      { what: 'the read models of the projects service', timeoutMs: 15_000 },
    );
  }, 60_000);

  afterAll(async () => {
    await gateway.stop();
    await funding.dispose();
    await projects.dispose();
    await municipalities.dispose();
  });

  it('manages programmes and budgets as an administrator only', async () => {
    expect((await as(officer)('POST', '/api/v1/funding/programmes', { code: 'STARK' })).status).toBe(403);
    const budget = await as(officer)('POST', `/api/v1/funding/programmes/${programme.id}/budget/amendments`, {
      kind: 'raise',
      year: 2026,
      amountCents: 1,
      reason: 'x',
    });
    expect(budget.status).toBe(403);
    const invalid = await send(
      'POST',
      `/api/v1/funding/programmes/${programme.id}/budget/amendments`,
      { kind: 'raise', year: 2026, amountCents: 12.5, reason: '' },
      { 'accept-language': 'en' },
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body?.['errors']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'amountCents', rule: 'isInt' }),
        expect.objectContaining({ field: 'reason' }),
      ]),
    );
    expect(await ledger()).toMatchObject({
      programmeCode: 'INVKG-BB',
      totals: {
        plannedCents: 1_200_000_000,
        reservedCents: 0,
        disbursedCents: 0,
        availableCents: 1_200_000_000,
      },
    });
  });

  it('runs endorsed → requested → two approvals → committed → tranches → closed, projects following', async () => {
    const { proposal, allocation } = await endorsedProposal({
      totalCostCents: 1_240_000_000,
      eligibleCostCents: 1_180_000_000,
      requestedFundingCents: 1_062_000_000,
      costPlan: [
        { year: 2026, amountCents: 590_000_000 },
        { year: 2027, amountCents: 590_000_000 },
      ],
    });
    expect(allocation).toMatchObject({
      status: 'requested',
      amountCents: 1_062_000_000,
      approvalsRequired: 2,
      years: [
        { year: 2026, amountCents: 531_000_000 },
        { year: 2027, amountCents: 531_000_000 },
      ],
      leadMunicipality: { municipalityId: ids['12066304'], costShareBasisPoints: 8000 },
    });
    const path = `/api/v1/funding/allocations/${allocation.id}`;

    // Four eyes: the first approval is visible as such and reserves nothing yet.
    expect((await as(manager)('POST', `${path}/approve`, {})).status).toBe(403);
    const own = await as(ownerAsOfficer)('POST', `${path}/approve`, {}, { 'accept-language': 'en' });
    expect(own.status).toBe(403);
    expect(own.body).toMatchObject({
      code: 'funding.own-proposal',
      detail: 'Nobody approves funding for a proposal of their own.',
    });
    const first = await as(officer)('POST', `${path}/approve`, { comment: 'Erste Prüfung ohne Befund.' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'requested',
      approvals: [{ approverUserId: officer.userId }],
    });
    expect((await yearOf(2026))?.reservedCents).toBe(0);
    const twice = await as(officer)('POST', `${path}/approve`, {});
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'funding.second-approver-required', currentState: 'requested' });
    const approved = await as(second)('POST', `${path}/approve`, {});
    expect(approved.body).toMatchObject({ status: 'approved' });
    expect(await yearOf(2026)).toMatchObject({
      plannedCents: 600_000_000,
      reservedCents: 531_000_000,
      availableCents: 69_000_000,
    });
    await waitFor(async () => (await statusOfProposal(proposal.id)) === 'approved', {
      what: 'the proposal approved',
    });
    expect((await send('GET', `/api/v1/projects/${proposal.id}`)).body).toMatchObject({
      allocationId: allocation.id,
      approvedFundingCents: 1_062_000_000,
    });

    // The grant decision, then tranches: never more than the year holds; the last one closes.
    const early = await as(officer)('POST', `${path}/disbursements`, {
      year: 2026,
      amountCents: 1,
      paidOn: '2026-04-01',
    });
    expect(early.body).toMatchObject({ code: 'funding.transition-not-allowed', currentState: 'approved' });
    const committed = await as(officer)('POST', `${path}/commit`, {
      grantDecisionDate: '2026-03-02',
      grantReference: '80-2026-0417',
    });
    expect(committed.body).toMatchObject({ status: 'committed', grantReference: '80-2026-0417' });
    const tranche = (year: number, amountCents: number, headers: Record<string, string> = {}) =>
      as(officer)('POST', `${path}/disbursements`, { year, amountCents, paidOn: `${year}-06-30` }, headers);
    const above = await tranche(2026, 531_000_001);
    expect(above.status).toBe(409);
    expect(above.body).toMatchObject({
      code: 'funding.tranche-exceeds-year',
      year: 2026,
      remainingCents: 531_000_000,
    });
    const one = await tranche(2026, 300_000_000, { 'idempotency-key': `tranche-1-${allocation.id}` });
    expect(one.status).toBe(201);
    expect(one.body).toMatchObject({
      instalment: 1,
      allocation: { status: 'disbursing', paidCents: 300_000_000 },
    });
    // The same tranche sent again with its key is the same answer, not a second payment.
    const replay = await tranche(2026, 300_000_000, { 'idempotency-key': `tranche-1-${allocation.id}` });
    expect(replay.body?.['id']).toBe(one.body?.['id']);
    // Even when the gateway has no record of the first answer (a 504 after the commit: nothing is kept then), the
    // funding service knows the request by its key and pays nothing twice.
    const redis = new Redis(testSettings().REDIS_URL);
    try {
      const records = await redis.keys(`${gateway.redisKeyPrefix}:idempotency:*`);
      expect(records.length).toBeGreaterThan(0);
      await redis.del(...records);
    } finally {
      await redis.quit();
    }
    const retried = await tranche(2026, 300_000_000, { 'idempotency-key': `tranche-1-${allocation.id}` });
    expect(retried.body?.['id']).toBe(one.body?.['id']);
    expect(await yearOf(2026)).toMatchObject({ reservedCents: 231_000_000, disbursedCents: 300_000_000 });
    expect((await tranche(2026, 231_000_000)).status).toBe(201);
    const last = await tranche(2027, 531_000_000);
    expect(last.body).toMatchObject({
      instalment: 3,
      allocation: { status: 'closed', paidCents: 1_062_000_000 },
    });

    const decisions = (await as(officer)('GET', `${path}/decisions`))
      .body as unknown as AllocationDecisionDto[];
    expect(decisions.map((d) => [d.action, d.toStatus, d.actorUserId])).toEqual([
      ['request', 'requested', officer.userId],
      ['approve', 'requested', officer.userId],
      ['approve', 'approved', second.userId],
      ['commit', 'committed', officer.userId],
      ['disburse', 'disbursing', officer.userId],
      ['disburse', 'disbursing', officer.userId],
      ['disburse', 'disbursing', officer.userId],
      ['close', 'closed', officer.userId],
    ]);
    expect(decisions[1]?.reason).toBe('Erste Prüfung ohne Befund.');
    expect((await as(manager)('GET', path)).body).toMatchObject({ id: allocation.id, status: 'closed' });
    // The ledger adds up to the cent, also in the database.
    expect(await yearOf(2027)).toMatchObject({
      plannedCents: 600_000_000,
      reservedCents: 0,
      disbursedCents: 531_000_000,
    });
    const [sums] = await funding.db.query<{ planned: string; reserved: string; disbursed: string }>(
      `SELECT sum(planned_cents) AS planned, sum(reserved_cents) AS reserved, sum(disbursed_cents) AS disbursed
       FROM funding.budget_year WHERE programme_id = $1`,
      [programme.id],
    );
    expect(sums).toEqual({ planned: '1200000000', reserved: '0', disbursed: '1062000000' });
  });

  it('refuses over budget and a cut below reserved with the available amount; a rejection reaches projects', async () => {
    // 2026 has 69,000,000 cents left (the first allocation paid 531,000,000 of 600,000,000).
    const { proposal, allocation } = await endorsedProposal({
      totalCostCents: 100_000_000,
      eligibleCostCents: 100_000_000,
      requestedFundingCents: 90_000_000,
      costPlan: [{ year: 2026, amountCents: 100_000_000 }],
      plannedEnd: '2026-12-31',
    });
    expect(allocation).toMatchObject({ approvalsRequired: 1, amountCents: 90_000_000 });
    const path = `/api/v1/funding/allocations/${allocation.id}`;
    const over = await as(officer)('POST', `${path}/approve`, {});
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({
      code: 'funding.budget-exceeded',
      year: 2026,
      requestedCents: 90_000_000,
      availableCents: 69_000_000,
    });
    expect((await as(officer)('GET', path)).body).toMatchObject({ status: 'requested', approvals: [] });

    const amendments = `/api/v1/funding/programmes/${programme.id}/budget/amendments`;
    const cut = await send('POST', amendments, {
      kind: 'cut',
      year: 2026,
      amountCents: 69_000_001,
      reason: 'Kürzung',
    });
    expect(cut.status).toBe(409);
    expect(cut.body).toMatchObject({
      code: 'funding.budget-below-reserved',
      availableCents: 69_000_000,
      disbursedCents: 531_000_000,
    });
    expect(
      (
        await send('POST', amendments, {
          kind: 'cut',
          year: 2026,
          amountCents: 69_000_000,
          reason: 'Kürzung',
        })
      ).status,
    ).toBe(201);
    const log = (await send('GET', `/api/v1/funding/programmes/${programme.id}/budget/amendments`))
      .body as unknown as {
      kind: string;
      reason: string;
    }[];
    expect(log.map((a) => a.kind)).toEqual(['raise', 'raise', 'cut']);

    const rejected = await as(second)('POST', `${path}/reject`, { reason: 'Budget 2026 ausgeschöpft.' });
    expect(rejected.body).toMatchObject({ status: 'rejected', rejectionReason: 'Budget 2026 ausgeschöpft.' });
    await waitFor(async () => (await statusOfProposal(proposal.id)) === 'rejected', {
      what: 'the proposal rejected',
    });
    const again = await as(officer)('POST', `${path}/approve`, {});
    expect(again.body).toMatchObject({
      code: 'funding.transition-not-allowed',
      currentState: 'rejected',
      allowedTransitions: [],
    });
  });
});
