import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { loadConfig, ServiceSettings } from '@wandelwerk/config';
import { runWithCorrelation } from '@wandelwerk/observability';
import {
  startPrivateRedisServer,
  testSettings,
  uniqueName,
  waitFor,
  type PrivateServer,
} from '@wandelwerk/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createServiceApp, type ServiceApp } from '../service-app.js';
import { BackgroundJobs } from './background-jobs.js';
import { correlationForJob } from './correlated-job.js';
import { currentCorrelationId } from '@wandelwerk/observability';

const seenCorrelations: (string | undefined)[] = [];

@Injectable()
class SlowReportWorker implements OnApplicationBootstrap {
  constructor(private readonly jobs: BackgroundJobs) {}

  onApplicationBootstrap(): void {
    this.jobs.worker('reports', async () => {
      seenCorrelations.push(currentCorrelationId());
      await new Promise((resolve) => setTimeout(resolve, 600));
      return 'report ready';
    });
  }
}

@Module({ providers: [SlowReportWorker] })
class ReportsModule {}

describe('background jobs of a service (real Redis)', () => {
  const queuePrefix = uniqueName('wwtest');
  let service: ServiceApp;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(testSettings().REDIS_URL, { maxRetriesPerRequest: null });
    const settings = loadConfig(
      ServiceSettings,
      {
        NATS_URL: testSettings().NATS_URL,
        REDIS_URL: testSettings().REDIS_URL,
        QUEUE_PREFIX: queuePrefix,
        LOG_LEVEL: testSettings().TEST_LOG_LEVEL,
      },
      'funding',
    );
    service = await createServiceApp({ name: 'funding', settings, modules: [ReportsModule], redis: true });
    await service.start();
  });

  afterAll(async () => {
    await service.stop();
    const keys = await redis.keys(`${queuePrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('runs a job in the correlation scope it was enqueued in, finishes it while draining, and takes no new one', async () => {
    const queue = service.app.get(BackgroundJobs).queue('reports');
    const job = await runWithCorrelation({ correlationId: 'req-report-1' }, () =>
      queue.add('monthly', { correlation: correlationForJob() }),
    );
    await waitFor(async () => (await job.getState()) === 'active', { what: 'the job to start' });

    await service.stop();

    const outside = new Queue('reports', { connection: redis, prefix: queuePrefix });
    try {
      const finished = await outside.getJob(job.id!);
      expect(await finished?.getState()).toBe('completed');
      expect(finished?.returnvalue).toBe('report ready');
      expect(seenCorrelations).toEqual(['req-report-1']);

      const late = await outside.add('monthly', {});
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await late.getState()).toBe('waiting');
    } finally {
      await outside.close();
    }
  }, 20_000);
});

const recoveries: string[] = [];

@Injectable()
class ScheduleKeeper implements OnApplicationBootstrap {
  constructor(private readonly jobs: BackgroundJobs) {}

  onApplicationBootstrap(): void {
    this.jobs.onRedisDataLost('monthly schedule', async () => {
      await this.jobs.queue('schedules').add('monthly', {}, { jobId: 'monthly-2026-11' });
      recoveries.push('monthly schedule');
    });
  }
}

@Module({ providers: [ScheduleKeeper] })
class ScheduleModule {}

describe('background jobs when Redis comes back without its data (a private redis-server)', () => {
  let redisServer: PrivateServer;
  let service: ServiceApp;
  let admin: Redis;
  const marker = 'wwtest-recovery:projects:redis-marker';

  beforeAll(async () => {
    redisServer = await startPrivateRedisServer();
    admin = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    const settings = loadConfig(
      ServiceSettings,
      {
        NATS_URL: testSettings().NATS_URL,
        REDIS_URL: redisServer.url,
        QUEUE_PREFIX: 'wwtest-recovery',
        LOG_LEVEL: testSettings().TEST_LOG_LEVEL,
      },
      'projects',
    );
    service = await createServiceApp({ name: 'projects', settings, modules: [ScheduleModule], redis: true });
    await service.start();
    await waitFor(() => admin.exists(marker), { what: 'the marker of the service' });
  });

  afterAll(async () => {
    await service.stop();
    admin.disconnect();
    await redisServer.dispose();
  });

  it('re-creates jobs once when Redis lost its data, and not after a mere reconnect', async () => {
    // A dropped connection to a Redis that kept its data: the service checks, finds its marker, recovers nothing.
    const before = await admin.get(marker);
    await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await waitFor(async () => (await admin.get(marker)) !== before, {
      what: 'the check after the reconnect',
    });
    expect(recoveries).toEqual([]);

    // Redis restarted without persistence: the marker is gone, so the service re-creates its jobs.
    await redisServer.stop();
    await redisServer.start();
    await waitFor(async () => recoveries.length === 1 && (await admin.exists(marker)) === 1, {
      what: 'the jobs re-created',
      timeoutMs: 15_000,
    });
    const job = await service.app.get(BackgroundJobs).queue('schedules').getJob('monthly-2026-11');
    expect(job?.name).toBe('monthly');
    expect(recoveries).toEqual(['monthly schedule']);
  }, 30_000);
});
