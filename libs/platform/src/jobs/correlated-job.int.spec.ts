import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JsonLogger, runWithCorrelation } from '@wandelwerk/observability';
import { testSettings, uniqueName } from '@wandelwerk/testing';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { correlationForJob, runJobInScope, type JobCorrelation } from './correlated-job.js';

describe('correlation ids through BullMQ jobs (real Redis)', () => {
  const queueName = uniqueName('corr');
  const prefix = uniqueName('wwtest');
  let connection: Redis;
  const lines: Record<string, unknown>[] = [];
  const logger = new JsonLogger('projects', 'info', {
    write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });

  beforeAll(() => {
    connection = new Redis(testSettings().REDIS_URL, { maxRetriesPerRequest: null });
  });

  afterAll(async () => {
    const keys = await connection.keys(`${prefix}:*`);
    if (keys.length > 0) await connection.del(...keys);
    await connection.quit();
  });

  it('logs the job with the correlation id of the request that enqueued it', async () => {
    const queue = new Queue<{ correlation: JobCorrelation }>(queueName, { connection, prefix });
    const eventsConnection = connection.duplicate();
    const workerConnection = connection.duplicate();
    const events = new QueueEvents(queueName, { connection: eventsConnection, prefix });
    const worker = new Worker<{ correlation: JobCorrelation }>(
      queueName,
      (job) => runJobInScope(job.data, job.id, () => Promise.resolve(logger.write('info', 'reminder sent'))),
      { connection: workerConnection, prefix },
    );
    try {
      await events.waitUntilReady();
      const job = await runWithCorrelation({ correlationId: 'req-777' }, () =>
        queue.add('reminder', { correlation: correlationForJob() }),
      );
      await job.waitUntilFinished(events, 10_000);
      expect(lines).toEqual([expect.objectContaining({ msg: 'reminder sent', correlationId: 'req-777' })]);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      await Promise.all([eventsConnection.quit(), workerConnection.quit()]);
    }
  });

  it('starts a new correlation for a job enqueued outside any request', () => {
    const first = correlationForJob();
    expect(first.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(correlationForJob().correlationId).not.toBe(first.correlationId);
  });
});
