import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  MUNICIPALITIES,
  PROJECTS_RPC,
  REPORTING_RPC,
  type ActorDto,
  type CreateProposalDto,
  type MilestoneDto,
  type Page,
  type ProposalDto,
  type ReportObligationDto,
} from '@wandelwerk/contracts';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { randomUUID } from 'node:crypto';
import { ProjectsSettings } from '../config/projects.settings.js';
import { projectsBlueprint } from '../projects.blueprint.js';

const { senftenberg, grossraeschen, schipkau, lauchhammer, schwarzheide, finsterwalde } = MUNICIPALITIES;
type Municipality = (typeof MUNICIPALITIES)[keyof typeof MUNICIPALITIES];
const TAKING_PART = [senftenberg, grossraeschen, schipkau, lauchhammer, schwarzheide];

const managerA: ActorDto = { userId: '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f71', role: 'program_manager' };
const managerB: ActorDto = { userId: '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f73', role: 'program_manager' };
const officer: ActorDto = { userId: '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f72', role: 'funding_officer' };
const admin: ActorDto = { userId: '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f74', role: 'admin' };
const account = (m: Municipality | null): ActorDto => ({
  userId: randomUUID(),
  role: 'municipality',
  municipalityId: m?.municipalityId ?? null,
});
const SCORES = { regionalValueAdded: 5, jobs: 3, sustainability: 4, cooperation: 5, feasibility: 4 };
const senftenbergAccount = account(senftenberg);
const schipkauAccount = account(schipkau);
/** A real municipality that takes part in none of the proposals. */
const finsterwaldeAccount = account(finsterwalde);

interface Spec {
  owner: ActorDto;
  lead: Municipality;
  partners: Municipality[];
  years: number[];
}

/** Fourteen proposals of two owners over five municipalities, leads and partners mixed, one or two plan years. */
const SPECS: Spec[] = Array.from({ length: 14 }, (_, i) => ({
  owner: i % 2 === 0 ? managerA : managerB,
  lead: TAKING_PART[i % 5],
  partners: i % 3 === 0 ? [] : [TAKING_PART[(i + 2) % 5]],
  years: i % 2 === 0 ? [2026, 2027] : [2027],
}));

const draftOf = (spec: Spec, i: number): CreateProposalDto => ({
  title: `Vorhaben ${String(i).padStart(2, '0')} ${spec.lead.name}`,
  summary: 'Ein Vorhaben des Strukturwandels.',
  description: '',
  workshop: 'infrastructure-mobility',
  programmeCode: 'INVKG-BB',
  leadMunicipality: {
    municipalityId: spec.lead.municipalityId,
    costShareBasisPoints: spec.partners.length ? 7000 : 10000,
  },
  partners: spec.partners.map((m) => ({ municipalityId: m.municipalityId, costShareBasisPoints: 3000 })),
  totalCostCents: 1_000_000,
  eligibleCostCents: 1_000_000,
  requestedFundingCents: 900_000,
  costPlan: spec.years.map((year) => ({ year, amountCents: 1_000_000 / spec.years.length })),
  plannedStart: '2026-01-01',
  plannedEnd: '2027-12-31',
  indicators: [],
});

/** The rule, said independently of the service: what each actor of this spec should see. */
const expectedFor = (actor: ActorDto, spec: Spec): boolean => {
  if (actor.role === 'admin' || actor.role === 'funding_officer') return true;
  if (actor.role === 'program_manager') return spec.owner.userId === actor.userId;
  return [spec.lead, ...spec.partners].some((m) => m.municipalityId === actor.municipalityId);
};

/** Who sees what, read by read and command by command, on the real database and transport. */
describe('proposal visibility by role, ownership and municipality', () => {
  let t: TestService;
  const ids: string[] = [];
  const call = <T>(pattern: string, payload: unknown): Promise<T> => t.rpc.request<T>(pattern, payload);
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: { status: number; response: Record<string, unknown> }) => e,
    );
  const expectProblem = (promise: Promise<unknown>, status: number, code: string) =>
    expect(promise).rejects.toMatchObject({ status, response: expect.objectContaining({ code }) });
  const visibleIds = (actor: ActorDto) => ids.filter((_, i) => expectedFor(actor, SPECS[i]));

  /** Every page of the list as `actor`, two at a time, following the cursors. */
  const pageAll = async (actor: ActorDto, query: Record<string, unknown> = {}): Promise<string[]> => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<ProposalDto> = await call<Page<ProposalDto>>(PROJECTS_RPC.list, {
        actor,
        query: { sort: '-createdAt', ...query, limit: 2, ...(cursor ? { cursor } : {}) },
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    return seen;
  };

  beforeAll(async () => {
    t = await startTestService(ProjectsSettings, projectsBlueprint);
    for (const m of [...TAKING_PART, finsterwalde])
      await t.db.query(
        `INSERT INTO projects.municipality_read_model (id, ags, name, active, version) VALUES ($1, $2, $3, true, 1)`,
        [m.municipalityId, m.ags, m.name],
      );
    for (const [i, spec] of SPECS.entries()) {
      const created = await call<ProposalDto>(PROJECTS_RPC.create, {
        actor: spec.owner,
        data: draftOf(spec, i),
      });
      ids.push(created.id);
    }
  }, 60_000);

  afterAll(async () => {
    await t.dispose();
  });

  it('lists to each actor exactly what they may see, in the same order, through every page', async () => {
    const actors = [
      admin,
      officer,
      managerA,
      managerB,
      senftenbergAccount,
      schipkauAccount,
      finsterwaldeAccount,
    ];
    for (const query of [
      {},
      { sort: 'title' },
      { sort: '-requestedFundingCents' },
      { year: 2026 },
      { year: 2027, sort: 'title' },
    ]) {
      const everything = await pageAll(admin, query);
      for (const actor of actors) {
        const expected = new Set(
          visibleIds(actor).filter(
            (id) => query.year === undefined || SPECS[ids.indexOf(id)].years.includes(query.year),
          ),
        );
        const seen = await pageAll(actor, query);
        // Exactly the visible ones, none twice, none foreign, in the order everybody's list has them.
        expect({ actor: actor.role, query, seen }).toEqual({
          actor: actor.role,
          query,
          seen: everything.filter((id) => expected.has(id)),
        });
      }
    }
    // The fixture really separates the actors: each sees some and misses some.
    for (const actor of [managerA, managerB, senftenbergAccount, schipkauAccount]) {
      expect(visibleIds(actor).length).toBeGreaterThan(0);
      expect(visibleIds(actor).length).toBeLessThan(ids.length);
    }
    expect(await pageAll(officer)).toHaveLength(ids.length);
    expect(await pageAll(finsterwaldeAccount)).toEqual([]);
    expect(await pageAll(account(null))).toEqual([]);
  });

  it('applies the filters inside the scope, never beside it', async () => {
    // A municipality filtering for another municipality sees only the proposals both take part in.
    const both = await pageAll(senftenbergAccount, { municipalityId: schipkau.municipalityId });
    const takesPart = (i: number, m: Municipality) =>
      [SPECS[i].lead, ...SPECS[i].partners].some((x) => x.municipalityId === m.municipalityId);
    const expected = ids.filter((_, i) => takesPart(i, senftenberg) && takesPart(i, schipkau));
    expect(expected.length).toBeGreaterThan(0);
    expect(new Set(both)).toEqual(new Set(expected));
    expect(await pageAll(finsterwaldeAccount, { municipalityId: senftenberg.municipalityId })).toEqual([]);
    // A program manager's list by municipality holds only their own.
    const mine = await pageAll(managerA, { municipalityId: senftenberg.municipalityId, year: 2027 });
    expect(mine.length).toBeGreaterThan(0);
    for (const id of mine) expect(SPECS[ids.indexOf(id)].owner).toBe(managerA);
  });

  it('gets a proposal for whoever may see it and answers 404 to everyone else, as if it did not exist', async () => {
    for (const actor of [
      managerA,
      managerB,
      senftenbergAccount,
      schipkauAccount,
      finsterwaldeAccount,
      officer,
    ]) {
      for (const [i, id] of ids.entries()) {
        const answer = await call<ProposalDto>(PROJECTS_RPC.get, { actor, id }).catch(
          (e: { status: number }) => e.status,
        );
        expect([actor.role, actor.municipalityId, i, typeof answer === 'number' ? answer : 200]).toEqual([
          actor.role,
          actor.municipalityId,
          i,
          expectedFor(actor, SPECS[i]) ? 200 : 404,
        ]);
      }
    }
    const foreign = ids.find((_, i) => !expectedFor(managerA, SPECS[i]))!;
    const missing = randomUUID();
    const hidden = await refusal(call(PROJECTS_RPC.get, { actor: managerA, id: foreign }));
    const unknown = await refusal(call(PROJECTS_RPC.get, { actor: managerA, id: missing }));
    expect(hidden.status).toBe(404);
    expect(JSON.stringify(hidden.response).replaceAll(foreign, '{id}')).toBe(
      JSON.stringify(unknown.response).replaceAll(missing, '{id}'),
    );
  });

  describe('a proposal of Senftenberg with Schipkau as partner, approved, with a milestone and a report', () => {
    let id: string;
    let milestone: MilestoneDto;
    let report: ReportObligationDto;
    const stranger = () => [finsterwaldeAccount, managerB, account(lauchhammer)];

    beforeAll(async () => {
      const spec: Spec = { owner: managerA, lead: senftenberg, partners: [schipkau], years: [2026] };
      id = (await call<ProposalDto>(PROJECTS_RPC.create, { actor: managerA, data: draftOf(spec, 99) })).id;
      await t.db.query(`UPDATE projects.proposal SET status = 'approved' WHERE id = $1`, [id]);
      milestone = await call<MilestoneDto>(REPORTING_RPC.scheduleMilestone, {
        actor: officer,
        id,
        data: { title: 'Baubeginn', dueDate: '2026-06-30' },
      });
      report = await call<ReportObligationDto>(REPORTING_RPC.scheduleReport, {
        actor: officer,
        id,
        data: { kind: 'interim', title: 'Zwischennachweis', dueDate: '2026-12-31' },
      });
    });

    it('shows it, its history, reviews, milestones and reports to the owner, both municipalities and staff', async () => {
      for (const actor of [managerA, senftenbergAccount, schipkauAccount, officer, admin]) {
        expect((await call<ProposalDto>(PROJECTS_RPC.get, { actor, id })).id).toBe(id);
        expect(await call(PROJECTS_RPC.history, { actor, id })).toEqual([]);
        expect(await call(PROJECTS_RPC.listReviews, { actor, id })).toEqual([]);
        expect(await call(REPORTING_RPC.listMilestones, { actor, id })).toEqual([milestone]);
        expect(await call(REPORTING_RPC.listReports, { actor, id })).toEqual([report]);
      }
    });

    it('answers 404 for every read by another municipality or another program manager', async () => {
      for (const actor of stranger())
        for (const pattern of [
          PROJECTS_RPC.get,
          PROJECTS_RPC.history,
          PROJECTS_RPC.listReviews,
          REPORTING_RPC.listMilestones,
          REPORTING_RPC.listReports,
        ])
          await expectProblem(call(pattern, { actor, id }), 404, 'project.not-found');
    });

    it('answers 404 for every command of someone who cannot see it, writing nothing', async () => {
      const before = (await t.outbox()).length;
      const commands: [string, Record<string, unknown>][] = [
        [PROJECTS_RPC.update, { data: { title: 'Übernommen' } }],
        [PROJECTS_RPC.submit, { data: {} }],
        [PROJECTS_RPC.withdraw, { data: {} }],
        [PROJECTS_RPC.startReview, { data: { reviewDueDate: '2026-03-31' } }],
        [PROJECTS_RPC.requestRevision, { data: { comment: 'x', responseDueDate: '2026-04-30' } }],
        [PROJECTS_RPC.endorse, { data: { reviewId: randomUUID() } }],
        [PROJECTS_RPC.reject, { data: { reviewId: randomUUID(), comment: 'x' } }],
        [PROJECTS_RPC.startImplementation, { data: { startedOn: '2026-02-01' } }],
        [PROJECTS_RPC.complete, { data: { completedOn: '2027-12-31', finalCostCents: 1 } }],
        [PROJECTS_RPC.recordReview, { data: { votum: 'endorse', scores: SCORES, comment: 'x' } }],
        [REPORTING_RPC.scheduleMilestone, { data: { title: 'x', dueDate: '2026-06-30' } }],
        [REPORTING_RPC.rescheduleMilestone, { itemId: milestone.id, data: { dueDate: '2026-07-31' } }],
        [REPORTING_RPC.scheduleReport, { data: { kind: 'final', title: 'x', dueDate: '2028-06-30' } }],
        [REPORTING_RPC.rescheduleReport, { itemId: report.id, data: { dueDate: '2027-01-31' } }],
        [REPORTING_RPC.fileReport, { itemId: report.id, data: { summary: 'x' } }],
      ];
      for (const actor of stranger())
        for (const [pattern, rest] of commands) {
          const answer = await refusal(call(pattern, { actor, id, ...rest }));
          expect([actor.role, pattern, answer.status, answer.response['code']]).toEqual([
            actor.role,
            pattern,
            404,
            'project.not-found',
          ]);
        }
      expect(await t.outbox()).toHaveLength(before);
      expect((await call<ProposalDto>(PROJECTS_RPC.get, { actor: admin, id })).status).toBe('approved');
    });

    it('keeps 403 for those who see it but may not act', async () => {
      const before = (await t.outbox()).length;
      // The partner municipality and a funding officer see the proposal but do not own it.
      for (const actor of [schipkauAccount, officer]) {
        await expectProblem(
          call(PROJECTS_RPC.update, { actor, id, data: { title: 'x' } }),
          403,
          'project.forbidden',
        );
        await expectProblem(
          call(PROJECTS_RPC.startImplementation, { actor, id, data: { startedOn: '2026-02-01' } }),
          403,
          'project.forbidden',
        );
        await expectProblem(
          call(REPORTING_RPC.fileReport, { actor, id, itemId: report.id, data: { summary: 'x' } }),
          403,
          'project.forbidden',
        );
      }
      // The owner and the municipalities see it, but scheduling is the funding officers'.
      for (const actor of [managerA, senftenbergAccount]) {
        await expectProblem(
          call(REPORTING_RPC.scheduleMilestone, { actor, id, data: { title: 'x', dueDate: '2026-06-30' } }),
          403,
          'project.forbidden',
        );
        await expectProblem(
          call(REPORTING_RPC.rescheduleReport, {
            actor,
            id,
            itemId: report.id,
            data: { dueDate: '2027-01-31' },
          }),
          403,
          'project.forbidden',
        );
      }
      expect(await t.outbox()).toHaveLength(before);
    });
  });
});
