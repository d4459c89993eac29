import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  MUNICIPALITIES,
  type ActorDto,
  type ProposalDto,
  type ReportObligationDto,
} from '@wandelwerk/contracts';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { startTestGateway, type Send, type TestGateway } from './support/gateway.js';
import { randomUUID } from 'node:crypto';
import { ProjectsSettings, projectsBlueprint } from '@wandelwerk/projects/blueprint';

/** The program manager who owns the project and files its reports; the funding officer who schedules them. */
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
const { senftenberg, finsterwalde } = MUNICIPALITIES;

describe('milestones and reports through the gateway (HTTP → NATS → projects → PostgreSQL, Redis)', () => {
  let projects: TestService;
  let gateway: TestGateway;
  let asManager: Send;
  let asOfficer: Send;

  const approvedProposal = async (): Promise<ProposalDto> => {
    const created = await asManager('POST', '/api/v1/projects', {
      title: 'Niederlausitzhalle Senftenberg',
      summary: 'Energetische Sanierung der Stadthalle.',
      description: '',
      workshop: 'culture-tourism-marketing',
      programmeCode: 'INVKG-BB',
      leadMunicipality: { municipalityId: senftenberg.municipalityId, costShareBasisPoints: 10000 },
      partners: [],
      totalCostCents: 1_000_000,
      eligibleCostCents: 1_000_000,
      requestedFundingCents: 900_000,
      costPlan: [{ year: 2026, amountCents: 1_000_000 }],
      plannedStart: '2026-01-01',
      plannedEnd: '2027-12-31',
      indicators: [{ name: 'Sanierte Fläche', unit: 'm²', targetValue: 4200 }],
    });
    expect(created.status).toBe(201);
    const proposal = created.body as unknown as ProposalDto;
    // The approval itself comes from funding (see projects-lifecycle.e2e.spec.ts); here it is given directly.
    await projects.db.query(`UPDATE projects.proposal SET status = 'approved' WHERE id = $1`, [proposal.id]);
    return proposal;
  };

  beforeAll(async () => {
    projects = await startTestService(ProjectsSettings, projectsBlueprint);
    await projects.db.query(
      `INSERT INTO projects.municipality_read_model (id, ags, name, active, version) VALUES ($1, $2, $3, true, 1)`,
      [senftenberg.municipalityId, senftenberg.ags, senftenberg.name],
    );
    gateway = await startTestGateway(projects.topo.prefix);
    asManager = gateway.sendAs(manager);
    asOfficer = gateway.sendAs(officer);
  }, 60_000);

  afterAll(async () => {
    await gateway.stop();
    await projects.dispose();
  });

  it('schedules milestones and reports, lists them, files a report once (409 the second time)', async () => {
    const { id } = await approvedProposal();
    const milestone = await asOfficer(
      'POST',
      `/api/v1/projects/${id}/milestones`,
      { title: 'Baubeginn', dueDate: '2026-06-30', description: 'Erster Spatenstich' },
      { 'idempotency-key': randomUUID() },
    );
    expect(milestone.status).toBe(201);
    const moved = await asOfficer(
      'PATCH',
      `/api/v1/projects/${id}/milestones/${String(milestone.body?.['id'])}`,
      { dueDate: '2026-07-31' },
    );
    expect(moved.body).toMatchObject({ dueDate: '2026-07-31' });
    expect((await asManager('GET', `/api/v1/projects/${id}/milestones`)).body).toEqual([moved.body]);

    const key = randomUUID();
    const body = { kind: 'final', title: 'Verwendungsnachweis', dueDate: '2028-06-30' };
    const scheduled = await asOfficer('POST', `/api/v1/projects/${id}/reports`, body, {
      'idempotency-key': key,
    });
    expect(scheduled.status).toBe(201);
    const again = await asOfficer('POST', `/api/v1/projects/${id}/reports`, body, {
      'idempotency-key': key,
    });
    expect(again.body).toEqual(scheduled.body);
    const report = scheduled.body as unknown as ReportObligationDto;
    expect(report).toMatchObject({
      status: 'open',
      periodStart: '2026-01-01',
      periodEnd: '2027-12-31',
      overdueAt: '2028-06-30T22:00:00.000Z',
    });
    const listed = await asManager('GET', `/api/v1/projects/${id}/reports`);
    expect(listed.body).toEqual([report]);

    const filing = { summary: 'Alles umgesetzt.', figures: [{ name: 'Sanierte Fläche', value: 4200 }] };
    // Filing is the owner's: the funding officer who scheduled it may not (403 at the gateway).
    expect((await asOfficer('POST', `/api/v1/projects/${id}/reports/${report.id}/file`, filing)).status).toBe(
      403,
    );
    const filed = await asManager('POST', `/api/v1/projects/${id}/reports/${report.id}/file`, filing);
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ status: 'filed', late: false, figures: filing.figures });
    const twice = await asManager('POST', `/api/v1/projects/${id}/reports/${report.id}/file`, filing, {
      'accept-language': 'en',
    });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'project.report-already-filed', currentState: 'filed' });
    expect(String(twice.body?.['detail'])).toMatch(/^This report was already filed/);
    expect(await projects.outbox('projects.report.filed.v1')).toHaveLength(1);
  });

  it('answers 409 with the current state for an obligation on a proposal that is not approved', async () => {
    const draft = await approvedProposal();
    await projects.db.query(`UPDATE projects.proposal SET status = 'draft' WHERE id = $1`, [draft.id]);
    const refused = await asOfficer('POST', `/api/v1/projects/${draft.id}/reports`, {
      kind: 'interim',
      title: 'Zwischennachweis',
      dueDate: '2026-12-31',
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'project.not-approved', currentState: 'draft' });
    expect((await asOfficer('POST', `/api/v1/projects/${draft.id}/reports`, { kind: 'x' })).status).toBe(400);
    expect((await asManager('GET', `/api/v1/projects/${randomUUID()}/reports`)).status).toBe(404);
  });

  it('shows milestones and reports only to those who see the project; others get 404, also when filing', async () => {
    const { id } = await approvedProposal();
    const report = (
      await asOfficer('POST', `/api/v1/projects/${id}/reports`, {
        kind: 'interim',
        title: 'Zwischennachweis',
        dueDate: '2026-12-31',
      })
    ).body as unknown as ReportObligationDto;
    const municipality = (municipalityId: string): Send =>
      gateway.sendAs({ userId: randomUUID(), role: 'municipality', municipalityId });
    const otherManager = gateway.sendAs({
      userId: randomUUID(),
      role: 'program_manager',
      municipalityId: null,
    });

    expect(
      (await municipality(senftenberg.municipalityId)('GET', `/api/v1/projects/${id}/reports`)).body,
    ).toEqual([report]);
    for (const as of [municipality(finsterwalde.municipalityId), otherManager])
      for (const tail of ['milestones', 'reports']) {
        const answer = await as('GET', `/api/v1/projects/${id}/${tail}`);
        expect([tail, answer.status, answer.body?.['code']]).toEqual([tail, 404, 'project.not-found']);
      }
    const filing = await otherManager('POST', `/api/v1/projects/${id}/reports/${report.id}/file`, {
      summary: 'Fremd.',
    });
    expect(filing.status).toBe(404);
    expect((await asManager('GET', `/api/v1/projects/${id}/reports`)).body).toEqual([report]);
  });
});
