import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import {
  buildCloudEvent,
  programmePublishedFixture,
  type ActorDto,
  type MunicipalityDto,
  type Page,
  type ProposalDto,
} from '@wandelwerk/contracts';
import { subjectOf } from '@wandelwerk/messaging';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { startTestGateway, type Send, type TestGateway } from './support/gateway.js';
import { waitFor } from '@wandelwerk/testing';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MunicipalitiesSettings, municipalitiesBlueprint } from '@wandelwerk/municipalities/blueprint';
import { ProjectsSettings, projectsBlueprint } from '@wandelwerk/projects/blueprint';

const demoCsv = readFileSync(new URL('../data/demo/municipalities.csv', import.meta.url), 'utf8');
/** The program manager who drafts and owns the proposals, and the funding officer who reviews them. */
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
/** The steps of the review; every other step is the owner's. */
const OFFICER_STEPS = new Set(['start-review', 'request-revision', 'endorse', 'reject']);
const scores = { regionalValueAdded: 5, jobs: 3, sustainability: 4, cooperation: 5, feasibility: 4 };

describe('projects through the gateway (HTTP → NATS → projects, municipalities → PostgreSQL)', () => {
  let municipalities: TestService;
  let projects: TestService;
  let gateway: TestGateway;
  /** The administrator: only for what is the administrators' (the municipality import). */
  let send: Send;
  let asManager: Send;
  let asOfficer: Send;
  const ids: Record<string, string> = {};

  const draft = (patch: Record<string, unknown> = {}) => ({
    title: 'Niederlausitzhalle Senftenberg',
    summary: 'Energetische Sanierung der Stadthalle und ein neuer Kongresssaal.',
    description: '',
    workshop: 'culture-tourism-marketing',
    programmeCode: 'INVKG-BB',
    leadMunicipality: { municipalityId: ids['12066304'], costShareBasisPoints: 8000 },
    partners: [{ municipalityId: ids['12066112'], costShareBasisPoints: 2000 }],
    totalCostCents: 1_240_000_000,
    eligibleCostCents: 1_180_000_000,
    requestedFundingCents: 1_062_000_000,
    costPlan: [
      { year: 2026, amountCents: 590_000_000 },
      { year: 2027, amountCents: 590_000_000 },
    ],
    plannedStart: '2026-01-01',
    plannedEnd: '2027-12-31',
    indicators: [{ name: 'Arbeitsplätze geschaffen', unit: 'Anzahl', targetValue: 25 }],
    ...patch,
  });
  const create = async (patch: Record<string, unknown> = {}) => {
    const created = await asManager('POST', '/api/v1/projects', draft(patch));
    expect(created.status).toBe(201);
    return created.body as unknown as ProposalDto;
  };
  /** A step of the lifecycle, taken by whoever takes it: the funding officer in the review, the owner otherwise. */
  const step = (id: string, action: string, body: unknown = {}, headers: Record<string, string> = {}) =>
    (OFFICER_STEPS.has(action) ? asOfficer : asManager)(
      'POST',
      `/api/v1/projects/${id}/${action}`,
      body,
      headers,
    );

  beforeAll(async () => {
    municipalities = await startTestService(MunicipalitiesSettings, municipalitiesBlueprint);
    projects = await startTestService(ProjectsSettings, projectsBlueprint, {
      NATS_PREFIX: municipalities.topo.prefix,
    });
    gateway = await startTestGateway(municipalities.topo.prefix);
    send = gateway.send;
    asManager = gateway.sendAs(manager);
    asOfficer = gateway.sendAs(officer);
    await send('POST', '/api/v1/municipalities/import', demoCsv, { 'content-type': 'text/csv' });
    const listed = await send('GET', '/api/v1/municipalities?limit=100');
    for (const m of (listed.body as unknown as Page<MunicipalityDto>).items) ids[m.ags] = m.id;
    await jetstream(municipalities.topo.nc).publish(
      subjectOf(municipalities.topo.prefix, programmePublishedFixture.type),
      JSON.stringify(programmePublishedFixture),
    );
    await waitFor(
      async () =>
        (await projects.db.query(`SELECT 1 FROM projects.programme_read_model`)).length === 1 &&
        (await projects.db.query(`SELECT 1 FROM projects.municipality_read_model`)).length === 19,
      { what: 'the read models', timeoutMs: 15_000 },
    );
  }, 60_000);

  afterAll(async () => {
    await gateway.stop();
    await projects.dispose();
    await municipalities.dispose();
  });

  /** A valid body for each action, so that a refusal can only come from the state. */
  const actionBodies: Record<string, unknown> = {
    submit: {},
    'start-review': { reviewDueDate: '2026-03-31' },
    'request-revision': { comment: 'x', responseDueDate: '2026-04-30' },
    endorse: { reviewId: randomUUID() },
    reject: { reviewId: randomUUID(), comment: 'x' },
    withdraw: {},
    'start-implementation': { startedOn: '2026-02-01' },
    complete: { completedOn: '2027-12-31', finalCostCents: 1 },
  };
  /** What a person may do in each state, as the issue describes the lifecycle (approval comes from funding). */
  const allowedByState: Record<string, string[]> = {
    draft: ['submit', 'withdraw'],
    submitted: ['start-review', 'withdraw'],
    'in-review': ['request-revision', 'endorse', 'reject', 'withdraw'],
    'revision-requested': ['submit', 'withdraw'],
    endorsed: ['reject', 'withdraw'],
    approved: ['start-implementation'],
    'in-implementation': ['complete'],
    completed: [],
  };
  /** Every action not allowed in `state` answers 409 naming the state, and changes nothing. */
  const refusesAllButAllowed = async (id: string, state: string): Promise<void> => {
    for (const [action, body] of Object.entries(actionBodies)) {
      if (allowedByState[state].includes(action)) continue;
      const answer = await step(id, action, body);
      expect([state, action, answer.status, answer.body?.['currentState']]).toEqual([
        state,
        action,
        409,
        state,
      ]);
    }
    expect((await asManager('GET', `/api/v1/projects/${id}`)).body?.['status']).toBe(state);
  };

  it('runs the whole lifecycle through the API, approved by funding, with its history', async () => {
    const proposal = await create();
    expect(proposal).toMatchObject({ status: 'draft', leadMunicipality: { name: 'Senftenberg' } });
    const id = proposal.id;
    await refusesAllButAllowed(id, 'draft');
    expect((await step(id, 'submit')).body).toMatchObject({ status: 'submitted' });
    await refusesAllButAllowed(id, 'submitted');
    expect((await step(id, 'start-review', { reviewDueDate: '2026-03-31' })).status).toBe(200);
    await refusesAllButAllowed(id, 'in-review');
    const revise = await asOfficer('POST', `/api/v1/projects/${id}/reviews`, {
      votum: 'revise',
      scores,
      comment: 'Bitte aufschlüsseln.',
    });
    expect(revise.status).toBe(201);
    expect(revise.body).toMatchObject({ totalScore: 21, round: 1 });
    expect(
      (await step(id, 'request-revision', { comment: 'Aufschlüsseln.', responseDueDate: '2026-04-30' })).body,
    ).toMatchObject({ status: 'revision-requested' });
    await refusesAllButAllowed(id, 'revision-requested');
    expect(
      (await asManager('PATCH', `/api/v1/projects/${id}`, { description: 'Aufgeschlüsselt.' })).status,
    ).toBe(200);
    expect((await step(id, 'submit', { comment: 'Überarbeitet.' })).body).toMatchObject({
      status: 'submitted',
    });
    await step(id, 'start-review', { reviewDueDate: '2026-05-31' });
    const review = await asOfficer('POST', `/api/v1/projects/${id}/reviews`, {
      votum: 'endorse',
      scores,
      comment: 'Empfohlen.',
    });
    expect((await step(id, 'endorse', { reviewId: review.body?.['id'] })).body).toMatchObject({
      status: 'endorsed',
    });
    await refusesAllButAllowed(id, 'endorsed');
    await jetstream(projects.topo.nc).publish(
      subjectOf(municipalities.topo.prefix, 'funding.allocation.approved.v1'),
      JSON.stringify(
        buildCloudEvent({
          type: 'funding.allocation.approved.v1',
          subject: randomUUID(),
          correlationId: randomUUID(),
          data: {
            version: 2,
            proposal: {
              proposalId: id,
              title: proposal.title,
              leadMunicipalityId: ids['12066304'],
              partnerMunicipalityIds: [ids['12066112']],
            },
            programmeId: programmePublishedFixture.subject,
            programmeCode: 'INVKG-BB',
            amountCents: 1_062_000_000,
            approverUserIds: [officer.userId],
            amountByYear: [
              { year: 2026, amountCents: 531_000_000 },
              { year: 2027, amountCents: 531_000_000 },
            ],
            comment: null,
          },
        }),
      ),
    );
    await waitFor(
      async () => (await asManager('GET', `/api/v1/projects/${id}`)).body?.['status'] === 'approved',
      { what: 'approval' },
    );
    await refusesAllButAllowed(id, 'approved');
    expect((await step(id, 'start-implementation', { startedOn: '2026-02-01' })).status).toBe(200);
    await refusesAllButAllowed(id, 'in-implementation');
    expect((await step(id, 'complete', { completedOn: '2027-12-31', finalCostCents: 1 })).body).toMatchObject(
      {
        status: 'completed',
      },
    );
    await refusesAllButAllowed(id, 'completed');
    const history = await asManager('GET', `/api/v1/projects/${id}/history`);
    expect((history.body as unknown as { toStatus: string }[]).map((h) => h.toStatus)).toEqual([
      'submitted',
      'in-review',
      'revision-requested',
      'submitted',
      'in-review',
      'endorsed',
      'approved',
      'in-implementation',
      'completed',
    ]);
  });

  it('answers every forbidden transition with 409, the current state and the allowed next steps', async () => {
    const { id } = await create();
    const forbidden: [string, unknown][] = [
      ['start-review', { reviewDueDate: '2026-03-31' }],
      ['request-revision', { comment: 'x', responseDueDate: '2026-04-30' }],
      ['endorse', { reviewId: randomUUID() }],
      ['reject', { reviewId: randomUUID(), comment: 'x' }],
      ['start-implementation', { startedOn: '2026-02-01' }],
      ['complete', { completedOn: '2027-12-31', finalCostCents: 1 }],
    ];
    for (const [action, body] of forbidden) {
      const answer = await step(id, action, body);
      expect([action, answer.status]).toEqual([action, 409]);
      expect(answer.body).toMatchObject({
        code: 'project.transition-not-allowed',
        currentState: 'draft',
        allowedTransitions: ['submit', 'withdraw'],
      });
    }
    const english = await step(
      id,
      'complete',
      { completedOn: '2027-12-31', finalCostCents: 1 },
      {
        'accept-language': 'en',
      },
    );
    expect(english.body?.['detail']).toBe('A proposal that is draft cannot be completed.');
    expect((await step(id, 'withdraw')).body).toMatchObject({ status: 'withdrawn' });
    expect((await step(id, 'submit')).body).toMatchObject({
      currentState: 'withdrawn',
      allowedTransitions: [],
    });
  });

  it('refuses to submit against each rule, naming the field and the rule, in German and English', async () => {
    const { id } = await create({
      requestedFundingCents: 1_100_000_000,
      costPlan: [
        { year: 2039, amountCents: 590_000_000 },
        { year: 2027, amountCents: 590_000_001 },
      ],
    });
    const answer = await step(id, 'submit');
    expect(answer.status).toBe(422);
    expect(answer.body?.['code']).toBe('project.submit-rules-violated');
    expect(
      (answer.body?.['errors'] as { field: string; rule: string }[]).map((e) => `${e.field}:${e.rule}`),
    ).toEqual([
      'requestedFundingCents:maxFundingRate',
      'costPlan[0].year:insideFundingPeriod',
      'costPlan:sumsToEligibleCost',
    ]);
    const english = await step(id, 'submit', {}, { 'accept-language': 'en' });
    expect((english.body?.['errors'] as { message: string }[])[0]?.message).toContain('maximum funding rate');
    const unknownProgramme = await create({ programmeCode: 'STARK' });
    expect((await step(unknownProgramme.id, 'submit')).body?.['errors']).toEqual([
      expect.objectContaining({ field: 'programmeCode', rule: 'knownProgramme' }),
    ]);
    expect((await asManager('GET', `/api/v1/projects/${id}`)).body?.['status']).toBe('draft');
  });

  it('refuses hostile and inconsistent input with 4xx and writes nothing', async () => {
    const before = (await projects.outbox()).length;
    const bad = await asManager('POST', '/api/v1/projects', {
      ...draft(),
      title: '',
      workshop: 'mining',
      partners: [{ municipalityId: 'x', costShareBasisPoints: 10001 }],
      totalCostCents: 1.5,
      plannedStart: '2026-02-30',
      admin: true,
    });
    expect(bad.status).toBe(400);
    expect((bad.body?.['errors'] as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'admin',
      'partners[0].costShareBasisPoints',
      'partners[0].municipalityId',
      'plannedStart',
      'title',
      'totalCostCents',
      'workshop',
    ]);
    const shares = await asManager('POST', '/api/v1/projects', draft({ partners: [] }));
    expect(shares.status).toBe(422);
    expect(shares.body?.['errors']).toEqual([
      expect.objectContaining({ field: 'partners', rule: 'sharesSumTo10000' }),
    ]);
    expect((await asManager('POST', '/api/v1/projects', '{"__proto__": {"x": 1}}')).status).toBe(400);
    expect((await asManager('GET', '/api/v1/projects/not-a-uuid')).status).toBe(400);
    expect((await asManager('GET', `/api/v1/projects/${randomUUID()}`)).body?.['code']).toBe(
      'project.not-found',
    );
    expect(await projects.outbox()).toHaveLength(before);
  });

  it('creates once per Idempotency-Key and refuses the key with another body', async () => {
    const key = randomUUID();
    const first = await asManager('POST', '/api/v1/projects', draft({ title: 'Idempotent' }), {
      'idempotency-key': key,
    });
    const again = await asManager('POST', '/api/v1/projects', draft({ title: 'Idempotent' }), {
      'idempotency-key': key,
    });
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await asManager('POST', '/api/v1/projects', draft({ title: 'Anders' }), {
      'idempotency-key': key,
    });
    expect(other.status).toBe(422);
    const listed = await asManager('GET', '/api/v1/projects?q=Idempotent');
    expect((listed.body as unknown as Page<ProposalDto>).items).toHaveLength(1);
  });

  it('lists with filters', async () => {
    const list = async (query: string) =>
      ((await asOfficer('GET', `/api/v1/projects?${query}`)).body as unknown as Page<ProposalDto>).items;
    expect((await list('status=completed')).length).toBe(1);
    expect(
      (await list(`municipalityId=${ids['12066112']}&year=2027&programmeCode=INVKG-BB`)).length,
    ).toBeGreaterThan(0);
    expect(await list(`municipalityId=${ids['12071372']}`)).toEqual([]);
    expect((await asOfficer('GET', '/api/v1/projects?sort=owner')).status).toBe(400);
  });

  it('lets each role only take its own steps (403 from the gateway, nothing written)', async () => {
    const before = (await projects.outbox()).length;
    const { id } = await create({ title: 'Rollen' });
    const municipality = gateway.sendAs({
      userId: randomUUID(),
      role: 'municipality',
      municipalityId: ids['12066304'],
    });
    const forbidden: [Send, string, string, unknown][] = [
      [asOfficer, 'POST', '/api/v1/projects', draft()],
      [send, 'POST', '/api/v1/projects', draft()],
      [municipality, 'POST', '/api/v1/projects', draft()],
      [municipality, 'PATCH', `/api/v1/projects/${id}`, { title: 'x' }],
      [municipality, 'POST', `/api/v1/projects/${id}/submit`, {}],
      [asOfficer, 'POST', `/api/v1/projects/${id}/submit`, {}],
      [asManager, 'POST', `/api/v1/projects/${id}/start-review`, { reviewDueDate: '2026-03-31' }],
      [asManager, 'POST', `/api/v1/projects/${id}/reviews`, { votum: 'endorse', scores, comment: 'x' }],
      [asManager, 'POST', `/api/v1/projects/${id}/milestones`, { title: 'x', dueDate: '2026-06-30' }],
      [
        municipality,
        'POST',
        `/api/v1/projects/${id}/reports`,
        { kind: 'final', title: 'x', dueDate: '2028-06-30' },
      ],
    ];
    for (const [as, method, path, body] of forbidden) {
      const answer = await as(method, path, body);
      expect([method, path, answer.status]).toEqual([method, path, 403]);
    }
    expect(await projects.outbox()).toHaveLength(before + 1);
    expect((await municipality('GET', `/api/v1/projects/${id}`)).body).toMatchObject({ id, status: 'draft' });
  });

  it('shows a proposal to its lead and partner municipalities and to nobody else (404, not in the list)', async () => {
    // Lead Senftenberg, partner Großräschen; Spremberg takes no part.
    const { id } = await create({ title: 'Sichtbarkeit' });
    const accountOf = (ags: string): Send =>
      gateway.sendAs({ userId: randomUUID(), role: 'municipality', municipalityId: ids[ags] });
    const lead = accountOf('12066304');
    const partner = accountOf('12066112');
    const outsider = accountOf('12071372');
    const otherManager = gateway.sendAs({
      userId: randomUUID(),
      role: 'program_manager',
      municipalityId: null,
    });
    const listed = async (as: Send) => {
      const answer = await as('GET', '/api/v1/projects?limit=100');
      expect(answer.status).toBe(200);
      return (answer.body as unknown as Page<ProposalDto>).items.map((p) => p.id);
    };
    const reads = ['', '/history', '/reviews', '/milestones', '/reports'].map(
      (tail) => `/api/v1/projects/${id}${tail}`,
    );

    for (const as of [lead, partner, asManager, asOfficer, send]) {
      expect(await listed(as)).toContain(id);
      for (const path of reads) expect([path, (await as('GET', path)).status]).toEqual([path, 200]);
    }
    for (const as of [outsider, otherManager]) {
      expect(await listed(as)).not.toContain(id);
      for (const path of reads) {
        const answer = await as('GET', path);
        expect([path, answer.status, answer.body?.['code']]).toEqual([path, 404, 'project.not-found']);
      }
    }
    // What Spremberg and Großräschen see of the whole list: only proposals they lead or take part in.
    for (const [ags, as] of [
      ['12071372', outsider],
      ['12066112', partner],
    ] as const) {
      for (const proposalId of await listed(as)) {
        const proposal = (await asOfficer('GET', `/api/v1/projects/${proposalId}`))
          .body as unknown as ProposalDto;
        expect([proposal.leadMunicipality, ...proposal.partners].map((m) => m.municipalityId)).toContain(
          ids[ags],
        );
      }
    }
    // Another program manager cannot act on it either: 404 as if it did not exist, nothing changes.
    expect((await otherManager('PATCH', `/api/v1/projects/${id}`, { title: 'Übernommen' })).status).toBe(404);
    expect((await otherManager('POST', `/api/v1/projects/${id}/withdraw`, {})).status).toBe(404);
    expect((await asManager('GET', `/api/v1/projects/${id}`)).body).toMatchObject({
      title: 'Sichtbarkeit',
      status: 'draft',
    });
  });
});
