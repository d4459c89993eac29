import {
  freePort,
  startPrivateNatsServer,
  startPrivatePostgres,
  startPrivateRedisServer,
  waitFor,
  type PrivatePostgres,
  type PrivateServer,
} from '@wandelwerk/testing';
import {
  startMailCatcher,
  startWebhookReceiver,
  type MailCatcher,
  type WebhookReceiver,
} from '@wandelwerk/notifications/testing';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import pg from 'pg';
import {
  ALL_APPS,
  REPO_ROOT,
  runNode,
  startApp,
  type AppName,
  type RunningApp,
} from '../../support/platform-processes.js';

export const FAULTS_JWT_SECRET = 'faults-secret-of-the-private-platform-0123456789';
export const PUBLIC_API_URL = 'https://wandelwerk.example';
/** The notifications service retries a failed webhook after this long: long enough to lose the retry with Redis. */
export const DELIVERY_BACKOFF_MS = 2_000;

/**
 * The five apps as processes (as `npm start` runs them) on a PostgreSQL cluster, a nats-server with JetStream and a
 * redis-server of the test's own, each on a free port: the test may kill, stop and start any of them. Each app keeps
 * its port across restarts, so clients and the gateway find it again.
 */
export interface FaultPlatform {
  postgres: PrivatePostgres;
  nats: PrivateServer;
  redis: PrivateServer;
  smtp: MailCatcher;
  /** Answers 204, or 503 while `failing` is set (to leave retries waiting in Redis). */
  hooks: WebhookReceiver;
  /** The platform's database (every service's schema), as the superuser of the private cluster. */
  db: pg.Pool;
  gatewayUrl: string;
  env: Record<string, string>;
  apps: Map<AppName, RunningApp>;
  /** SIGKILL, then wait until the process is gone. */
  kill(app: AppName): Promise<void>;
  /** Starts the app again on its port and waits until it says it is up. */
  start(app: AppName): Promise<void>;
  /** The ids of the job schedulers in Redis of each queue (BullMQ keys under the default `wandelwerk` prefix). */
  jobSchedulers(queues: string[]): Promise<Record<string, string[]>>;
  /** Whether every app answers its readiness probe with 200. */
  allReady(): Promise<boolean>;
  /** Writes every app's log lines to `var/faults/<app>.log` (for the record of a run). */
  saveLogs(): string;
  stop(): Promise<void>;
}

export async function startFaultPlatform(): Promise<FaultPlatform> {
  const [postgres, nats, redis, smtp, hooks] = await Promise.all([
    startPrivatePostgres(),
    startPrivateNatsServer(),
    startPrivateRedisServer(),
    // Unlike other tests' catchers it must survive a SIGKILLed notifications service resetting the connection.
    startMailCatcher({ tolerateClientResets: true }),
    startWebhookReceiver(),
  ]);
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('CREATE DATABASE wandelwerk');
  await admin.end();
  const databaseUrl = postgres.urlOf('wandelwerk');
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    NATS_URL: nats.url,
    REDIS_URL: redis.url,
    NATS_PREFIX: '',
    LOG_LEVEL: 'info',
    JWT_SECRET: FAULTS_JWT_SECRET,
    SMTP_URL: smtp.url,
    PUBLIC_API_URL,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    DELIVERY_BACKOFF_MS: String(DELIVERY_BACKOFF_MS),
    DISPATCH_POLL_MS: '250',
  };
  const ports = new Map<AppName, number>();
  for (const app of ALL_APPS) ports.set(app, await freePort());

  for (const app of ALL_APPS) {
    const migrated = await runNode(`apps/${app}/dist/cli.js`, ['migrate'], env);
    if (migrated.code !== 0) throw new Error(`${app} migrate failed: ${migrated.stderr}`);
  }
  const provisioned = await runNode('libs/messaging/dist/cli.js', ['provision'], env);
  if (provisioned.code !== 0) throw new Error(`provision failed: ${provisioned.stderr}`);

  const apps = new Map<AppName, RunningApp>();
  const earlier = new Map<AppName, Record<string, unknown>[]>();
  const start = async (app: AppName) => {
    const running = await startApp(app, { ...env, PORT: String(ports.get(app)) }, 60_000);
    apps.set(app, running);
  };
  await Promise.all(ALL_APPS.map(start));
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: 'faults-proof' });
  // A terminated backend is the test's fault, not the pool's: idle clients that die are simply replaced.
  db.on('error', () => undefined);

  return {
    postgres,
    nats,
    redis,
    smtp,
    hooks,
    db,
    gatewayUrl: `http://127.0.0.1:${ports.get('gateway')}`,
    env,
    apps,
    async kill(app) {
      const running = apps.get(app)!;
      earlier.set(app, [...(earlier.get(app) ?? []), ...running.logLines, { killed: 'SIGKILL' }]);
      if (running.process.exitCode === null && running.process.signalCode === null) {
        const exited = once(running.process, 'exit');
        running.process.kill('SIGKILL');
        await exited;
      }
    },
    start,
    async jobSchedulers(queues) {
      const found: Record<string, string[]> = {};
      for (const name of queues) {
        const queue = new Queue(name, { connection: { url: redis.url }, prefix: 'wandelwerk' });
        try {
          found[name] = (await queue.getJobSchedulers()).map((s) => s.key);
        } finally {
          await queue.close();
        }
      }
      return found;
    },
    async allReady() {
      const answers = await Promise.all(
        [...apps.values()].map(async (app) => {
          try {
            return (await fetch(`${app.url}/health/ready`, { signal: AbortSignal.timeout(2_000) })).status;
          } catch {
            return 0;
          }
        }),
      );
      return answers.every((status) => status === 200);
    },
    saveLogs() {
      const dir = join(REPO_ROOT, 'var', 'faults');
      mkdirSync(dir, { recursive: true });
      for (const [name, app] of apps) {
        const lines = [...(earlier.get(name) ?? []), ...app.logLines];
        writeFileSync(join(dir, `${name}.log`), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      }
      return dir;
    },
    async stop() {
      await Promise.all(
        [...apps.values()].map(async (app) => {
          // Quickly: the platform's data goes away with the private servers.
          if (app.process.exitCode !== null || app.process.signalCode !== null) return;
          const exited = once(app.process, 'exit');
          app.process.kill('SIGKILL');
          await exited;
        }),
      );
      await db.end().catch(() => undefined);
      await Promise.all([smtp.close(), hooks.close(), postgres.dispose(), nats.dispose(), redis.dispose()]);
    },
  };
}

/** Waits until every app is ready again (after a fault), naming the ones that are not. */
export async function waitUntilReady(platform: FaultPlatform, what: string, timeoutMs = 60_000) {
  await waitFor(() => platform.allReady(), {
    what: `every app ready after ${what}`,
    timeoutMs,
    intervalMs: 250,
  });
}
