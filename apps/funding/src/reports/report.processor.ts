import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { serializeError, type JsonLogger } from '@wandelwerk/observability';
import { APP_LOGGER, BackgroundJobs } from '@wandelwerk/platform';
import type { Job } from 'bullmq';
import { GENERATE_JOB, REPORT_QUEUE, ReportsService, type ReportJobData } from './reports.service.js';

/** The monthly schedule: 03:00 on the first of every month, Berlin time (summer and winter). */
export const MONTHLY_SCHEDULER_ID = 'funding-reports-monthly';
export const MONTHLY_JOB = 'monthly';
export const MONTHLY_PATTERN = '0 3 1 * *';
export const REPORT_TIME_ZONE = 'Europe/Berlin';

/** `YYYY-MM` of the month before the one `now` falls in, in Berlin. */
export function monthBefore(now: Date, timeZone = REPORT_TIME_ZONE): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(now);
  const year = Number(parts.find((p) => p.type === 'year')?.value);
  const month = Number(parts.find((p) => p.type === 'month')?.value);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/**
 * Runs the report jobs (one at a time per instance: a report keeps a core busy) and keeps the monthly schedule. The
 * schedule is a BullMQ job scheduler with a fixed id, so every replica upserting it at start leaves one schedule;
 * each tick creates the month's reports (idempotent per kind and month) and queues their generation.
 */
@Injectable()
export class ReportProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: BackgroundJobs,
    private readonly reports: ReportsService,
    @Inject(APP_LOGGER) private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.worker<ReportJobData, string>(REPORT_QUEUE, (job) => this.process(job), { concurrency: 1 });
    // Not awaited: with Redis away the service must still start (and say it is not ready) instead of hanging here;
    // the commands go through once Redis is back.
    void this.setUpSchedule();
    // A Redis that comes back empty has lost the monthly schedule and the jobs of queued reports.
    this.jobs.onRedisDataLost('report schedule and queued reports', () => this.scheduleAndReconcile());
  }

  private async setUpSchedule(): Promise<void> {
    try {
      await this.scheduleAndReconcile();
    } catch (error) {
      this.logger.write('warn', 'report schedule not set up at start', { err: serializeError(error) });
    }
  }

  private async scheduleAndReconcile(): Promise<void> {
    await this.reports.queue.upsertJobScheduler(
      MONTHLY_SCHEDULER_ID,
      { pattern: MONTHLY_PATTERN, tz: REPORT_TIME_ZONE },
      {
        name: MONTHLY_JOB,
        data: {},
        opts: { attempts: 5, backoff: { type: 'exponential', delay: 60_000 } },
      },
    );
    await this.reports.reconcile();
  }

  async process(
    job: Pick<Job<ReportJobData>, 'name' | 'data' | 'attemptsMade' | 'opts' | 'updateProgress'>,
    now = new Date(),
  ): Promise<string> {
    if (job.name === MONTHLY_JOB) {
      const ids = await this.reports.createMonthly(monthBefore(now));
      return `monthly ${ids.length}`;
    }
    if (job.name === GENERATE_JOB && job.data.reportId) return this.reports.generate(job.data.reportId, job);
    return 'ignored';
  }
}
