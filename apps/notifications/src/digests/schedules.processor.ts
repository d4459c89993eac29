import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { serializeError, type JsonLogger } from '@wandelwerk/observability';
import { APP_LOGGER, BackgroundJobs, SETTINGS, type CorrelatedJobData } from '@wandelwerk/platform';
import type { NotificationsSettings } from '../config/notifications.settings.js';
import { ReviewWaitReminder } from '../reminders/review-wait.service.js';
import { DigestsService } from './digests.service.js';

export const SCHEDULE_QUEUE = 'notification-schedules';
const JOBS = ['digests', 'review-wait'] as const;

/**
 * The periodic jobs: digests and the review-wait reminder, each a BullMQ job scheduler (one per queue, however many
 * replicas upsert it), running every SCHEDULER_INTERVAL_MS. Each run decides from the database what is due, so a
 * missed or repeated run sends nothing twice.
 */
@Injectable()
export class SchedulesProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: BackgroundJobs,
    private readonly digests: DigestsService,
    private readonly reviewWait: ReviewWaitReminder,
    @Inject(SETTINGS) private readonly settings: NotificationsSettings,
    @Inject(APP_LOGGER) private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.worker<CorrelatedJobData, number>(SCHEDULE_QUEUE, (job) =>
      job.name === 'digests' ? this.digests.run(new Date()) : this.reviewWait.run(new Date()),
    );
    // Not awaited: with Redis away the service must still start (and say it is not ready) instead of hanging here;
    // the commands go through once Redis is back.
    this.setUpSchedules().catch((error: unknown) =>
      this.logger.write('warn', 'notification schedules not set up', { err: serializeError(error) }),
    );
    // The schedulers live in Redis only: one that comes back empty gets them again (BackgroundJobs retries on failure).
    this.jobs.onRedisDataLost('notification schedules', () => this.setUpSchedules());
  }

  private async setUpSchedules(): Promise<void> {
    for (const name of JOBS)
      await this.jobs
        .queue<CorrelatedJobData>(SCHEDULE_QUEUE)
        .upsertJobScheduler(name, { every: this.settings.SCHEDULER_INTERVAL_MS }, { name, data: {} });
  }
}
