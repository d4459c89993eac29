import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import {
  buildCloudEvent,
  MUNICIPALITIES,
  municipalityDeactivatedFixture,
  municipalityRegisteredFixture,
  municipalityUpdatedFixture,
  programmePublishedFixture,
  programmeUpdatedFixture,
  PROJECTS_RPC,
  SYSTEM_ACTOR,
  type CloudEvent,
  type CreateProposalDto,
  type Page,
  type ProposalDto,
  type ProposalTransitionDto,
  type ReviewDto,
} from '@wandelwerk/contracts';
import { subjectOf } from '@wandelwerk/messaging';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { waitFor } from '@wandelwerk/testing';
import { runWithCorrelation } from '@wandelwerk/observability';
import { createHash, randomUUID } from 'node:crypto';
import { ProjectsSettings } from './config/projects.settings.js';
import { projectsBlueprint } from './projects.blueprint.js';

const manager = { userId: '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f71', role: 'program_manager' as const };
const officer = { userId: '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f72', role: 'funding_officer' as const };
const { senftenberg, grossraeschen, schipkau, lauchhammer } = MUNICIPALITIES;

const draft = (patch: Partial<CreateProposalDto> = {}): CreateProposalDto => ({
  title: 'Niederlausitzhalle Senftenberg',
  summary: 'Energetische Sanierung der Stadthalle und ein neuer Kongresssaal.',
  description: 'Ausführliche Beschreibung.',
  workshop: 'culture-tourism-marketing',
  programmeCode: 'INVKG-BB',
  leadMunicipality: { municipalityId: senftenberg.municipalityId, costShareBasisPoints: 8000 },
  partners: [
    { municipalityId: grossraeschen.municipalityId, costShareBasisPoints: 1000 },
    { municipalityId: schipkau.municipalityId, costShareBasisPoints: 1000 },
  ],
  totalCostCents: 1_240_000_000,
  eligibleCostCents: 1_180_000_000,
  requestedFundingCents: 1_062_000_000,
  costPlan: [
    { year: 2026, amountCents: 590_000_000 },
    { year: 2027, amountCents: 590_000_000 },
  ],
  plannedStart: '2026-01-01',
  plannedEnd: '2027-12-31',
  indicators: [{ name: 'Sanierte Fläche', unit: 'm²', targetValue: 4200 }],
  ...patch,
});

const scores = { regionalValueAdded: 5, jobs: 3, sustainability: 4, cooperation: 5, feasibility: 4 };

/** The projects service with its real database, JetStream transport and outbox, fed with contract events. */
describe('projects service', () => {
  let t: TestService;
  const call = <T>(pattern: string, payload: unknown): Promise<T> => t.rpc.request<T>(pattern, payload);
  const publish = async (event: CloudEvent): Promise<void> => {
    await jetstream(t.topo.nc).publish(subjectOf(t.topo.prefix, event.type), JSON.stringify(event));
  };
  const municipality = (id: string) =>
    t.db.query<{ name: string; active: boolean; version: number }>(
      `SELECT name, active, version FROM projects.municipality_read_model WHERE id = $1`,
      [id],
    );
  const register = (m: (typeof MUNICIPALITIES)[keyof typeof MUNICIPALITIES]) =>
    publish(
      buildCloudEvent({
        type: 'municipalities.municipality.registered.v1',
        subject: m.municipalityId,
        correlationId: m.municipalityId,
        data: {
          version: 1,
          ags: m.ags,
          name: m.name,
          officialName: m.officialName,
          district: m.district,
          state: 'Brandenburg',
          region: 'lausitz',
          active: true,
          actorUserId: manager.userId,
        },
      }),
    );
  const expectProblem = (promise: Promise<unknown>, status: number, code: string) =>
    expect(promise).rejects.toMatchObject({ status, response: expect.objectContaining({ code }) });

  beforeAll(async () => {
    t = await startTestService(ProjectsSettings, projectsBlueprint);
  }, 30_000);

  afterAll(async () => {
    await t.dispose();
  });

  describe('read models', () => {
    it('keeps municipalities from their events and ignores an older version arriving late', async () => {
      await publish(municipalityUpdatedFixture);
      await publish(municipalityRegisteredFixture);
      await waitFor(async () => (await municipality(senftenberg.municipalityId))[0]?.version === 2, {
        what: 'senftenberg',
      });
      // The registered event (version 1) came after version 2 and changed nothing.
      await register(grossraeschen);
      await waitFor(async () => (await municipality(grossraeschen.municipalityId)).length === 1, {
        what: 'grossraeschen',
      });
      expect(await municipality(senftenberg.municipalityId)).toEqual([
        { name: 'Senftenberg', active: true, version: 2 },
      ]);
    });

    it('marks a deactivated municipality inactive', async () => {
      await register(lauchhammer);
      await register(schipkau);
      await publish(municipalityDeactivatedFixture);
      await waitFor(async () => (await municipality(lauchhammer.municipalityId))[0]?.active === false, {
        what: 'lauchhammer deactivated',
      });
      await waitFor(async () => (await municipality(schipkau.municipalityId)).length === 1, {
        what: 'schipkau',
      });
    });

    it('keeps programmes with their rate, funding period and activity', async () => {
      await publish(programmeUpdatedFixture);
      await publish(programmePublishedFixture);
      const programme = () =>
        t.db.query<Record<string, unknown>>(
          `SELECT code, max_funding_rate_basis_points, first_year, last_year, active, version
           FROM projects.programme_read_model`,
        );
      await waitFor(async () => (await programme())[0]?.['version'] === 2, { what: 'programme' });
      await waitFor(async () => (await t.db.query(`SELECT * FROM projects.inbox`)).length >= 7, {
        what: 'all events handled',
      });
      expect(await programme()).toEqual([
        {
          code: 'INVKG-BB',
          max_funding_rate_basis_points: 9000,
          first_year: 2020,
          last_year: 2038,
          active: true,
          version: 2,
        },
      ]);
    });
  });

  describe('proposals', () => {
    let id: string;

    it('creates a draft owned by the actor, with its event', async () => {
      const created = await call<ProposalDto>(PROJECTS_RPC.create, { actor: manager, data: draft() });
      id = created.id;
      expect(created).toMatchObject({
        status: 'draft',
        version: 1,
        ownerUserId: manager.userId,
        leadMunicipality: { ags: '12066304', name: 'Senftenberg', costShareBasisPoints: 8000 },
        requestedFundingCents: 1_062_000_000,
      });
      expect(await call(PROJECTS_RPC.get, { actor: SYSTEM_ACTOR, id })).toEqual(created);
      const events = await t.outbox('projects.proposal.created.v1');
      expect(events.at(-1)?.subject).toBe(id);
    });

    it('refuses inconsistent figures and unknown municipalities, writing nothing', async () => {
      const before = (await t.outbox()).length;
      await expectProblem(
        call(PROJECTS_RPC.create, { actor: manager, data: draft({ requestedFundingCents: 1_180_000_001 }) }),
        422,
        'project.invalid-proposal',
      );
      await expectProblem(
        call(PROJECTS_RPC.create, {
          actor: manager,
          data: draft({ leadMunicipality: { municipalityId: manager.userId, costShareBasisPoints: 8000 } }),
        }),
        422,
        'project.municipality-unknown',
      );
      await expectProblem(
        call(PROJECTS_RPC.create, { actor: manager, data: { ...draft(), admin: true } }),
        400,
        'validation-failed',
      );
      expect(await t.outbox()).toHaveLength(before);
    });

    it('updates a draft only for its owner', async () => {
      const updated = await call<ProposalDto>(PROJECTS_RPC.update, {
        actor: manager,
        id,
        data: { summary: 'Neue Zusammenfassung der Sanierung.' },
      });
      expect(updated).toMatchObject({ version: 2, summary: 'Neue Zusammenfassung der Sanierung.' });
      const [event] = (await t.outbox<{ changedFields: string[] }>('projects.proposal.updated.v1')).slice(-1);
      expect(event?.data.changedFields).toEqual(['summary']);
      await expectProblem(
        call(PROJECTS_RPC.update, { actor: officer, id, data: { title: 'X' } }),
        403,
        'project.forbidden',
      );
    });

    it('refuses to submit when a rule is broken, naming each field', async () => {
      const bad = await call<ProposalDto>(PROJECTS_RPC.create, {
        actor: manager,
        data: draft({
          partners: [{ municipalityId: lauchhammer.municipalityId, costShareBasisPoints: 2000 }],
          costPlan: [
            { year: 2039, amountCents: 590_000_000 },
            { year: 2027, amountCents: 590_000_000 },
          ],
        }),
      });
      const error = await call(PROJECTS_RPC.submit, { actor: manager, id: bad.id, data: {} }).catch(
        (e: { response: { errors: { field: string; rule: string }[] } }) => e.response,
      );
      expect(
        (error as { errors: { field: string; rule: string }[] }).errors.map((e) => `${e.field}:${e.rule}`),
      ).toEqual(['costPlan[0].year:insideFundingPeriod', 'partners[0].municipalityId:municipalityActive']);
      expect((await call<ProposalDto>(PROJECTS_RPC.get, { actor: SYSTEM_ACTOR, id: bad.id })).status).toBe(
        'draft',
      );
    });

    it('runs the lifecycle from draft to completed, with its history', async () => {
      await expectProblem(
        call(PROJECTS_RPC.endorse, { actor: officer, id, data: { reviewId: id } }),
        409,
        'project.transition-not-allowed',
      );
      await call(PROJECTS_RPC.submit, { actor: manager, id, data: {} });
      await call(PROJECTS_RPC.startReview, { actor: officer, id, data: { reviewDueDate: '2026-03-31' } });
      const revise = await call<ReviewDto>(PROJECTS_RPC.recordReview, {
        actor: officer,
        id,
        data: { votum: 'revise', scores, comment: 'Kostenplan aufschlüsseln.' },
      });
      expect(revise).toMatchObject({ round: 1, totalScore: 21 });
      await expectProblem(
        call(PROJECTS_RPC.endorse, { actor: officer, id, data: { reviewId: revise.id } }),
        422,
        'project.review-votum-mismatch',
      );
      await call(PROJECTS_RPC.requestRevision, {
        actor: officer,
        id,
        data: { comment: 'Bitte den Kostenplan aufschlüsseln.', responseDueDate: '2026-04-30' },
      });
      await call(PROJECTS_RPC.update, { actor: manager, id, data: { description: 'Mit Aufschlüsselung.' } });
      await call(PROJECTS_RPC.submit, { actor: manager, id, data: { comment: 'Überarbeitet.' } });
      await call(PROJECTS_RPC.startReview, { actor: officer, id, data: { reviewDueDate: '2026-05-31' } });
      const endorse = await call<ReviewDto>(PROJECTS_RPC.recordReview, {
        actor: officer,
        id,
        data: { votum: 'endorse', scores, comment: 'Die Werkstatt empfiehlt das Vorhaben.' },
      });
      expect(endorse.round).toBe(2);
      const endorsed = await call<ProposalDto>(PROJECTS_RPC.endorse, {
        actor: officer,
        id,
        data: { reviewId: endorse.id },
      });
      expect(endorsed.status).toBe('endorsed');
      const [endorsedEvent] = (
        await t.outbox<{ requestedFundingByYear: unknown }>('projects.proposal.endorsed.v1')
      ).slice(-1);
      expect(endorsedEvent?.data.requestedFundingByYear).toEqual([
        { year: 2026, amountCents: 531_000_000 },
        { year: 2027, amountCents: 531_000_000 },
      ]);

      const allocation = buildCloudEvent({
        type: 'funding.allocation.approved.v1',
        subject: '0b000000-0000-4000-8000-000000000001',
        correlationId: '0b000000-0000-4000-8000-000000000002',
        data: {
          version: 2,
          proposal: {
            proposalId: id,
            title: endorsed.title,
            leadMunicipalityId: senftenberg.municipalityId,
            partnerMunicipalityIds: [grossraeschen.municipalityId, schipkau.municipalityId],
          },
          programmeId: '00000009-0000-4000-8000-000000000001',
          programmeCode: 'INVKG-BB',
          amountCents: 1_062_000_000,
          approverUserIds: [officer.userId],
          amountByYear: [
            { year: 2026, amountCents: 531_000_000 },
            { year: 2027, amountCents: 531_000_000 },
          ],
          comment: null,
        },
      }) as CloudEvent;
      await publish(allocation);
      await publish({ ...allocation, id: '0b000000-0000-4000-8000-000000000003' });
      await waitFor(
        async () =>
          (await call<ProposalDto>(PROJECTS_RPC.get, { actor: SYSTEM_ACTOR, id })).status === 'approved',
        {
          what: 'approval',
        },
      );
      await call(PROJECTS_RPC.startImplementation, { actor: manager, id, data: { startedOn: '2026-02-01' } });
      const done = await call<ProposalDto>(PROJECTS_RPC.complete, {
        actor: manager,
        id,
        data: { completedOn: '2027-12-31', finalCostCents: 1_230_000_000 },
      });
      expect(done).toMatchObject({ status: 'completed', approvedFundingCents: 1_062_000_000 });

      const history = await call<ProposalTransitionDto[]>(PROJECTS_RPC.history, { actor: SYSTEM_ACTOR, id });
      expect(history.map((h) => `${h.fromStatus}>${h.toStatus}`)).toEqual([
        'draft>submitted',
        'submitted>in-review',
        'in-review>revision-requested',
        'revision-requested>submitted',
        'submitted>in-review',
        'in-review>endorsed',
        'endorsed>approved',
        'approved>in-implementation',
        'in-implementation>completed',
      ]);
      expect(history[6]?.actorUserId).toBeNull();
      expect(history[2]).toMatchObject({
        actorUserId: officer.userId,
        comment: 'Bitte den Kostenplan aufschlüsseln.',
      });
      expect(await t.outbox('projects.proposal.approved.v1')).toHaveLength(1);
    });

    it('answers a forbidden transition with 409, the current state and the allowed next steps', async () => {
      const error = await call(PROJECTS_RPC.withdraw, { actor: manager, id, data: {} }).catch(
        (e: { status: number; response: Record<string, unknown> }) => e,
      );
      expect(error).toMatchObject({
        status: 409,
        response: expect.objectContaining({ currentState: 'completed', allowedTransitions: [] }),
      });
    });

    it('lets one of two concurrent transitions win; the other gets 409', async () => {
      const other = await call<ProposalDto>(PROJECTS_RPC.create, { actor: manager, data: draft() });
      const results = await Promise.allSettled([
        call(PROJECTS_RPC.submit, { actor: manager, id: other.id, data: {} }),
        call(PROJECTS_RPC.withdraw, { actor: manager, id: other.id, data: {} }),
        call(PROJECTS_RPC.submit, { actor: manager, id: other.id, data: {} }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected'))
        expect(r.reason).toMatchObject({ status: 409 });
      expect(
        await call<ProposalTransitionDto[]>(PROJECTS_RPC.history, { actor: SYSTEM_ACTOR, id: other.id }),
      ).toHaveLength(1);
    });

    it('lists with filters, full text and cursor pages', async () => {
      const list = (query: Record<string, unknown>) =>
        call<Page<ProposalDto>>(PROJECTS_RPC.list, {
          actor: SYSTEM_ACTOR,
          query: { limit: 20, sort: '-createdAt', ...query },
        });
      expect((await list({})).items).toHaveLength(3);
      expect((await list({ status: 'completed' })).items.map((p) => p.id)).toEqual([id]);
      expect((await list({ municipalityId: schipkau.municipalityId })).items).toHaveLength(2);
      expect((await list({ municipalityId: lauchhammer.municipalityId })).items).toHaveLength(1);
      expect((await list({ year: 2039 })).items).toHaveLength(1);
      expect((await list({ q: 'Sanierungen' })).items.length).toBeGreaterThan(0);
      expect((await list({ q: 'Windpark' })).items).toHaveLength(0);
      expect((await list({ q: 'Sanierungen', status: 'completed' })).items.map((p) => p.id)).toEqual(
        (await list({ q: 'Sanierungen' })).items.filter((p) => p.status === 'completed').map((p) => p.id),
      );
      expect((await list({ workshop: 'infrastructure-mobility' })).items).toHaveLength(0);
      const first = await list({ limit: 2 });
      const second = await list({ limit: 2, cursor: first.nextCursor });
      expect(second.nextCursor).toBeNull();
      expect(new Set([...first.items, ...second.items].map((p) => p.id)).size).toBe(3);
    });

    it('creates one draft for one client request, however often it comes (its first answer lost)', async () => {
      // As the gateway sends a request retried with the same Idempotency-Key: the same request key on the RPC.
      const requestKey = createHash('sha256').update(randomUUID()).digest('hex');
      const create = () =>
        runWithCorrelation({ correlationId: randomUUID(), requestKey }, () =>
          call<ProposalDto>(PROJECTS_RPC.create, { actor: manager, data: draft({ title: requestKey }) }),
        );
      const first = await create();
      expect(await create()).toEqual(first);
      const rows = await t.db.query(`SELECT id FROM projects.proposal WHERE title = $1`, [requestKey]);
      expect(rows).toEqual([{ id: first.id }]);
      expect(
        (await t.outbox('projects.proposal.created.v1')).filter((e) => e.subject === first.id),
      ).toHaveLength(1);
      // Without a request key every call is a new draft.
      const other = await call<ProposalDto>(PROJECTS_RPC.create, {
        actor: manager,
        data: draft({ title: requestKey }),
      });
      expect(other.id).not.toBe(first.id);
    });

    it('keeps projects.proposal_year in step with every change, and lists by year from it', async () => {
      const years = async (proposalId: string) =>
        (
          await t.db.query<{
            year: number;
            status: string;
            programme_code: string;
            workshop: string | null;
            municipality_ids: string[];
            created_at: Date;
          }>(
            `SELECT year, status, programme_code, workshop, municipality_ids, created_at
             FROM projects.proposal_year WHERE proposal_id = $1 ORDER BY year`,
            [proposalId],
          )
        ).map((row) => ({ ...row, created_at: row.created_at.toISOString() }));
      const list = (query: Record<string, unknown>) =>
        call<Page<ProposalDto>>(PROJECTS_RPC.list, {
          actor: SYSTEM_ACTOR,
          query: { limit: 20, sort: '-createdAt', ...query },
        });
      const created = await call<ProposalDto>(PROJECTS_RPC.create, { actor: manager, data: draft() });
      const row = (year: number, status: string, workshop: string, municipalityIds: string[]) => ({
        year,
        status,
        programme_code: 'INVKG-BB',
        workshop,
        municipality_ids: municipalityIds,
        created_at: created.createdAt,
      });
      const all = [senftenberg, grossraeschen, schipkau].map((m) => m.municipalityId);
      expect(await years(created.id)).toEqual([
        row(2026, 'draft', 'culture-tourism-marketing', all),
        row(2027, 'draft', 'culture-tourism-marketing', all),
      ]);

      // The cost plan, the workshop and the partners change.
      const two = [senftenberg, schipkau].map((m) => m.municipalityId);
      await call(PROJECTS_RPC.update, {
        actor: manager,
        id: created.id,
        data: {
          workshop: 'infrastructure-mobility',
          leadMunicipality: { municipalityId: senftenberg.municipalityId, costShareBasisPoints: 9000 },
          partners: [{ municipalityId: schipkau.municipalityId, costShareBasisPoints: 1000 }],
          costPlan: [
            { year: 2027, amountCents: 590_000_000 },
            { year: 2028, amountCents: 590_000_000 },
          ],
          plannedStart: '2027-01-01',
          plannedEnd: '2028-12-31',
        },
      });
      expect(await years(created.id)).toEqual([
        row(2027, 'draft', 'infrastructure-mobility', two),
        row(2028, 'draft', 'infrastructure-mobility', two),
      ]);

      // Status transitions, through the service and by raw SQL.
      await call(PROJECTS_RPC.submit, { actor: manager, id: created.id, data: {} });
      expect((await years(created.id)).map((r) => r.status)).toEqual(['submitted', 'submitted']);
      await call(PROJECTS_RPC.startReview, {
        actor: officer,
        id: created.id,
        data: { reviewDueDate: '2026-05-31' },
      });
      expect((await years(created.id)).map((r) => r.status)).toEqual(['in-review', 'in-review']);
      await t.db.query(`UPDATE projects.proposal SET status = 'rejected' WHERE id = $1`, [created.id]);
      expect((await years(created.id)).map((r) => r.status)).toEqual(['rejected', 'rejected']);
      await t.db.query(`UPDATE projects.proposal SET status = 'in-review' WHERE id = $1`, [created.id]);

      // Lists with a year read the side table: same rows as the proposal's own columns say, newest first.
      const ids = async (query: Record<string, unknown>) => (await list(query)).items.map((p) => p.id);
      expect(await ids({ year: 2028, workshop: 'infrastructure-mobility' })).toEqual([created.id]);
      expect(await ids({ year: 2028, programmeCode: 'INVKG-BB', status: 'in-review' })).toEqual([created.id]);
      expect(await ids({ year: 2027, municipalityId: schipkau.municipalityId })).toContain(created.id);
      expect(await ids({ year: 2026 })).not.toContain(created.id);
      expect(await ids({ year: 2027, municipalityId: grossraeschen.municipalityId })).not.toContain(
        created.id,
      );
      const expected = await t.db.query<{ id: string }>(
        `SELECT id FROM projects.proposal WHERE cost_plan_years @> ARRAY[2027] ORDER BY created_at DESC, id DESC`,
      );
      const first = await list({ year: 2027, limit: 1 });
      const rest = await list({ year: 2027, limit: 20, cursor: first.nextCursor });
      expect([...first.items, ...rest.items].map((p) => p.id)).toEqual(expected.map((r) => r.id));
    });
  });
});
