import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { buildTopology, connectNats, deleteTopology } from '@wandelwerk/messaging';
import {
  createTestDatabase,
  freePort,
  testSettings,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@wandelwerk/testing';
import { ALL_APPS, runNode, SERVICE_APPS, startApp, type RunningApp } from './support/platform-processes.js';

/**
 * The five apps as `npm start` runs them: separate processes, migrated schemas, provisioned streams. Asserts what
 * operators rely on: health and readiness, request/reply through the gateway, correlation ids in the logs, refusal
 * of bad configuration, and a clean drain on SIGTERM.
 */
describe('the platform as processes', () => {
  let db: TestDatabase;
  const prefix = uniqueName('e');
  let env: Record<string, string>;
  const apps = new Map<string, RunningApp>();

  beforeAll(async () => {
    db = await createTestDatabase();
    env = {
      DATABASE_URL: db.url,
      NATS_URL: testSettings().NATS_URL,
      REDIS_URL: testSettings().REDIS_URL,
      NATS_PREFIX: prefix,
      LOG_LEVEL: 'info',
    };
    for (const app of ALL_APPS) {
      const migrated = await runNode(`apps/${app}/dist/cli.js`, ['migrate'], env);
      expect(migrated).toMatchObject({ code: 0 });
      expect(migrated.stdout).toContain(`schema "${app}" migrated`);
    }
    const provisioned = await runNode('libs/messaging/dist/cli.js', ['provision'], env);
    expect(provisioned.stdout).toContain('streams: 5 created');
    for (const app of await Promise.all(ALL_APPS.map((name) => startApp(name, env)))) apps.set(app.name, app);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...apps.values()].map((app) => app.terminate()));
    const nc = await connectNats({ url: testSettings().NATS_URL, name: 'e2e-cleanup' });
    await deleteTopology(await jetstreamManager(nc), buildTopology({ prefix }));
    await nc.drain();
    await db.drop();
  });

  it('runs each migration once: a second migrate is a no-op', async () => {
    const applied = async (): Promise<string[]> =>
      (await db.query<{ name: string }>('SELECT name FROM projects.migrations ORDER BY id')).map(
        (m) => m.name,
      );
    const before = await applied();
    const again = await runNode('apps/projects/dist/cli.js', ['migrate'], env);
    expect(again.stdout).toContain('schema "projects" is up to date');
    expect(await applied()).toEqual(before);
    expect(before[0]).toBe('MessagingTables1763700000000');
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'projects'`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['inbox', 'outbox', 'migrations']),
    );
  });

  it.each(ALL_APPS)('%s answers liveness and readiness with its dependencies', async (name) => {
    const app = apps.get(name)!;
    expect(await (await fetch(`${app.url}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${app.url}/health/ready`);
    const body = (await ready.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(ready.status).toBe(200);
    expect(body.status).toBe('ready');
    const expected = name === 'municipalities' ? ['nats', 'postgres'] : ['nats', 'postgres', 'redis'];
    expect(Object.keys(body.checks).sort()).toEqual(expected);
    expect(Object.values(body.checks).every((c) => c.status === 'up')).toBe(true);
  });

  it('reaches every service through the gateway by request/reply, and carries the correlation id into the logs', async () => {
    const response = await fetch(`${apps.get('gateway')!.url}/api/v1/status`, {
      headers: { 'x-correlation-id': 'e2e-status-1' },
    });
    expect(response.headers.get('x-correlation-id')).toBe('e2e-status-1');
    expect(await response.json()).toEqual({
      status: 'ok',
      services: SERVICE_APPS.map((service) => ({ service, status: 'up', latencyMs: expect.any(Number) })),
    });
    const gatewayLine = await waitFor(() =>
      apps.get('gateway')!.logLines.find((l) => l['msg'] === 'http request' && l['url'] === '/api/v1/status'),
    );
    expect(gatewayLine).toMatchObject({ correlationId: 'e2e-status-1', status: 200, app: 'gateway' });
  });

  it('replaces a malformed correlation id instead of logging what a caller sent', async () => {
    const response = await fetch(`${apps.get('gateway')!.url}/health`, {
      headers: { 'x-correlation-id': 'bad id\twith spaces' },
    });
    expect(response.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses to start with bad configuration, naming every bad setting', async () => {
    const result = await runNode('apps/projects/dist/main.js', [], {
      ...env,
      PORT: 'eighty',
      NATS_URL: 'http://nats',
      EVENT_MAX_ATTEMPTS: '0',
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stderr.trim().split('\n').pop()!) as {
      level: string;
      problems: { setting: string }[];
    };
    expect(report.level).toBe('fatal');
    expect(report.problems.map((p) => p.setting).sort()).toEqual(['EVENT_MAX_ATTEMPTS', 'NATS_URL', 'PORT']);
  }, 15_000);

  it('is not ready while a dependency is down', async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const funding = await startApp('funding', { ...env, REDIS_URL: deadRedis, INSTANCE_NAME: 'second' });
    try {
      const ready = await fetch(`${funding.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        status: 'not_ready',
        checks: { redis: { status: 'down' }, postgres: { status: 'up' } },
      });
    } finally {
      await funding.terminate();
    }
  }, 30_000);

  it('drains on SIGTERM and exits 0', async () => {
    const extra = await startApp('notifications', { ...env, INSTANCE_NAME: 'drainer' });
    expect(await extra.terminate()).toBe(0);
    expect(extra.logLines.map((l) => l['msg'])).toEqual(
      expect.arrayContaining(['received SIGTERM; draining', 'drained', 'notifications stopped']),
    );
  }, 30_000);
});
