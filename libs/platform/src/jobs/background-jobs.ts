import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { ServiceSettings } from '@wandelwerk/config';
import { serializeError, type JsonLogger } from '@wandelwerk/observability';
import { Queue, Worker, type ConnectionOptions, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_LOGGER, REDIS_CONNECTION, SETTINGS } from '../tokens.js';
import { runJobInScope, type JobCorrelation } from './correlated-job.js';

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

  constructor(
    @Inject(REDIS_CONNECTION) redis: Redis,
    @Inject(SETTINGS) private readonly settings: ServiceSettings,
    @Inject(APP_LOGGER) private readonly logger: JsonLogger,
  ) {
    this.connection = redis;
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
