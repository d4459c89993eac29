import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { connectNats, subjectOf } from '@wandelwerk/messaging';
import { JsonClient } from './http-client.js';
import { cpuBetween, cpuSnapshot, type CpuUsage } from './machine.js';
import { REPO_ROOT } from './platform-processes.js';
import { closedLoop, distribution, type Distribution } from './stats.js';

/*
 * The raw limits of the machine, measured in the same run as the platform: what PostgreSQL, JetStream and a bare
 * Fastify server do with nothing of Wandelwerk around them. Each is a closed loop with `concurrency` workers, after a
 * warm-up.
 */

export interface Baseline {
  perSecond: number;
  latency: Distribution;
  cpu: CpuUsage;
}

export interface LoopSettings {
  concurrency: number;
  warmupMs: number;
  measureMs: number;
}

/** Single-row INSERT in autocommit (one INSERT and its COMMIT, one round trip), one connection per worker. */
export async function postgresCommits(databaseUrl: string, settings: LoopSettings): Promise<Baseline> {
  const setup = new pg.Client({ connectionString: databaseUrl });
  await setup.connect();
  await setup.query(`CREATE SCHEMA IF NOT EXISTS bench_raw`);
  await setup.query(
    `CREATE TABLE bench_raw.commit_probe (id uuid PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  const clients = await Promise.all(
    Array.from({ length: settings.concurrency }, async () => {
      const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-raw-commit' });
      await client.connect();
      return client;
    }),
  );
  const payload = 'x'.repeat(400);
  const latencies: number[] = [];
  let count = 0;
  let measuring = false;
  let cpuBefore = cpuSnapshot();
  let cpu: CpuUsage | undefined;
  try {
    const window = await closedLoop({
      workers: settings.concurrency,
      warmupMs: settings.warmupMs,
      measureMs: settings.measureMs,
      operation: async (worker) => {
        const started = performance.now();
        await clients[worker].query({
          name: 'probe',
          text: 'INSERT INTO bench_raw.commit_probe (id, payload) VALUES ($1, $2)',
          values: [randomUUID(), payload],
        });
        if (measuring) {
          count++;
          latencies.push(performance.now() - started);
        }
      },
      onWindowStart: () => {
        measuring = true;
        cpuBefore = cpuSnapshot();
      },
      onWindowEnd: () => {
        measuring = false;
        cpu = cpuBetween(cpuBefore, cpuSnapshot());
      },
    });
    return { perSecond: count / window.seconds, latency: distribution(latencies), cpu: cpu! };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await setup.query(`DROP SCHEMA bench_raw CASCADE`).catch(() => undefined);
    await setup.end();
  }
}

/** Acknowledged JetStream publishes (message id set, file storage, like the platform's streams) of `payload`. */
export async function jetstreamPublishes(
  natsUrl: string,
  prefix: string,
  payload: string,
  settings: LoopSettings,
): Promise<Baseline> {
  const nc = await connectNats({ url: natsUrl, name: 'bench-raw-publish' });
  const jsm = await jetstreamManager(nc);
  const stream = `${prefix}RAWPROBE`;
  const subject = subjectOf(prefix, 'rawprobe.event');
  await jsm.streams.add({
    name: stream,
    subjects: [subject],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: 2 * 60 * 60 * 1e9,
    num_replicas: 1,
  });
  const js = jetstream(nc);
  const latencies: number[] = [];
  let count = 0;
  let measuring = false;
  let cpuBefore = cpuSnapshot();
  let cpu: CpuUsage | undefined;
  try {
    const window = await closedLoop({
      workers: settings.concurrency,
      warmupMs: settings.warmupMs,
      measureMs: settings.measureMs,
      operation: async () => {
        const started = performance.now();
        await js.publish(subject, payload, { msgID: randomUUID() });
        if (measuring) {
          count++;
          latencies.push(performance.now() - started);
        }
      },
      onWindowStart: () => {
        measuring = true;
        cpuBefore = cpuSnapshot();
      },
      onWindowEnd: () => {
        measuring = false;
        cpu = cpuBetween(cpuBefore, cpuSnapshot());
      },
    });
    return { perSecond: count / window.seconds, latency: distribution(latencies), cpu: cpu! };
  } finally {
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.drain();
  }
}

const HELLO_WORLD = `
import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(url + '\\n');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
`;

/**
 * A Fastify hello world (`GET /` → `{"hello":"world"}`) in a Node process of its own, as the gateway runs in one, driven
 * by the same HTTP client (keep-alive, `concurrency` connections) as the platform.
 */
export async function fastifyHelloWorld(settings: LoopSettings): Promise<Baseline> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', HELLO_WORLD], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`hello world exited with ${code}`)));
      createInterface({ input: child.stdout }).once('line', resolve);
    });
    const client = new JsonClient(url, settings.concurrency);
    const latencies: number[] = [];
    let count = 0;
    let measuring = false;
    let cpuBefore = cpuSnapshot();
    let cpu: CpuUsage | undefined;
    try {
      const window = await closedLoop({
        workers: settings.concurrency,
        warmupMs: settings.warmupMs,
        measureMs: settings.measureMs,
        operation: async () => {
          const started = performance.now();
          await client.expect(200, 'GET', '/');
          if (measuring) {
            count++;
            latencies.push(performance.now() - started);
          }
        },
        onWindowStart: () => {
          measuring = true;
          cpuBefore = cpuSnapshot();
        },
        onWindowEnd: () => {
          measuring = false;
          cpu = cpuBetween(cpuBefore, cpuSnapshot());
        },
      });
      return { perSecond: count / window.seconds, latency: distribution(latencies), cpu: cpu! };
    } finally {
      client.close();
    }
  } finally {
    if (child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  }
}
