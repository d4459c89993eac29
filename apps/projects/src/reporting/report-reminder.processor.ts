import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ReportDueSoonEvent, ReportOverdueEvent } from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { serializeError, type JsonLogger } from '@wandelwerk/observability';
import { APP_LOGGER, BackgroundJobs } from '@wandelwerk/platform';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { refOf } from '../proposals/proposal.record.js';
import { ProposalsService } from '../proposals/proposals.service.js';
import { ReminderClock } from './reminder-clock.js';
import { daysOverdue, daysRemaining } from './report-deadlines.js';
import {
  RECONCILE_JOB,
  REMINDER_QUEUE,
  ReportReminders,
  type ReminderJobData,
  type ReminderKind,
} from './report-reminders.service.js';
import { REPORT_COLUMNS, type ReportObligationRow } from './reporting.record.js';

const HOUR_MS = 3_600_000;

export type ReminderOutcome = 'sent' | 'stale' | 'already-sent' | 'too-late' | `reconciled ${number}`;

/**
 * Runs the reminder jobs. Each job checks the obligation again in its own transaction (row lock): a filed report, a
 * moved due date or a reminder already sent make it do nothing, so a stale or repeated job never writes a second
 * event. The event goes through the outbox with the column that records it.
 */
@Injectable()
export class ReportReminderProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: BackgroundJobs,
    private readonly reminders: ReportReminders,
    private readonly proposals: ProposalsService,
    private readonly outbox: OutboxPublisher,
    private readonly clock: ReminderClock,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_LOGGER) private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.worker<ReminderJobData, ReminderOutcome>(REMINDER_QUEUE, (job) => this.process(job));
    // Not awaited: with Redis away the service must still start (and say it is not ready) instead of hanging here;
    // the commands go through once Redis is back.
    void this.setUpSchedule();
    // A Redis that comes back empty has lost the hourly reconciliation and every pending reminder.
    this.jobs.onRedisDataLost('report reminders', () => this.scheduleAndReconcile());
  }

  private async setUpSchedule(): Promise<void> {
    try {
      await this.scheduleAndReconcile();
    } catch (error) {
      this.logger.write('warn', 'report reminders not reconciled at start', { err: serializeError(error) });
    }
  }

  private async scheduleAndReconcile(): Promise<void> {
    await this.reminders.queue.upsertJobScheduler(
      'reconcile-report-reminders',
      { every: HOUR_MS },
      { name: RECONCILE_JOB, data: {} },
    );
    await this.reminders.reconcile();
  }

  process(job: Pick<Job<ReminderJobData>, 'name' | 'data'>): Promise<ReminderOutcome> {
    if (job.name === RECONCILE_JOB)
      return this.reminders.reconcile().then((count): ReminderOutcome => `reconciled ${count}`);
    const { obligationId, dueDate } = job.data;
    if (!obligationId || !dueDate) return Promise.resolve('stale');
    return this.remind(job.name as ReminderKind, obligationId, dueDate);
  }

  private remind(kind: ReminderKind, obligationId: string, dueDate: string): Promise<ReminderOutcome> {
    return this.dataSource.transaction(async (manager): Promise<ReminderOutcome> => {
      const [row] = await manager.query<ReportObligationRow[]>(
        `SELECT ${REPORT_COLUMNS} FROM projects.report_obligation WHERE id = $1 FOR UPDATE`,
        [obligationId],
      );
      if (!row || row.filed_at || row.due_date !== dueDate) return 'stale';
      const now = this.clock.now();
      const proposal = await this.proposals.load(manager, row.proposal_id);
      const common = { proposal: refOf(proposal), kind: row.kind, dueDate: row.due_date };
      if (kind === 'due-soon') {
        if (row.reminded_at) return 'already-sent';
        // After the due day the overdue notice says it all.
        if (now >= row.overdue_at) return 'too-late';
        await manager.query(`UPDATE projects.report_obligation SET reminded_at = $2 WHERE id = $1`, [
          row.id,
          now,
        ]);
        await this.outbox.publish(manager, {
          type: ReportDueSoonEvent.type,
          subject: row.id,
          data: { ...common, daysRemaining: Math.min(365, daysRemaining(row.due_date, now)) },
        });
        return 'sent';
      }
      if (row.overdue_notified_at) return 'already-sent';
      await manager.query(`UPDATE projects.report_obligation SET overdue_notified_at = $2 WHERE id = $1`, [
        row.id,
        now,
      ]);
      await this.outbox.publish(manager, {
        type: ReportOverdueEvent.type,
        subject: row.id,
        data: { ...common, daysOverdue: Math.min(3650, daysOverdue(row.due_date, now)) },
      });
      return 'sent';
    });
  }
}
