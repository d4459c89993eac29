import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { serializeError, type JsonLogger } from '@wandelwerk/observability';
import { APP_LOGGER, BackgroundJobs, SETTINGS } from '@wandelwerk/platform';
import { DataSource } from 'typeorm';
import type { NotificationsSettings } from '../config/notifications.settings.js';
import { DELIVERY_QUEUE, deliveryJobId, type DeliveryJobData } from './delivery-queue.js';

const DAY_S = 86_400;
/** BullMQ states of a job that will still run: such a delivery is not stranded. */
const LIVE_JOB_STATES: ReadonlySet<string> = new Set([
  'waiting',
  'delayed',
  'active',
  'prioritized',
  'waiting-children',
]);
const PAGE = 500;
/** A delivery claimed by a sender that is gone is queued to run this long after the claim's lease ends. */
const LEASE_MARGIN_MS = 500;

/**
 * Puts committed `pending` deliveries on the BullMQ queue. Deliveries are written in the event's transaction, so the
 * job is added only after it committed: a handler wakes the dispatcher, which reads what is committed (and a poll
 * finds anything a crash left behind). The job id is the delivery's, so replicas enqueueing the same row at once,
 * or again after a crash, still make one job; the processor's claim in the database does the rest.
 *
 * A queued delivery can still lose its job: Redis restarted without its data (every waiting, delayed and active job
 * gone), or BullMQ gave up on it. PostgreSQL is the record, so such deliveries are queued again from it: all of them
 * as soon as `BackgroundJobs` reports the data loss, and any that slip through (a send in flight during the loss
 * that records its retry afterwards, a sender killed within its lease) by a sweep every DELIVERY_SWEEP_MS, in the
 * process rather than as a BullMQ schedule, which Redis would lose with the rest.
 */
@Injectable()
export class DeliveryDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private sweeping: Promise<unknown> | undefined;
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
    this.sweepTimer = setInterval(() => this.sweep(), this.settings.DELIVERY_SWEEP_MS);
    this.sweepTimer.unref();
    // Redis lost its data: every queued delivery not done is queued again, whatever its age. Throws when Redis or
    // PostgreSQL fail meanwhile, so BackgroundJobs tries again.
    this.jobs.onRedisDataLost('notification deliveries', () => this.requeueStranded(null));
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.sweepTimer);
    clearTimeout(this.soon);
    await Promise.all([this.running, this.sweeping]);
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

  private sweep(): void {
    if (this.stopped || this.sweeping) return;
    this.sweeping = this.requeueStranded(this.settings.DELIVERY_SWEEP_MS)
      .catch((error: unknown) =>
        this.logger.write('warn', 'stranded deliveries not looked for; will retry', {
          err: serializeError(error),
        }),
      )
      .finally(() => (this.sweeping = undefined));
  }

  /**
   * Queues again every delivery that should have a job and has none that will run (none waiting, delayed or active):
   * `pending` ones queued before (with `overdueMs`: only those whose next attempt was due, by the backoff, that long
   * ago; a retry waiting out its backoff is not even looked up), and `sending` ones, whose sender died or lost
   * its job with Redis. A `sending` one is queued to run when its lease ends (its sender may still record the
   * outcome; if it does not, the delivery is claimed again then). A finished job of the same id (BullMQ keeps them for
   * days, and ignores a job added under a kept id) is removed first. Whatever is queued twice meets the processor's
   * claim, so this never sends anything twice. Returns how many were queued.
   */
  async requeueStranded(overdueMs: number | null): Promise<number> {
    const queue = this.jobs.queue<DeliveryJobData>(DELIVERY_QUEUE);
    let total = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await this.dataSource.query<{ id: string; round: number; wait_ms: number }[]>(
        `SELECT id, round,
           CASE WHEN status = 'sending' AND lease_until > clock_timestamp()
             THEN ceil(extract(epoch FROM lease_until - clock_timestamp()) * 1000)::int + ${LEASE_MARGIN_MS}
             ELSE 0 END AS wait_ms
         FROM notifications.delivery
         WHERE status IN ('pending', 'sending') AND id > $2
           AND (status = 'sending' OR (queued_at IS NOT NULL AND ($1::int IS NULL OR updated_at <= clock_timestamp()
             - ($1 + CASE WHEN attempts = 0 THEN 0 ELSE $3 * power(2, attempts - 1) END) * interval '1 millisecond')))
         ORDER BY id LIMIT ${PAGE}`,
        [overdueMs, after, this.settings.DELIVERY_BACKOFF_MS],
      );
      if (rows.length === 0) break;
      after = rows[rows.length - 1].id;
      const jobs = await Promise.all(
        rows.map(async (row) => {
          const jobId = deliveryJobId(row.id, row.round);
          return { row, jobId, state: await queue.getJobState(jobId) };
        }),
      );
      const jobless = jobs.filter((job) => !LIVE_JOB_STATES.has(job.state));
      // A delivery can finish between the SELECT above and the look at its job (its job is then `completed`): only
      // what is still open afterwards is stranded.
      const open =
        jobless.length === 0
          ? new Set<string>()
          : new Set(
              (
                await this.dataSource.query<{ id: string }[]>(
                  `SELECT id FROM notifications.delivery WHERE id = ANY($1) AND status IN ('pending', 'sending')`,
                  [jobless.map((job) => job.row.id)],
                )
              ).map((row) => row.id),
            );
      const stranded = jobless.filter((job) => open.has(job.row.id));
      await Promise.all(
        stranded.filter((job) => job.state !== 'unknown').map((job) => queue.remove(job.jobId)),
      );
      if (stranded.length > 0)
        await this.enqueue(
          stranded.map(({ row }) => ({ id: row.id, round: row.round, delayMs: row.wait_ms })),
        );
      total += stranded.length;
      if (rows.length < PAGE) break;
    }
    if (total > 0)
      this.logger.write('warn', 'deliveries without a queue job queued again', {
        deliveries: total,
        overdueMs,
      });
    return total;
  }

  async enqueue(deliveries: { id: string; round: number; delayMs?: number }[]): Promise<void> {
    const backoff = { type: 'exponential', delay: this.settings.DELIVERY_BACKOFF_MS };
    await this.jobs.queue<DeliveryJobData>(DELIVERY_QUEUE).addBulk(
      deliveries.map(({ id: deliveryId, round, delayMs }) => ({
        name: 'deliver',
        data: { deliveryId },
        opts: {
          jobId: deliveryJobId(deliveryId, round),
          ...(delayMs ? { delay: delayMs } : {}),
          attempts: this.settings.DELIVERY_MAX_ATTEMPTS,
          backoff,
          removeOnComplete: { age: 7 * DAY_S },
          removeOnFail: { age: 30 * DAY_S },
        },
      })),
    );
  }
}
