import { createHash } from 'node:crypto';
import { runWithCorrelation } from '@wandelwerk/observability';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import {
  buildCloudEvent,
  FUNDING_RPC,
  proposalEndorsedFixture,
  USERS,
  type ActorDto,
  type AllocationDecisionDto,
  type AllocationDto,
  type BudgetAmendmentDto,
  type BudgetLedgerDto,
  type CreateProgrammeDto,
  type DisbursementDto,
  type DisbursementResultDto,
  type FundingYear,
  type Page,
  type ProgrammeDto,
  type ProposalDetails,
} from '@wandelwerk/contracts';
import { subjectOf } from '@wandelwerk/messaging';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { waitFor } from '@wandelwerk/testing';
import { randomUUID } from 'node:crypto';
import { FundingSettings } from './config/funding.settings.js';
import { fundingBlueprint } from './funding.blueprint.js';

const admin: ActorDto = { userId: USERS.administrator, role: 'admin', municipalityId: null };
const officer: ActorDto = { userId: USERS.fundingOfficer, role: 'funding_officer', municipalityId: null };
const second: ActorDto = {
  userId: USERS.secondFundingOfficer,
  role: 'funding_officer',
  municipalityId: null,
};
const owner: ActorDto = { userId: USERS.programManager, role: 'program_manager', municipalityId: null };
const ownerAsOfficer: ActorDto = { ...owner, role: 'funding_officer' };

const programmeInput = (code: string, patch: Partial<CreateProgrammeDto> = {}): CreateProgrammeDto => ({
  code,
  name: 'Finanzhilfen nach dem InvKG – Brandenburg',
  legalBasis: 'Investitionsgesetz Kohleregionen (InvKG), §§ 1, 3 und 7',
  maxFundingRateBasisPoints: 9000,
  fundingPeriod: { firstYear: 2020, lastYear: 2038 },
  eligibleStateCodes: ['12'],
  eligibleRegions: ['lausitz'],
  ...patch,
});

/** The funding service with its real database, JetStream transport and outbox; proposals arrive as events. */
describe('funding service', () => {
  jest.setTimeout(20_000);
  let t: TestService;
  /** A request; a refusal keeps its status and problem, and names the problem in its message. */
  const call = <T>(pattern: string, payload: unknown): Promise<T> =>
    t.rpc.request<T>(pattern, payload).catch((error: { message: string; response?: unknown }) => {
      error.message = JSON.stringify(error.response);
      throw error;
    });
  const expectProblem = (promise: Promise<unknown>, status: number, code: string, extra: object = {}) =>
    expect(promise).rejects.toMatchObject({
      status,
      response: expect.objectContaining({ code, ...extra }),
    });

  const createProgramme = (code: string, patch: Partial<CreateProgrammeDto> = {}) =>
    call<ProgrammeDto>(FUNDING_RPC.createProgramme, { actor: admin, data: programmeInput(code, patch) });
  const amend = (programmeId: string, data: object, actor: ActorDto = admin) =>
    call<BudgetAmendmentDto>(FUNDING_RPC.amendBudget, {
      actor,
      id: programmeId,
      data: { reason: 'Haushaltsplan', ...data },
    });
  const ledger = (programmeId: string) =>
    call<BudgetLedgerDto>(FUNDING_RPC.budget, { actor: officer, id: programmeId });
  const yearOf = async (programmeId: string, year: number) =>
    (await ledger(programmeId)).years.find((y) => y.year === year);

  /** Publishes the endorsement of a proposal (as the projects service would) and waits for its allocation. */
  const endorse = async (
    programmeCode: string,
    byYear: FundingYear[],
    patch: Partial<ProposalDetails> = {},
    proposalId = randomUUID(),
  ): Promise<AllocationDto> => {
    const requested = byYear.reduce((sum, y) => sum + y.amountCents, 0);
    const event = buildCloudEvent({
      type: proposalEndorsedFixture.type,
      subject: proposalId,
      correlationId: randomUUID(),
      data: {
        ...proposalEndorsedFixture.data,
        proposal: {
          ...proposalEndorsedFixture.data.proposal,
          programmeCode,
          requestedFundingCents: requested,
          eligibleCostCents: Math.ceil((requested * 10) / 9),
          totalCostCents: Math.ceil((requested * 10) / 9),
          ...patch,
        },
        requestedFundingByYear: byYear,
      },
    });
    await jetstream(t.topo.nc).publish(subjectOf(t.topo.prefix, event.type), JSON.stringify(event));
    return waitFor(
      async () => {
        const page = await call<Page<AllocationDto>>(FUNDING_RPC.listAllocations, {
          actor: officer,
          query: { proposalId, limit: 20, sort: '-createdAt' },
        });
        return page.items[0];
      },
      { what: `the allocation of ${proposalId}` },
    );
  };
  const read = <T = AllocationDto>(pattern: string, actor: ActorDto, id: string) =>
    call<T>(pattern, { actor, id });
  const act = <T = AllocationDto>(pattern: string, actor: ActorDto, id: string, data: object = {}) =>
    call<T>(pattern, { actor, id, data });

  beforeAll(async () => {
    t = await startTestService(FundingSettings, fundingBlueprint);
  }, 30_000);

  afterAll(async () => {
    await t.dispose();
  });

  describe('programmes', () => {
    it('creates a programme and publishes it whole, as the projects service reads it', async () => {
      const programme = await createProgramme('INVKG-BB');
      expect(programme).toMatchObject({
        code: 'INVKG-BB',
        version: 1,
        fourEyesThresholdCents: 100_000_000,
        active: true,
      });
      const [published] = await t.outbox<Record<string, unknown>>('funding.programme.published.v1');
      expect(published).toMatchObject({
        subject: programme.id,
        data: {
          version: 1,
          code: 'INVKG-BB',
          maxFundingRateBasisPoints: 9000,
          fundingPeriod: { firstYear: 2020, lastYear: 2038 },
          fourEyesThresholdCents: 100_000_000,
          actorUserId: admin.userId,
        },
      });
    });

    it('refuses a second programme with the same code, a reversed period and anyone but an administrator', async () => {
      await expectProblem(createProgramme('INVKG-BB'), 409, 'funding.programme-code-taken');
      await expectProblem(
        createProgramme('STARK', { fundingPeriod: { firstYear: 2030, lastYear: 2025 } }),
        422,
        'funding.invalid-programme',
      );
      await expectProblem(
        call(FUNDING_RPC.createProgramme, { actor: officer, data: programmeInput('JTF') }),
        403,
        'funding.forbidden',
      );
      await expectProblem(
        call(FUNDING_RPC.createProgramme, {
          actor: admin,
          data: { ...programmeInput('JTF'), maxFundingRateBasisPoints: 10001 },
        }),
        400,
        'validation-failed',
      );
    });

    it('updates a programme with the changed fields, and publishes nothing when nothing changed', async () => {
      const programme = await createProgramme('STARK', { fourEyesThresholdCents: 50_000_000 });
      const same = await act<ProgrammeDto>(FUNDING_RPC.updateProgramme, admin, programme.id, {
        fourEyesThresholdCents: 50_000_000,
      });
      expect(same.version).toBe(1);
      const updated = await act<ProgrammeDto>(FUNDING_RPC.updateProgramme, admin, programme.id, {
        maxFundingRateBasisPoints: 8000,
        active: false,
      });
      expect(updated).toMatchObject({
        version: 2,
        maxFundingRateBasisPoints: 8000,
        active: false,
        code: 'STARK',
      });
      const events = await t.outbox<Record<string, unknown>>('funding.programme.updated.v1');
      expect(events).toHaveLength(1);
      expect(events[0]?.data).toMatchObject({
        version: 2,
        changedFields: ['maxFundingRateBasisPoints', 'active'],
      });
    });
  });

  describe('budgets', () => {
    it('raises, moves and cuts budget lines with who, when and why, and keeps the ledger', async () => {
      const programme = await createProgramme('BUDGET-A', {
        fundingPeriod: { firstYear: 2025, lastYear: 2030 },
      });
      await amend(programme.id, { kind: 'raise', year: 2026, amountCents: 1_000_000 });
      const moved = await amend(programme.id, {
        kind: 'move',
        year: 2026,
        toYear: 2027,
        amountCents: 300_000,
        reason: 'IMAG',
      });
      expect(moved.years.map((y) => [y.year, y.plannedCents])).toEqual([
        [2026, 700_000],
        [2027, 300_000],
      ]);
      await amend(programme.id, { kind: 'cut', year: 2027, amountCents: 100_000 });
      expect(await ledger(programme.id)).toMatchObject({
        programmeCode: 'BUDGET-A',
        totals: { plannedCents: 900_000, reservedCents: 0, disbursedCents: 0, availableCents: 900_000 },
      });
      const log = await call<BudgetAmendmentDto[]>(FUNDING_RPC.budgetAmendments, {
        actor: officer,
        id: programme.id,
      });
      expect(log.map((a) => [a.kind, a.year, a.toYear, a.amountCents, a.actorUserId])).toEqual([
        ['raise', 2026, null, 1_000_000, admin.userId],
        ['move', 2026, 2027, 300_000, admin.userId],
        ['cut', 2027, null, 100_000, admin.userId],
      ]);
      const amended = (
        await t.outbox<{ year: number; previousBudgetCents: number; budgetCents: number }>(
          'funding.budget.amended.v1',
        )
      )
        .filter((e) => e.data.year >= 2026)
        .map((e) => [e.data.year, e.data.previousBudgetCents, e.data.budgetCents]);
      expect(amended).toEqual(
        expect.arrayContaining([
          [2026, 0, 1_000_000],
          [2026, 1_000_000, 700_000],
          [2027, 0, 300_000],
          [2027, 300_000, 200_000],
        ]),
      );
    });

    it('refuses years outside the funding period, a move without a target, a cut of a missing line, and non-admins', async () => {
      const programme = await createProgramme('BUDGET-B', {
        fundingPeriod: { firstYear: 2025, lastYear: 2030 },
      });
      await expectProblem(
        amend(programme.id, { kind: 'raise', year: 2031, amountCents: 1 }),
        422,
        'funding.year-outside-period',
      );
      await expectProblem(
        amend(programme.id, { kind: 'move', year: 2026, amountCents: 1 }),
        422,
        'funding.invalid-amendment',
      );
      await expectProblem(
        amend(programme.id, { kind: 'cut', year: 2026, amountCents: 1 }),
        422,
        'funding.budget-line-not-found',
      );
      await expectProblem(
        amend(programme.id, { kind: 'raise', year: 2026, amountCents: 1 }, officer),
        403,
        'funding.forbidden',
      );
      await expectProblem(
        amend(programme.id, { kind: 'raise', year: 2026, amountCents: 0 }),
        400,
        'validation-failed',
      );
      expect((await ledger(programme.id)).years).toEqual([]);
    });
  });

  describe('allocations', () => {
    let programme: ProgrammeDto;

    beforeAll(async () => {
      programme = await createProgramme('ALLOC', { fundingPeriod: { firstYear: 2025, lastYear: 2030 } });
      await amend(programme.id, { kind: 'raise', year: 2026, amountCents: 2_000_000_000 });
      await amend(programme.id, { kind: 'raise', year: 2027, amountCents: 2_000_000_000 });
    });

    it('opens one allocation request per endorsed proposal, with its years, municipalities and four-eyes need', async () => {
      const proposalId = randomUUID();
      const byYear = [
        { year: 2026, amountCents: 600_000_000 },
        { year: 2027, amountCents: 462_000_000 },
      ];
      const allocation = await endorse('ALLOC', byYear, {}, proposalId);
      expect(allocation).toMatchObject({
        status: 'requested',
        amountCents: 1_062_000_000,
        approvalsRequired: 2,
        approvals: [],
        ownerUserId: owner.userId,
        leadMunicipality: { ags: '12066304', costShareBasisPoints: 8000 },
        years: [
          { year: 2026, amountCents: 600_000_000, paidCents: 0, remainingCents: 600_000_000 },
          { year: 2027, amountCents: 462_000_000, paidCents: 0, remainingCents: 462_000_000 },
        ],
      });
      expect(
        await t.db.query(
          `SELECT role, ags, cost_share_basis_points FROM funding.allocation_share WHERE allocation_id = $1 ORDER BY role, ags`,
          [allocation.id],
        ),
      ).toEqual([
        { role: 'lead', ags: '12066304', cost_share_basis_points: 8000 },
        { role: 'partner', ags: '12066112', cost_share_basis_points: 1000 },
        { role: 'partner', ags: '12066285', cost_share_basis_points: 1000 },
      ]);
      const [requested] = (await t.outbox<Record<string, unknown>>('funding.allocation.requested.v1')).filter(
        (e) => e.subject === allocation.id,
      );
      expect(requested?.data).toMatchObject({
        requiresTwoApprovals: true,
        amountByYear: byYear,
        amountCents: 1_062_000_000,
      });
      // A second endorsement of the same proposal (another event) opens nothing more.
      await endorse('ALLOC', byYear, {}, proposalId);
      const rows = await t.db.query(`SELECT 1 FROM funding.allocation WHERE proposal_id = $1`, [proposalId]);
      expect(rows).toHaveLength(1);
    });

    it('caps the amount at the programme rate of the eligible cost and splits the years in proportion', async () => {
      const allocation = await endorse(
        'ALLOC',
        [
          { year: 2026, amountCents: 500_000 },
          { year: 2027, amountCents: 500_000 },
        ],
        { eligibleCostCents: 1_000_000, totalCostCents: 1_000_000, requestedFundingCents: 1_000_000 },
      );
      expect(allocation).toMatchObject({
        amountCents: 900_000,
        fundingRateBasisPoints: 9000,
        approvalsRequired: 1,
        years: [
          { year: 2026, amountCents: 450_000 },
          { year: 2027, amountCents: 450_000 },
        ],
      });
    });

    it('needs two different officers at the threshold, never the owner; the first approval is visible', async () => {
      const byYear = [
        { year: 2026, amountCents: 1_000_000_000 },
        { year: 2027, amountCents: 200_000_000 },
      ];
      const allocation = await endorse('ALLOC', byYear);
      await expectProblem(act(FUNDING_RPC.approve, admin, allocation.id), 403, 'funding.forbidden');
      await expectProblem(
        act(FUNDING_RPC.approve, ownerAsOfficer, allocation.id),
        403,
        'funding.own-proposal',
      );
      const first = await act(FUNDING_RPC.approve, officer, allocation.id, {
        comment: 'Erste Prüfung ohne Befund.',
      });
      expect(first).toMatchObject({
        status: 'requested',
        approvals: [{ approverUserId: officer.userId, comment: 'Erste Prüfung ohne Befund.' }],
      });
      expect((await yearOf(programme.id, 2026))?.reservedCents).toBe(0);
      await expectProblem(
        act(FUNDING_RPC.approve, officer, allocation.id),
        409,
        'funding.second-approver-required',
      );
      const approved = await act(FUNDING_RPC.approve, second, allocation.id);
      expect(approved).toMatchObject({
        status: 'approved',
        approvals: [{ approverUserId: officer.userId }, { approverUserId: second.userId }],
      });
      expect(await yearOf(programme.id, 2026)).toMatchObject({
        reservedCents: 1_000_000_000,
        availableCents: 1_000_000_000,
      });
      expect(await yearOf(programme.id, 2027)).toMatchObject({ reservedCents: 200_000_000 });
      const recorded = (
        await t.outbox<Record<string, unknown>>('funding.allocation.approval-recorded.v1')
      ).filter((e) => e.subject === allocation.id);
      expect(recorded.map((e) => e.data['approverUserId'])).toEqual([officer.userId]);
      const [event] = (await t.outbox<Record<string, unknown>>('funding.allocation.approved.v1')).filter(
        (e) => e.subject === allocation.id,
      );
      expect(event?.data).toMatchObject({
        approverUserIds: [officer.userId, second.userId],
        amountByYear: byYear,
      });
      await expectProblem(
        act(FUNDING_RPC.approve, officer, allocation.id),
        409,
        'funding.transition-not-allowed',
        {
          currentState: 'approved',
          allowedTransitions: ['commit', 'cancel'],
        },
      );
      // Reserving 50 % of 2026 crossed no threshold.
      const thresholds = (
        await t.outbox<{ programmeCode: string }>('funding.budget.threshold-reached.v1')
      ).filter((e) => e.data.programmeCode === 'ALLOC');
      expect(thresholds).toEqual([]);
    });

    it('refuses an approval the budget cannot hold with 409 and the available amount, changing nothing', async () => {
      const allocation = await endorse('ALLOC', [{ year: 2026, amountCents: 99_000_000 }], {
        requestedFundingCents: 99_000_000,
      });
      const before = await ledger(programme.id);
      // A cut leaves 2026 with less than the allocation needs.
      const available = before.years.find((y) => y.year === 2026)!.availableCents;
      await amend(programme.id, { kind: 'cut', year: 2026, amountCents: available - 50_000_000 });
      await expectProblem(act(FUNDING_RPC.approve, officer, allocation.id), 409, 'funding.budget-exceeded', {
        year: 2026,
        requestedCents: 99_000_000,
        availableCents: 50_000_000,
      });
      expect(await read(FUNDING_RPC.getAllocation, officer, allocation.id)).toMatchObject({
        status: 'requested',
        approvals: [],
      });
      expect((await yearOf(programme.id, 2026))?.availableCents).toBe(50_000_000);
      // A cut below what is reserved is refused too.
      await expectProblem(
        amend(programme.id, { kind: 'cut', year: 2026, amountCents: 50_000_001 }),
        409,
        'funding.budget-below-reserved',
        {
          availableCents: 50_000_000,
        },
      );
      await amend(programme.id, { kind: 'raise', year: 2026, amountCents: available - 50_000_000 });
    });

    it('commits with the grant decision, pays tranches per year, and closes with the last one', async () => {
      const allocation = await endorse('ALLOC', [
        { year: 2026, amountCents: 300_000 },
        { year: 2027, amountCents: 200_000 },
      ]);
      await act(FUNDING_RPC.approve, officer, allocation.id);
      const tranche = (data: object) =>
        act<DisbursementResultDto>(FUNDING_RPC.disburse, second, allocation.id, {
          paidOn: '2026-06-30',
          ...data,
        });
      await expectProblem(tranche({ year: 2026, amountCents: 1 }), 409, 'funding.transition-not-allowed', {
        currentState: 'approved',
      });
      const committed = await act(FUNDING_RPC.commit, second, allocation.id, {
        grantDecisionDate: '2026-03-02',
        grantReference: '80-2026-0417',
      });
      expect(committed).toMatchObject({
        status: 'committed',
        grantDecisionDate: '2026-03-02',
        grantReference: '80-2026-0417',
      });
      await expectProblem(
        tranche({ year: 2026, amountCents: 300_001 }),
        409,
        'funding.tranche-exceeds-year',
        { remainingCents: 300_000 },
      );
      await expectProblem(tranche({ year: 2028, amountCents: 1 }), 422, 'funding.year-not-allocated');
      await expectProblem(
        tranche({ year: 2026, amountCents: 1, paidOn: '2026-03-01' }),
        422,
        'funding.paid-before-grant-decision',
      );
      const reserved2026 = (await yearOf(programme.id, 2026))!.reservedCents;
      const one = await tranche({ year: 2026, amountCents: 100_000 });
      expect(one).toMatchObject({ instalment: 1, allocation: { status: 'disbursing', paidCents: 100_000 } });
      expect(await yearOf(programme.id, 2026)).toMatchObject({
        reservedCents: reserved2026 - 100_000,
        disbursedCents: 100_000,
      });
      await expectProblem(
        tranche({ year: 2026, amountCents: 200_001 }),
        409,
        'funding.tranche-exceeds-year',
        { remainingCents: 200_000 },
      );
      await tranche({ year: 2026, amountCents: 200_000 });
      const last = await tranche({ year: 2027, amountCents: 200_000, paidOn: '2027-02-01' });
      expect(last).toMatchObject({
        instalment: 3,
        allocation: { status: 'closed', paidCents: 500_000, releasedCents: 0 },
      });
      await expectProblem(tranche({ year: 2027, amountCents: 1 }), 409, 'funding.transition-not-allowed', {
        currentState: 'closed',
      });
      const decisions = await read<AllocationDecisionDto[]>(FUNDING_RPC.decisions, officer, allocation.id);
      expect(
        decisions.map((d) => [d.action, d.fromStatus, d.toStatus, d.actorUserId, d.amountCents]),
      ).toEqual([
        ['request', null, 'requested', proposalEndorsedFixture.data.actorUserId, 500_000],
        ['approve', 'requested', 'approved', officer.userId, 500_000],
        ['commit', 'approved', 'committed', second.userId, 500_000],
        ['disburse', 'committed', 'disbursing', second.userId, 100_000],
        ['disburse', 'disbursing', 'disbursing', second.userId, 200_000],
        ['disburse', 'disbursing', 'disbursing', second.userId, 200_000],
        ['close', 'disbursing', 'closed', second.userId, 0],
      ]);
      const paid = (
        await t.outbox<{ allocationId: string; paidTotalCents: number; remainingCents: number }>(
          'funding.disbursement.paid.v1',
        )
      )
        .filter((e) => e.data.allocationId === allocation.id)
        .map((e) => [e.data.paidTotalCents, e.data.remainingCents]);
      expect(paid).toEqual([
        [100_000, 400_000],
        [300_000, 200_000],
        [500_000, 0],
      ]);
      const [closed] = (await t.outbox<Record<string, unknown>>('funding.allocation.closed.v1')).filter(
        (e) => e.subject === allocation.id,
      );
      expect(closed?.data).toMatchObject({ paidTotalCents: 500_000, releasedCents: 0 });
    });

    it('closes early with a final tranche and gives the unpaid rest back to the budget', async () => {
      const allocation = await endorse('ALLOC', [{ year: 2027, amountCents: 400_000 }]);
      await act(FUNDING_RPC.approve, officer, allocation.id);
      await act(FUNDING_RPC.commit, officer, allocation.id, {
        grantDecisionDate: '2026-01-15',
        grantReference: 'X-1',
      });
      const before = (await yearOf(programme.id, 2027))!;
      const result = await act<DisbursementResultDto>(FUNDING_RPC.disburse, officer, allocation.id, {
        year: 2027,
        amountCents: 150_000,
        paidOn: '2027-05-01',
        final: true,
      });
      expect(result.allocation).toMatchObject({
        status: 'closed',
        paidCents: 150_000,
        releasedCents: 250_000,
      });
      expect(await yearOf(programme.id, 2027)).toMatchObject({
        reservedCents: before.reservedCents - 400_000,
        disbursedCents: before.disbursedCents + 150_000,
        availableCents: before.availableCents + 250_000,
      });
    });

    it('pays a tranche once when the same request comes again after its answer was lost', async () => {
      await amend(programme.id, { kind: 'raise', year: 2028, amountCents: 1_000_000 });
      const allocation = await endorse('ALLOC', [{ year: 2028, amountCents: 300_000 }]);
      await act(FUNDING_RPC.approve, officer, allocation.id);
      await act(FUNDING_RPC.commit, officer, allocation.id, {
        grantDecisionDate: '2026-02-01',
        grantReference: 'X-2',
      });
      const before = (await yearOf(programme.id, 2028))!;
      // As the gateway sends a retried Idempotency-Key request: the same request key on the RPC.
      const requestKey = createHash('sha256').update(randomUUID()).digest('hex');
      const pay = () =>
        runWithCorrelation({ correlationId: randomUUID(), requestKey }, () =>
          act<DisbursementResultDto>(FUNDING_RPC.disburse, officer, allocation.id, {
            year: 2028,
            amountCents: 100_000,
            paidOn: '2028-03-01',
          }),
        );
      const first = await pay();
      const again = await pay();
      expect(again.id).toBe(first.id);
      expect(again.allocation).toMatchObject({ paidCents: 100_000 });
      expect(await read<DisbursementDto[]>(FUNDING_RPC.disbursements, officer, allocation.id)).toHaveLength(
        1,
      );
      expect((await yearOf(programme.id, 2028))!.disbursedCents).toBe(before.disbursedCents + 100_000);
      // Another request pays another tranche.
      const other = await runWithCorrelation(
        { correlationId: randomUUID(), requestKey: createHash('sha256').update(randomUUID()).digest('hex') },
        () =>
          act<DisbursementResultDto>(FUNDING_RPC.disburse, officer, allocation.id, {
            year: 2028,
            amountCents: 50_000,
            paidOn: '2028-04-01',
          }),
      );
      expect(other.id).not.toBe(first.id);
      expect(other.allocation).toMatchObject({ paidCents: 150_000 });
    });

    it('amends a budget once when the same request comes again after its answer was lost', async () => {
      const requestKey = createHash('sha256').update(randomUUID()).digest('hex');
      const before = (await yearOf(programme.id, 2029))?.plannedCents ?? 0;
      const raise = () =>
        runWithCorrelation({ correlationId: randomUUID(), requestKey }, () =>
          amend(programme.id, { kind: 'raise', year: 2029, amountCents: 70_000 }),
        );
      const first = await raise();
      expect((await raise()).id).toBe(first.id);
      expect((await yearOf(programme.id, 2029))!.plannedCents).toBe(before + 70_000);
    });

    it('rejects with a reason, cancels with a release, and cancels when the proposal is withdrawn', async () => {
      const rejected = await endorse('ALLOC', [{ year: 2026, amountCents: 1_000 }]);
      await expectProblem(act(FUNDING_RPC.reject, officer, rejected.id, {}), 400, 'validation-failed');
      expect(
        await act(FUNDING_RPC.reject, officer, rejected.id, { reason: 'Nicht förderfähig.' }),
      ).toMatchObject({
        status: 'rejected',
        rejectionReason: 'Nicht förderfähig.',
      });
      const [event] = (await t.outbox<Record<string, unknown>>('funding.allocation.rejected.v1')).filter(
        (e) => e.subject === rejected.id,
      );
      expect(event?.data).toMatchObject({ reason: 'Nicht förderfähig.', actorUserId: officer.userId });

      const before = (await yearOf(programme.id, 2026))!;
      const cancelled = await endorse('ALLOC', [{ year: 2026, amountCents: 7_000 }]);
      await act(FUNDING_RPC.approve, officer, cancelled.id);
      expect((await yearOf(programme.id, 2026))?.reservedCents).toBe(before.reservedCents + 7_000);
      expect(
        await act(FUNDING_RPC.cancel, second, cancelled.id, { reason: 'Doppelt beantragt.' }),
      ).toMatchObject({
        status: 'cancelled',
        releasedCents: 7_000,
      });
      expect((await yearOf(programme.id, 2026))?.reservedCents).toBe(before.reservedCents);

      const withdrawn = await endorse('ALLOC', [{ year: 2026, amountCents: 5_000 }]);
      await act(FUNDING_RPC.approve, officer, withdrawn.id);
      const event2 = buildCloudEvent({
        type: 'projects.proposal.withdrawn.v1',
        subject: withdrawn.proposalId,
        correlationId: randomUUID(),
        data: {
          version: 9,
          proposal: proposalEndorsedFixture.data.proposal,
          actorUserId: owner.userId,
          fromStatus: 'endorsed',
          toStatus: 'withdrawn',
          comment: null,
        },
      });
      await jetstream(t.topo.nc).publish(subjectOf(t.topo.prefix, event2.type), JSON.stringify(event2));
      await waitFor(
        async () =>
          (await read<AllocationDto>(FUNDING_RPC.getAllocation, officer, withdrawn.id)).status ===
          'cancelled',
        { what: 'the allocation cancelled' },
      );
      expect((await yearOf(programme.id, 2026))?.reservedCents).toBe(before.reservedCents);
      const [cancelEvent] = (
        await t.outbox<Record<string, unknown>>('funding.allocation.cancelled.v1')
      ).filter((e) => e.subject === withdrawn.id);
      expect(cancelEvent?.data).toMatchObject({ actorUserId: null, releasedCents: 5_000 });
    });

    it('lets owners read their allocations and nobody else outside funding', async () => {
      const allocation = await endorse('ALLOC', [{ year: 2026, amountCents: 1_000 }]);
      expect(await read(FUNDING_RPC.getAllocation, owner, allocation.id)).toMatchObject({
        id: allocation.id,
      });
      const stranger: ActorDto = { userId: randomUUID(), role: 'program_manager', municipalityId: null };
      await expectProblem(
        read(FUNDING_RPC.getAllocation, stranger, allocation.id),
        404,
        'funding.allocation-not-found',
      );
      const page = await call<Page<AllocationDto>>(FUNDING_RPC.listAllocations, {
        actor: stranger,
        query: { limit: 100, sort: '-createdAt' },
      });
      expect(page.items).toEqual([]);
      const lead = proposalEndorsedFixture.data.proposal.leadMunicipality.municipalityId;
      const municipality: ActorDto = { userId: randomUUID(), role: 'municipality', municipalityId: lead };
      expect(await read(FUNDING_RPC.getAllocation, municipality, allocation.id)).toMatchObject({
        id: allocation.id,
      });
    });
  });

  describe('thresholds', () => {
    it('announces 80, 90 and 100 % of a year once per crossing', async () => {
      const programme = await createProgramme('THRESH', {
        fundingPeriod: { firstYear: 2025, lastYear: 2030 },
      });
      await amend(programme.id, { kind: 'raise', year: 2026, amountCents: 1_000 });
      const approveOf = async (cents: number) => {
        const allocation = await endorse('THRESH', [{ year: 2026, amountCents: cents }]);
        await act(FUNDING_RPC.approve, officer, allocation.id);
        return allocation;
      };
      const crossings = async () =>
        (
          await t.outbox<{ programmeCode: string; thresholdPercent: number; reservedCents: number }>(
            'funding.budget.threshold-reached.v1',
          )
        )
          .filter((e) => e.data.programmeCode === 'THRESH')
          .map((e) => [e.data.thresholdPercent, e.data.reservedCents]);
      await approveOf(700);
      expect(await crossings()).toEqual([]);
      const a = await approveOf(150); // 85 %
      await approveOf(10); // 86 %: nothing new
      expect(await crossings()).toEqual([[80, 850]]);
      await act(FUNDING_RPC.cancel, officer, a.id, { reason: 'Zurück unter 80 %.' }); // 71 %
      await approveOf(290); // 100 %: 80 again, 90 and 100
      expect(await crossings()).toEqual([
        [80, 850],
        [80, 1_000],
        [90, 1_000],
        [100, 1_000],
      ]);
    });
  });
});
