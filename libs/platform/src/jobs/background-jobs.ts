import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { ServiceSettings } from '@wandelwerk/config';
import { serializeError, type JsonLogger } from '@wandelwerk/observability';
import { Queue, Worker, type ConnectionOptions, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_LOGGER, REDIS_CONNECTION, SERVICE_NAME, SETTINGS } from '../tokens.js';
import { runJobInScope, type JobCorrelation } from './correlated-job.js';

/** How soon a recovery that failed (Redis or PostgreSQL away again) is tried again. */
const RECOVERY_RETRY_MS = 5_000;

export interface CorrelatedJobData {
  correlation?: JobCorrelation | undefined;
}

/**
 * A service's BullMQ queues and workers on its Redis connection. Workers run each job in the correlation scope it
 * was enqueued in, log failures, and stop with the service: at shutdown they take no new job and finish the ones in
 * flight before the database and Redis connections close.
 */
@Injectable()
export class BackgroundJobs implements BeforeApplicationShutdown {
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly connection: ConnectionOptions;
  private readonly recoveries: { name: string; recover: () => Promise<unknown> }[] = [];
  /** Set in Redis by this service; its absence after a reconnect means Redis lost its data. */
  private readonly markerKey: string;
  private markerSeen = false;
  private checking: Promise<void> | undefined;
  private recheck = false;
  private closing = false;

  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    @Inject(SETTINGS) private readonly settings: ServiceSettings,
    @Inject(APP_LOGGER) private readonly logger: JsonLogger,
    @Inject(SERVICE_NAME) serviceName: string,
  ) {
    this.connection = redis;
    this.markerKey = `${settings.QUEUE_PREFIX}:${serviceName}:redis-marker`;
    redis.on('ready', () => this.checkMarker());
    if (redis.status === 'ready') this.checkMarker();
  }

  /**
   * Redis may come back without its data (a restart without persistence, a failover to an empty replica): every
   * waiting, delayed and active job and every job scheduler is gone, and nothing in Redis says so. `recover` re-creates
   * them from what the service keeps in PostgreSQL (schedules, jobs of rows still to be worked on). It runs whenever
   * the connection is ready again and the marker this service keeps in Redis is missing; a reconnect to a Redis that
   * kept its data runs nothing. At start the service sets up its jobs itself; this covers the time after. It must be
   * idempotent (job ids, upserted schedulers): a Redis lost twice in a row may run it twice.
   */
  onRedisDataLost(name: string, recover: () => Promise<unknown>): void {
    this.recoveries.push({ name, recover });
  }

  private checkMarker(): void {
    if (this.closing) return;
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = this.recoverIfLost()
      .catch((error: unknown) =>
        this.logger.write('warn', 'could not check whether Redis kept its data', {
          err: serializeError(error),
        }),
      )
      .finally(() => {
        this.checking = undefined;
        if (this.recheck) {
          this.recheck = false;
          this.checkMarker();
        }
      });
  }

  private async recoverIfLost(): Promise<void> {
    const kept = (await this.redis.exists(this.markerKey)) === 1;
    if (!kept && this.markerSeen) {
      this.logger.write('warn', 'Redis came back without its data; re-creating jobs from the database', {
        recoveries: this.recoveries.map((r) => r.name),
      });
      let failed = false;
      for (const { name, recover } of this.recoveries) {
        try {
          await recover();
        } catch (error) {
          failed = true;
          this.logger.write('error', 'jobs not re-created after Redis lost its data; trying again', {
            recovery: name,
            err: serializeError(error),
          });
        }
      }
      // The marker is set only once everything is re-created, so the next check tries again.
      if (failed) {
        setTimeout(() => this.checkMarker(), RECOVERY_RETRY_MS).unref();
        return;
      }
    }
    await this.redis.set(this.markerKey, new Date().toISOString());
    this.markerSeen = true;
  }

  queue<TData extends CorrelatedJobData>(name: string): Queue<TData> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.settings.QUEUE_PREFIX });
      this.queues.set(name, queue);
    }
    return queue as Queue<TData>;
  }

  worker<TData extends CorrelatedJobData, TResult>(
    name: string,
    process: (job: Job<TData>) => Promise<TResult>,
    options: Omit<WorkerOptions, 'connection' | 'prefix'> = {},
  ): Worker<TData, TResult> {
    const worker = new Worker<TData, TResult>(
      name,
      (job) => runJobInScope(job.data, job.id, () => process(job)),
      {
        ...options,
        connection: this.connection,
        prefix: this.settings.QUEUE_PREFIX,
      },
    );
    worker.on('failed', (job, error) =>
      this.logger.write('warn', 'job failed', {
        queue: name,
        jobId: job?.id,
        attempt: job?.attemptsMade,
        correlationId: job?.data.correlation?.correlationId,
        err: serializeError(error),
      }),
    );
    worker.on('error', (error) =>
      this.logger.write('error', 'job worker error', { queue: name, err: serializeError(error) }),
    );
    this.workers.push(worker as Worker);
    return worker;
  }

  /** Shutdown, first step: workers take no new job and finish the active ones. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.splice(0).map((worker) => worker.close()));
  }

  /**
   * Shutdown, last step (PlatformLifecycle, before Redis closes): the queues stay open until the requests and events
   * still in flight, which may enqueue jobs, are done.
   */
  async closeQueues(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
  }
}
