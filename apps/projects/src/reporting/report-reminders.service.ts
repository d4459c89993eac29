import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { serializeError, type JsonLogger } from '@wandelwerk/observability';
import {
  APP_LOGGER,
  BackgroundJobs,
  correlationForJob,
  SETTINGS,
  type CorrelatedJobData,
} from '@wandelwerk/platform';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import type { ProjectsSettings } from '../config/projects.settings.js';
import { ReminderClock } from './reminder-clock.js';
import { delayUntil, dueSoonAt, overdueAt } from './report-deadlines.js';

export const REMINDER_QUEUE = 'project-report-reminders';
export const REMINDER_KINDS = ['due-soon', 'overdue'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];
/** The name of the periodic job that re-creates missing reminders. */
export const RECONCILE_JOB = 'reconcile';

export interface ReminderJobData extends CorrelatedJobData {
  obligationId?: string;
  /** The due date the job was scheduled for; a job for another due date is stale and does nothing. */
  dueDate?: string;
}

/** Deterministic, so that scheduling twice keeps one job (BullMQ job ids may not contain `:`). */
export const reminderJobId = (kind: ReminderKind, obligationId: string): string =>
  `report-${kind}-${obligationId}`;

const DAY_S = 86_400;

/**
 * The BullMQ delayed jobs of the reporting obligations: one for the due-soon reminder and one for the overdue notice
 * per open obligation. Called after the database commit; if the service dies in between, `reconcile` (at start and
 * every hour) re-creates what is missing, and the processor checks the obligation again before it writes anything.
 */
@Injectable()
export class ReportReminders {
  constructor(
    private readonly jobs: BackgroundJobs,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SETTINGS) private readonly settings: ProjectsSettings,
    @Inject(APP_LOGGER) private readonly logger: JsonLogger,
    private readonly clock: ReminderClock,
  ) {}

  get queue(): Queue<ReminderJobData> {
    return this.jobs.queue<ReminderJobData>(REMINDER_QUEUE);
  }

  /** When a reminder of an obligation with this due date goes out, in UTC. */
  fireAt(kind: ReminderKind, dueDate: string): Date {
    return kind === 'due-soon' ? dueSoonAt(dueDate, this.settings.REPORT_DUE_SOON_DAYS) : overdueAt(dueDate);
  }

  /** (Re)places both jobs of an obligation: remove and add again under the same id. Never throws. */
  async schedule(obligationId: string, dueDate: string): Promise<void> {
    try {
      for (const kind of REMINDER_KINDS) {
        await this.remove(reminderJobId(kind, obligationId));
        await this.add(kind, obligationId, dueDate);
      }
    } catch (error) {
      this.logger.write('warn', 'report reminders not scheduled; the reconciliation will', {
        obligationId,
        err: serializeError(error),
      });
    }
  }

  /** Removes both jobs of an obligation (its report was filed). Never throws. */
  async cancel(obligationId: string): Promise<void> {
    try {
      for (const kind of REMINDER_KINDS) await this.remove(reminderJobId(kind, obligationId));
    } catch (error) {
      this.logger.write('warn', 'report reminders not removed; they will find the report filed', {
        obligationId,
        err: serializeError(error),
      });
    }
  }

  /** Re-creates the jobs missing (or left for an older due date) of every obligation still waiting for one. */
  async reconcile(): Promise<number> {
    const rows = await this.dataSource.query<
      { id: string; due_date: string; reminded: boolean; overdue_notified: boolean }[]
    >(
      `SELECT id, to_char(due_date, 'YYYY-MM-DD') AS due_date, reminded_at IS NOT NULL AS reminded,
         overdue_notified_at IS NOT NULL AS overdue_notified
       FROM projects.report_obligation WHERE filed_at IS NULL AND overdue_notified_at IS NULL`,
    );
    let repaired = 0;
    for (const row of rows) {
      for (const kind of REMINDER_KINDS) {
        if (kind === 'due-soon' && row.reminded) continue;
        const job = await this.queue.getJob(reminderJobId(kind, row.id));
        if (job && job.data.dueDate === row.due_date) continue;
        if (job) await this.remove(reminderJobId(kind, row.id));
        await this.add(kind, row.id, row.due_date);
        repaired += 1;
      }
    }
    if (repaired > 0) this.logger.write('info', 'report reminders re-created', { count: repaired });
    return repaired;
  }

  private async add(kind: ReminderKind, obligationId: string, dueDate: string): Promise<void> {
    await this.queue.add(
      kind,
      { correlation: correlationForJob(), obligationId, dueDate },
      {
        jobId: reminderJobId(kind, obligationId),
        delay: delayUntil(this.fireAt(kind, dueDate), this.clock.now()),
        attempts: 8,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: { age: 90 * DAY_S },
        removeOnFail: { age: 90 * DAY_S },
      },
    );
  }

  private async remove(jobId: string): Promise<void> {
    try {
      await this.queue.remove(jobId);
    } catch (error) {
      // Running right now (locked): it re-checks the obligation in its transaction and finds it changed.
      this.logger.write('info', 'report reminder busy; left to find its obligation changed', {
        jobId,
        err: serializeError(error),
      });
    }
  }
}
