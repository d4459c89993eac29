import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  MUNICIPALITIES,
  PROJECTS_RPC,
  REPORTING_RPC,
  type CreateProposalDto,
  type MilestoneDto,
  type ProposalDto,
  type ReportObligationDto,
} from '@wandelwerk/contracts';
import { createServiceApp, SETTINGS, type ServiceApp } from '@wandelwerk/platform';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { waitFor } from '@wandelwerk/testing';
import { ProjectsSettings } from '../config/projects.settings.js';
import { projectsBlueprint } from '../projects.blueprint.js';
import { ReminderClock } from './reminder-clock.js';
import { addDays, berlinDate, dueSoonAt, overdueAt } from './report-deadlines.js';
import { ReportReminderProcessor } from './report-reminder.processor.js';
import { reminderJobId, ReportReminders } from './report-reminders.service.js';

const manager = { userId: '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f71', role: 'program_manager' as const };
const officer = { userId: '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f72', role: 'funding_officer' as const };
const { senftenberg } = MUNICIPALITIES;
const LEAD_DAYS = 10;

const draft: CreateProposalDto = {
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
};

/** Reporting obligations with real BullMQ delayed jobs on Redis, PostgreSQL and the outbox. */
describe('reporting obligations and their reminder jobs', () => {
  let t: TestService;
  let restarted: ServiceApp | undefined;
  const call = <T>(pattern: string, payload: unknown): Promise<T> => t.rpc.request<T>(pattern, payload);
  const app = () => restarted?.app ?? t.service.app;
  const clock = () => app().get(ReminderClock);
  const queue = () => app().get(ReportReminders).queue;
  const dueDate = addDays(berlinDate(new Date()), 30);
  const eventsOf = async (type: string, subject: string) =>
    (await t.outbox(type)).filter((event) => event.subject === subject);
  const expectProblem = (promise: Promise<unknown>, status: number, code: string) =>
    expect(promise).rejects.toMatchObject({ status, response: expect.objectContaining({ code }) });

  /** Shifts the service's clock so that `instant` is `inMs` away: the job's BullMQ delay becomes that short. */
  const fireIn = (instant: Date, inMs: number) => {
    clock().offsetMs = instant.getTime() - Date.now() - inMs;
  };

  const approvedProposal = async (): Promise<string> => {
    const created = await call<ProposalDto>(PROJECTS_RPC.create, { actor: manager, data: draft });
    await t.db.query(`UPDATE projects.proposal SET status = 'approved' WHERE id = $1`, [created.id]);
    return created.id;
  };
  const schedule = (id: string, due = dueDate) =>
    call<ReportObligationDto>(REPORTING_RPC.scheduleReport, {
      actor: officer,
      id,
      data: { kind: 'interim', title: 'Zwischennachweis 2026', dueDate: due },
    });

  beforeAll(async () => {
    t = await startTestService(ProjectsSettings, projectsBlueprint, {
      REPORT_DUE_SOON_DAYS: String(LEAD_DAYS),
    });
    await t.db.query(
      `INSERT INTO projects.municipality_read_model (id, ags, name, active, version) VALUES ($1, $2, $3, true, 1)`,
      [senftenberg.municipalityId, senftenberg.ags, senftenberg.name],
    );
  }, 30_000);

  afterAll(async () => {
    await restarted?.stop();
    await t.dispose();
  });

  it('schedules milestones and obligations of approved projects only, for funding officers', async () => {
    const id = await approvedProposal();
    const milestone = await call<MilestoneDto>(REPORTING_RPC.scheduleMilestone, {
      actor: officer,
      id,
      data: { title: 'Baubeginn', dueDate: '2026-06-30', description: 'Erster Spatenstich' },
    });
    const moved = await call<MilestoneDto>(REPORTING_RPC.rescheduleMilestone, {
      actor: officer,
      id,
      itemId: milestone.id,
      data: { dueDate: '2026-07-31' },
    });
    expect(moved).toMatchObject({ dueDate: '2026-07-31', title: 'Baubeginn' });
    expect(await call(REPORTING_RPC.listMilestones, { actor: officer, id })).toEqual([moved]);
    expect((await eventsOf('projects.milestone.scheduled.v1', milestone.id)).map((e) => e.data)).toEqual([
      expect.objectContaining({ dueDate: '2026-06-30' }),
      expect.objectContaining({
        dueDate: '2026-07-31',
        proposal: expect.objectContaining({ proposalId: id }),
      }),
    ]);

    await expectProblem(
      call(REPORTING_RPC.scheduleReport, {
        actor: manager,
        id,
        data: { kind: 'final', title: 'Verwendungsnachweis', dueDate },
      }),
      403,
      'project.forbidden',
    );
    const drafted = await call<ProposalDto>(PROJECTS_RPC.create, { actor: manager, data: draft });
    const error = await schedule(drafted.id).catch((e: { status: number; response: unknown }) => e);
    expect(error).toMatchObject({
      status: 409,
      response: expect.objectContaining({ code: 'project.not-approved', currentState: 'draft' }),
    });
    await expectProblem(
      call(REPORTING_RPC.scheduleReport, {
        actor: officer,
        id,
        data: { kind: 'annual', title: 'x', dueDate },
      }),
      400,
      'validation-failed',
    );
  });

  it('fires the due-soon reminder from a real delayed job, once, even when the job runs again', async () => {
    const id = await approvedProposal();
    fireIn(dueSoonAt(dueDate, LEAD_DAYS), 1_500);
    const report = await schedule(id);
    expect(report).toMatchObject({ status: 'open', dueSoonAt: dueSoonAt(dueDate, LEAD_DAYS).toISOString() });
    const job = await queue().getJob(reminderJobId('due-soon', report.id));
    expect(await job?.getState()).toBe('delayed');
    expect(job?.opts.delay).toBeGreaterThan(1_000);

    const [event] = await waitFor(
      async () => {
        const events = await eventsOf('projects.report.due-soon.v1', report.id);
        return events.length > 0 ? events : null;
      },
      { what: 'the due-soon event', timeoutMs: 10_000 },
    );
    expect(event?.data).toMatchObject({ kind: 'interim', dueDate, daysRemaining: LEAD_DAYS });

    // The same job again, through BullMQ and directly: no second event.
    const done = await queue().getJob(reminderJobId('due-soon', report.id));
    await waitFor(async () => (await done?.getState()) === 'completed', { what: 'job completed' });
    await done!.retry('completed');
    await waitFor(async () => (await done?.getState()) === 'completed', { what: 'job completed again' });
    const processor = app().get(ReportReminderProcessor);
    const again = { name: 'due-soon', data: { obligationId: report.id, dueDate } };
    expect(await Promise.all([processor.process(again), processor.process(again)])).toEqual([
      'already-sent',
      'already-sent',
    ]);
    expect(await eventsOf('projects.report.due-soon.v1', report.id)).toHaveLength(1);
    const [row] = await t.db.query<{ reminded_at: Date | null }>(
      `SELECT reminded_at FROM projects.report_obligation WHERE id = $1`,
      [report.id],
    );
    expect(row?.reminded_at).not.toBeNull();
  }, 20_000);

  it('moves the jobs with the due date', async () => {
    const id = await approvedProposal();
    fireIn(dueSoonAt(dueDate, LEAD_DAYS), 1_500);
    const report = await schedule(id);
    const later = addDays(dueDate, 20);
    const moved = await call<ReportObligationDto>(REPORTING_RPC.rescheduleReport, {
      actor: officer,
      id,
      itemId: report.id,
      data: { dueDate: later },
    });
    expect(moved).toMatchObject({ dueDate: later, overdueAt: overdueAt(later).toISOString() });
    const job = await queue().getJob(reminderJobId('due-soon', report.id));
    expect(job?.data.dueDate).toBe(later);
    expect(await job?.getState()).toBe('delayed');
    expect(job?.opts.delay).toBeGreaterThan(19 * 86_400_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await eventsOf('projects.report.due-soon.v1', report.id)).toHaveLength(0);
    expect((await eventsOf('projects.report.scheduled.v1', report.id)).map((e) => e.data)).toEqual([
      expect.objectContaining({ dueDate }),
      expect.objectContaining({ dueDate: later }),
    ]);
    // A job left for the old due date (a crash between commit and Redis) does nothing.
    const processor = app().get(ReportReminderProcessor);
    expect(await processor.process({ name: 'due-soon', data: { obligationId: report.id, dueDate } })).toBe(
      'stale',
    );
  }, 20_000);

  it('cancels the jobs when the report is filed; filing twice is 409', async () => {
    const id = await approvedProposal();
    fireIn(dueSoonAt(dueDate, LEAD_DAYS), 1_500);
    const report = await schedule(id);
    const filed = await call<ReportObligationDto>(REPORTING_RPC.fileReport, {
      actor: manager,
      id,
      itemId: report.id,
      data: { summary: 'Rohbau fertig.', figures: [{ name: 'Sanierte Fläche', value: 1200 }] },
    });
    expect(filed).toMatchObject({ status: 'filed', filedByUserId: manager.userId, late: false });
    expect(await queue().getJob(reminderJobId('due-soon', report.id))).toBeUndefined();
    expect(await queue().getJob(reminderJobId('overdue', report.id))).toBeUndefined();
    await expectProblem(
      call(REPORTING_RPC.fileReport, {
        actor: manager,
        id,
        itemId: report.id,
        data: { summary: 'Nochmal.' },
      }),
      409,
      'project.report-already-filed',
    );
    await expectProblem(
      call(REPORTING_RPC.fileReport, { actor: officer, id, itemId: report.id, data: { summary: 'x' } }),
      403,
      'project.forbidden',
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await eventsOf('projects.report.due-soon.v1', report.id)).toHaveLength(0);
    expect(await eventsOf('projects.report.filed.v1', report.id)).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ late: false, spentToDateCents: 0 }) }),
    ]);
  }, 20_000);

  it('sends the overdue notice at the end of the due day in Berlin, once', async () => {
    const id = await approvedProposal();
    fireIn(overdueAt(dueDate), 1_500);
    const report = await schedule(id);
    await waitFor(async () => (await eventsOf('projects.report.overdue.v1', report.id)).length === 1, {
      what: 'the overdue event',
    });
    expect((await eventsOf('projects.report.overdue.v1', report.id))[0]?.data).toMatchObject({
      daysOverdue: 1,
    });
    expect(await eventsOf('projects.report.due-soon.v1', report.id)).toHaveLength(1);
  }, 20_000);

  it('keeps pending jobs over a restart and re-creates lost ones', async () => {
    const id = await approvedProposal();
    fireIn(dueSoonAt(dueDate, LEAD_DAYS), 4_000);
    const pending = await schedule(id);
    clock().offsetMs = 0;
    const lost = await schedule(id);
    // As if the service had died between the commit and the Redis call.
    await queue().remove(reminderJobId('due-soon', lost.id));
    await queue().remove(reminderJobId('overdue', lost.id));

    const settings = t.service.app.get<ProjectsSettings>(SETTINGS);
    await t.service.stop();
    restarted = await createServiceApp(projectsBlueprint(settings));
    await restarted.start();

    await waitFor(async () => (await eventsOf('projects.report.due-soon.v1', pending.id)).length === 1, {
      what: 'the pending job after the restart',
      timeoutMs: 15_000,
    });
    expect(await queue().getJob(reminderJobId('due-soon', lost.id))).toMatchObject({ data: { dueDate } });
    expect(await (await queue().getJob(reminderJobId('overdue', lost.id)))?.getState()).toBe('delayed');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await eventsOf('projects.report.due-soon.v1', pending.id)).toHaveLength(1);
    expect(await eventsOf('projects.report.due-soon.v1', lost.id)).toHaveLength(0);
  }, 30_000);
});
