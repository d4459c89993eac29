import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { serializeError, type JsonLogger } from '@wandelwerk/observability';
import { APP_LOGGER, BackgroundJobs, SETTINGS } from '@wandelwerk/platform';
import { DataSource } from 'typeorm';
import type { NotificationsSettings } from '../config/notifications.settings.js';
import { DELIVERY_QUEUE, deliveryJobId, type DeliveryJobData } from './delivery-queue.js';

const DAY_S = 86_400;

/**
 * Puts committed `pending` deliveries on the BullMQ queue. Deliveries are written in the event's transaction, so the
 * job is added only after it committed: a handler wakes the dispatcher, which reads what is committed (and a poll
 * finds anything a crash left behind). The job id is the delivery's, so replicas enqueueing the same row at once,
 * or again after a crash, still make one job; the processor's claim in the database does the rest.
 */
@Injectable()
export class DeliveryDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly jobs: BackgroundJobs,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SETTINGS) private readonly settings: NotificationsSettings,
    @Inject(APP_LOGGER) private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.wake(), this.settings.DISPATCH_POLL_MS);
    this.timer.unref();
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    await this.running;
  }

  /** Called by a writer inside its transaction: dispatch shortly, when the commit has most likely happened. */
  wakeSoon(): void {
    if (this.soon || this.stopped) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.wake();
    }, 5);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.dispatchAll()
      .then(() => undefined)
      .catch((error: unknown) =>
        this.logger.write('warn', 'deliveries not dispatched; will retry', { err: serializeError(error) }),
      )
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Enqueues every committed pending delivery without a job yet; returns how many. */
  async dispatchAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.dataSource.query<{ id: string; round: number }[]>(
        `SELECT id, round FROM notifications.delivery WHERE status = 'pending' AND queued_at IS NULL
         ORDER BY created_at, id LIMIT 500`,
      );
      if (rows.length === 0) return total;
      await this.enqueue(rows);
      await this.dataSource.query(
        `UPDATE notifications.delivery SET queued_at = clock_timestamp() WHERE id = ANY($1) AND queued_at IS NULL`,
        [rows.map((row) => row.id)],
      );
      total += rows.length;
    }
  }

  async enqueue(deliveries: { id: string; round: number }[]): Promise<void> {
    const backoff = { type: 'exponential', delay: this.settings.DELIVERY_BACKOFF_MS };
    await this.jobs.queue<DeliveryJobData>(DELIVERY_QUEUE).addBulk(
      deliveries.map(({ id: deliveryId, round }) => ({
        name: 'deliver',
        data: { deliveryId },
        opts: {
          jobId: deliveryJobId(deliveryId, round),
          attempts: this.settings.DELIVERY_MAX_ATTEMPTS,
          backoff,
          removeOnComplete: { age: 7 * DAY_S },
          removeOnFail: { age: 30 * DAY_S },
        },
      })),
    );
  }
}
