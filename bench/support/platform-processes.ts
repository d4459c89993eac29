import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { buildTopology, connectNats, deleteTopology } from '@wandelwerk/messaging';
import {
  createTestDatabase,
  freePort,
  testSettings,
  uniqueName,
  type TestDatabase,
} from '@wandelwerk/testing';
import { deleteRedisKeys } from './redis-keys.js';
import { sleep } from './stats.js';

/*
 * The five apps as `npm start` runs them — each its own Node process from apps/<app>/dist/main.js — on a database,
 * NATS prefix, BullMQ queue prefix and Redis key prefix of this run only, migrated by each app's CLI and provisioned by
 * the messaging CLI. So their memory and CPU are their own and can be read from /proc. Everything is removed again by
 * `dispose` (also after a failure or Ctrl-C).
 */

/** bench/dist/support/ → the repository. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PLATFORM_APPS = ['gateway', 'projects', 'funding', 'municipalities', 'notifications'] as const;
export type PlatformApp = (typeof PLATFORM_APPS)[number];

export interface AppProcess {
  name: PlatformApp;
  url: string;
  child: ChildProcess;
  /** Log lines at warn or above (the apps log JSON lines to stdout), the last 200. */
  warnings: string[];
  /** All warn/error/fatal lines seen. */
  warningCount: number;
  stderr: string;
}

export interface Platform {
  db: TestDatabase;
  prefix: string;
  queuePrefix: string;
  redisKeyPrefix: string;
  jwtSecret: string;
  apps: Record<PlatformApp, AppProcess>;
  /** SIGTERM to every app, waiting for each to drain (SIGKILL after 20 s). */
  stopApps(): Promise<Record<string, number | string | null>>;
  /** Stops the apps (if running) and removes the database, the streams and every Redis key of the run. */
  dispose(): Promise<{ redisKeys: number }>;
}

export interface PlatformOptions {
  logLevel: string;
  /** Options for node itself, before each app's script (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** The NATS prefix (made up when not given). */
  prefix?: string;
  /** Extra settings per app (e.g. the notifications service's SMTP_URL). */
  extraEnv?: Partial<Record<PlatformApp, Record<string, string>>>;
  progress?: (message: string) => void;
}

function runNode(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

async function ready(url: string, child: ChildProcess, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error(`${name} was not ready after ${timeoutMs} ms`);
}

async function startApp(
  name: PlatformApp,
  env: Record<string, string>,
  nodeArgs: string[],
): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, `apps/${name}/dist/main.js`], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const app: AppProcess = {
    name,
    url: `http://127.0.0.1:${port}`,
    child,
    warnings: [],
    warningCount: 0,
    stderr: '',
  };
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!/"level":"(warn|error|fatal)"/.test(line)) continue;
      app.warningCount++;
      app.warnings.push(line.slice(0, 600));
      if (app.warnings.length > 200) app.warnings.shift();
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    app.stderr = (app.stderr + chunk.toString()).slice(-4_000);
  });
  await ready(app.url, child, name, 60_000);
  return app;
}

async function stopApp(app: AppProcess): Promise<number | string | null> {
  const child = app.child;
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code, signal] = await exited;
  clearTimeout(timer);
  return code ?? signal;
}

/** Migrates, provisions and starts the five apps; on any failure removes what it made and rethrows. */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const settings = testSettings();
  const db = await createTestDatabase();
  const prefix = options.prefix ?? uniqueName('benchpipe');
  const queuePrefix = uniqueName('wwbench');
  const redisKeyPrefix = uniqueName('wwbench');
  const jwtSecret = `bench-${uniqueName('secret')}-0123456789abcdef0123456789`;
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    NATS_URL: settings.NATS_URL,
    REDIS_URL: settings.REDIS_URL,
    NATS_PREFIX: prefix,
    QUEUE_PREFIX: queuePrefix,
    REDIS_KEY_PREFIX: redisKeyPrefix,
    JWT_SECRET: jwtSecret,
    LOG_LEVEL: options.logLevel,
    NODE_ENV: 'development',
  };
  const apps: Partial<Record<PlatformApp, AppProcess>> = {};
  let disposed = false;
  const stopApps = async (): Promise<Record<string, number | string | null>> => {
    const codes: Record<string, number | string | null> = {};
    await Promise.all(
      Object.values(apps).map(async (app) => {
        codes[app.name] = await stopApp(app);
      }),
    );
    return codes;
  };
  const dispose = async (): Promise<{ redisKeys: number }> => {
    if (disposed) return { redisKeys: 0 };
    disposed = true;
    await stopApps().catch(() => undefined);
    const nc = await connectNats({ url: settings.NATS_URL, name: 'bench-pipeline-cleanup' });
    try {
      await deleteTopology(await jetstreamManager(nc), buildTopology({ prefix }));
    } finally {
      await nc.drain();
    }
    await db.drop();
    return { redisKeys: await deleteRedisKeys(settings.REDIS_URL, [queuePrefix, redisKeyPrefix]) };
  };
  try {
    for (const app of PLATFORM_APPS) {
      options.progress?.(`migrating ${app}`);
      const migrated = await runNode(`apps/${app}/dist/cli.js`, ['migrate'], env);
      if (migrated.code !== 0) throw new Error(`${app} migrate failed: ${migrated.output.slice(-2000)}`);
    }
    const provisioned = await runNode('libs/messaging/dist/cli.js', ['provision'], env);
    if (provisioned.code !== 0) throw new Error(`provision failed: ${provisioned.output.slice(-2000)}`);
    options.progress?.(`starting ${PLATFORM_APPS.join(', ')} as processes (NATS prefix ${prefix})`);
    await Promise.all(
      PLATFORM_APPS.map(async (name) => {
        apps[name] = await startApp(
          name,
          { ...env, ...(options.extraEnv?.[name] ?? {}) },
          options.nodeArgs ?? [],
        );
      }),
    );
  } catch (error) {
    await dispose().catch(() => undefined);
    throw error;
  }
  return {
    db,
    prefix,
    queuePrefix,
    redisKeyPrefix,
    jwtSecret,
    apps: apps as Record<PlatformApp, AppProcess>,
    stopApps,
    dispose,
  };
}
