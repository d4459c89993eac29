import { randomUUID } from 'node:crypto';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import {
  jetstream,
  jetstreamManager,
  type ConsumerInfo,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { DataSource } from 'typeorm';
import {
  buildCloudEvent,
  proposalEndorsedFixture,
  type CloudEvent,
  type ProposalEndorsedEvent,
} from '@wandelwerk/contracts';
import { JsonLogger } from '@wandelwerk/observability';
import { createTestDatabase, testSettings, uniqueName, type TestDatabase } from '@wandelwerk/testing';
import {
  buildTopology,
  connectNats,
  deleteTopology,
  messagingTablesUp,
  OutboxPublisher,
  OutboxSignal,
  OutboxRelay,
  provisionTopology,
  streamNameOf,
  subjectOf,
  type Topology,
} from '@wandelwerk/messaging';
import {
  CONSUMER,
  EVENT_TYPE,
  PRODUCER,
  type ConsumerWorkerData,
  type FromConsumer,
  type ToConsumer,
  type TransactionSummary,
} from './messaging/shared.js';
import { cpuBetween, cpuSnapshot, type CpuUsage } from './support/machine.js';
import { runSuite, type Report, type SuiteContext } from './support/report.js';
import { closedLoop, Counter, distribution, now, openLoop, sleep, until } from './support/stats.js';

/*
 * The messaging suite: the platform path (a "projects" transaction writes a business row and its event to the
 * outbox -> OutboxRelay -> JetStream -> the "funding" service's JetStreamTransport with inbox -> a handler that writes
 * an effect row) beside the raw limits of the same machine (the same INSERT plus outbox row through `pg` alone;
 * JetStream publish with acknowledgement alone). The producers and the relay ("projects") run on the main thread, the
 * consumer ("funding", a separate process in a deployment) on a worker thread of its own; both read the process's
 * monotonic clock, so commit and handling times can be subtracted.
 */

const TARGET_RATIO = 0.35;
const TARGET_P99_MS = 25;
const LATENCY_LOAD = 0.25;
/** `dataSourceFor` in libs/platform opens this many connections per service unless told otherwise. */
const PLATFORM_POOL_SIZE = 10;
/** EVENT_CONCURRENCY's default in libs/config. */
const PLATFORM_CONCURRENCY = 4;

const logger = new JsonLogger('bench', 'fatal');

// ---------------------------------------------------------------------------------------------------------------
// The events: the contract's own example of projects.proposal.endorsed.v1, under fresh ids and aggregates.

const AGGREGATES = Array.from({ length: 1024 }, () => randomUUID());
let aggregateCursor = 0;
const nextAggregate = (): string => AGGREGATES[aggregateCursor++ % AGGREGATES.length];

function newEvent(): CloudEvent<ProposalEndorsedEvent> {
  return buildCloudEvent({
    type: EVENT_TYPE,
    subject: nextAggregate(),
    data: proposalEndorsedFixture.data,
    correlationId: randomUUID(),
    causationId: randomUUID(),
  });
}

const EVENT_BYTES = Buffer.byteLength(JSON.stringify(newEvent()));

function businessSql(schema: string): string {
  return `INSERT INTO ${schema}.proposals (id, version, title, status, requested_funding_cents) VALUES ($1, $2, $3, $4, $5)`;
}

function businessValues(event: CloudEvent<ProposalEndorsedEvent>): unknown[] {
  const { data } = event;
  return [
    randomUUID(),
    data.version,
    data.proposal.title,
    data.toStatus,
    data.proposal.requestedFundingCents,
  ];
}

async function createSchema(db: TestDatabase, schema: string): Promise<void> {
  await db.query(`CREATE SCHEMA ${schema}`);
  for (const sql of messagingTablesUp(schema)) await db.query(sql);
  await db.query(`CREATE TABLE ${schema}.proposals (
    id uuid PRIMARY KEY,
    version integer NOT NULL,
    title text NOT NULL,
    status text NOT NULL,
    requested_funding_cents bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`);
  await db.query(`CREATE TABLE ${schema}.reservations (
    event_id uuid PRIMARY KEY,
    proposal_id uuid NOT NULL,
    amount_cents bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`);
}

// ---------------------------------------------------------------------------------------------------------------
// The consumer: the "funding" service's Nest microservice with the platform's transport, on its own thread.

/** When each event committed (producers, main thread) and when its handler ran (consumer thread). */
class Recorder {
  handledCount: () => number = () => 0;
  committedAt = new Map<string, number>();
  handledAt = new Map<string, number>();

  handled(): number {
    return this.handledCount();
  }

  reset(): void {
    this.committedAt = new Map();
    this.handledAt = new Map();
  }

  allHandled(): boolean {
    for (const id of this.committedAt.keys()) if (!this.handledAt.has(id)) return false;
    return true;
  }

  /** Commit-to-handled latencies of the events that both committed and were handled since the last reset. */
  latencies(): { values: number[]; unhandled: number; clamped: number } {
    const values: number[] = [];
    let unhandled = 0;
    let clamped = 0;
    for (const [id, committed] of this.committedAt) {
      const handled = this.handledAt.get(id);
      if (handled === undefined) {
        unhandled++;
        continue;
      }
      // The handler may run in the instant between PostgreSQL's commit and the client seeing COMMIT's reply.
      if (handled < committed) clamped++;
      values.push(Math.max(0, handled - committed));
    }
    return { values, unhandled, clamped };
  }
}

class ConsumerThread {
  private readonly counter: Int32Array;
  private readonly worker: Worker;
  private summaryWaiter: ((summary: TransactionSummary) => void) | undefined;
  private closedWaiter: (() => void) | undefined;
  private failure: Error | undefined;

  private constructor(
    env: Environment,
    settings: Settings,
    private readonly recorder: Recorder,
  ) {
    const handledCounter = new SharedArrayBuffer(4);
    this.counter = new Int32Array(handledCounter);
    const workerData: ConsumerWorkerData = {
      databaseUrl: env.db.url,
      natsUrl: testSettings().NATS_URL,
      prefix: env.prefix,
      concurrency: settings.concurrency,
      poolSize: settings.consumerPool,
      handledCounter,
    };
    this.worker = new Worker(new URL('./messaging/consumer-worker.js', import.meta.url), { workerData });
    recorder.handledCount = () => Atomics.load(this.counter, 0);
  }

  static async start(env: Environment, settings: Settings, recorder: Recorder): Promise<ConsumerThread> {
    const thread = new ConsumerThread(env, settings, recorder);
    await new Promise<void>((resolve, reject) => {
      thread.worker.on('message', (message: FromConsumer) => {
        if (message.kind === 'ready') resolve();
        else if (message.kind === 'failed') reject(new Error(`consumer thread failed: ${message.error}`));
        else thread.receive(message);
      });
      thread.worker.on('error', (error) => {
        thread.failure = error;
        reject(error);
      });
    });
    return thread;
  }

  private receive(message: FromConsumer): void {
    if (message.kind === 'handled') {
      const { handledAt } = this.recorder;
      message.ids.forEach((id, i) => {
        if (!handledAt.has(id)) handledAt.set(id, message.times[i]);
      });
    } else if (message.kind === 'summary') {
      this.summaryWaiter?.(message.summary);
    } else if (message.kind === 'closed') {
      this.closedWaiter?.();
    }
  }

  private post(message: ToConsumer): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(message);
  }

  /** The consumer's transactions that ended in [from, to). */
  summary(from: number, to: number): Promise<TransactionSummary> {
    const answer = new Promise<TransactionSummary>((resolve) => (this.summaryWaiter = resolve));
    this.post({ kind: 'summary', from, to });
    return answer;
  }

  eventLoopUtilization(since?: EventLoopUtilization): EventLoopUtilization {
    return this.worker.performance.eventLoopUtilization(since);
  }

  async close(): Promise<void> {
    if (this.failure) {
      await this.worker.terminate();
      return;
    }
    const closed = new Promise<void>((resolve) => (this.closedWaiter = resolve));
    this.post({ kind: 'close' });
    await Promise.race([closed, sleep(15_000)]);
    await this.worker.terminate();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Instrumentation through the libraries' own seams (the injected JetStream client and DataSource, the relay's
// pool): it only counts and times, it changes nothing the libraries do.

interface Span {
  start: number;
  end: number;
}

class RelayProbe {
  readonly fetches: (Span & { rows: number })[] = [];
  readonly marks: Span[] = [];
  readonly publishes: Span[] = [];
  attached = false;

  wrapJetStream(js: JetStreamClient): JetStreamClient {
    const publishes = this.publishes;
    return new Proxy(js, {
      get(target, property, receiver) {
        if (property === 'publish') {
          return async (...args: Parameters<JetStreamClient['publish']>) => {
            const start = now();
            try {
              return await target.publish(...args);
            } finally {
              publishes.push({ start, end: now() });
            }
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /**
   * What-if switch of the profile: the relay's "mark sent" commits without waiting for its WAL flush
   * (synchronous_commit off for that one statement). Losing such a mark in a crash only republishes rows, which
   * JetStream drops as duplicates.
   */
  asyncMark = false;

  /** The relay keeps its pool private; a probe that cannot find it just reports less. */
  attach(relay: OutboxRelay): void {
    // The relay publishes through a publisher of its own on the connection (not js.publish): time that instead.
    const publisher = (
      relay as unknown as { publisher?: { publish: (...args: unknown[]) => Promise<unknown> } }
    ).publisher;
    if (publisher && typeof publisher.publish === 'function') {
      const publish = publisher.publish.bind(publisher);
      const publishes = this.publishes;
      publisher.publish = async (...args: unknown[]) => {
        const start = now();
        try {
          return await publish(...args);
        } finally {
          publishes.push({ start, end: now() });
        }
      };
    }
    const pool = (relay as unknown as { pool?: pg.Pool }).pool;
    if (!pool || typeof pool.query !== 'function') return;
    const query = pool.query.bind(pool) as (
      text: string | pg.QueryConfig,
      values?: unknown[],
    ) => Promise<pg.QueryResult>;
    const replacement = async (
      textOrConfig: string | pg.QueryConfig,
      values?: unknown[],
    ): Promise<pg.QueryResult> => {
      // The relay's fetch is a named (prepared) statement, given as a query config.
      if (typeof textOrConfig !== 'string') {
        const start = now();
        const result = await query(textOrConfig);
        if (textOrConfig.text.startsWith('WITH marked') || textOrConfig.text.startsWith('SELECT seq'))
          this.fetches.push({ start, end: now(), rows: result.rowCount ?? 0 });
        return result;
      }
      const text = textOrConfig;
      const start = now();
      // The relay's fetch also carries the "sent" marks of its last round (one statement, WITH marked AS (UPDATE …)
      // SELECT …); a mark on its own is a plain UPDATE.
      const isFetch = text.startsWith('SELECT seq') || text.startsWith('WITH marked');
      const isMark = !isFetch && text.includes('SET sent_at = now()');
      const sql =
        isMark && this.asyncMark
          ? `${text} AND set_config('synchronous_commit', 'off', true) IS NOT NULL`
          : text;
      const result = await query(sql, values);
      if (isFetch) this.fetches.push({ start, end: now(), rows: result.rowCount ?? 0 });
      else if (isMark) this.marks.push({ start, end: now() });
      return result;
    };
    (pool as unknown as { query: typeof replacement }).query = replacement;
    this.attached = true;
  }
}

/** Spans ending inside [from, to): count, mean duration and total busy time in ms. */
function spansIn<T extends Span>(
  spans: readonly T[],
  from: number,
  to: number,
): { items: T[]; meanMs: number; busyMs: number } {
  const items = spans.filter((s) => s.end >= from && s.end < to);
  const busyMs = items.reduce((sum, s) => sum + (s.end - s.start), 0);
  return { items, meanMs: items.length ? busyMs / items.length : Number.NaN, busyMs };
}

// ---------------------------------------------------------------------------------------------------------------

interface Settings {
  connections: number;
  inFlight: number;
  warmupMs: number;
  measureMs: number;
  latencyMs: number;
  consumerPool: number;
  concurrency: number;
  profile: boolean;
}

interface Environment {
  db: TestDatabase;
  prefix: string;
  topology: Topology;
  jsm: JetStreamManager;
  ncProducer: NatsConnection;
  rawStream: string;
}

/** Other work on the machine during a measured phase makes its figures pessimistic; the report says so. */
const contention: { phase: string; other: number }[] = [];

/**
 * CPU of the phase, and per operation: on a 2-core machine that PostgreSQL, NATS and the services share, CPU per
 * event decides the sustainable rate, and it barely changes when other work competes for the cores.
 */
function cpuFigures(report: Report, key: string, cpu: CpuUsage, operationsPerSecond: number): void {
  if (cpu.other > 25) contention.push({ phase: key, other: cpu.other });
  report.figure(
    `${key}.cpu`,
    'CPU, % of one core: bench / postgres / nats / other / idle',
    [cpu.bench, cpu.postgres, cpu.natsServer, cpu.other, cpu.idle].map((v) => v.toFixed(0)).join(' / '),
    '%',
  );
  const perOperation = (percent: number): string => ((percent * 10) / operationsPerSecond).toFixed(3);
  report.figure(
    `${key}.cpuPerOperation`,
    'CPU per operation: bench / postgres / nats',
    `${perOperation(cpu.bench)} / ${perOperation(cpu.postgres)} / ${perOperation(cpu.natsServer)}`,
    'ms',
  );
}

async function rawCommitRate(env: Environment, settings: Settings, report: Report): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: settings.connections }, async () => {
      const client = new pg.Client({ connectionString: env.db.url, application_name: 'bench-raw' });
      await client.connect();
      return client;
    }),
  );
  const outboxSql = 'INSERT INTO raw.outbox (id, aggregate_id, type, payload) VALUES ($1, $2, $3, $4)';
  const insertSql = businessSql('raw');
  try {
    const commits = new Counter();
    const durations: number[] = [];
    let measuring = false;
    let atStart = 0;
    let atEnd = 0;
    let cpuAtStart = cpuSnapshot();
    let cpu: CpuUsage | undefined;
    const window = await closedLoop({
      workers: settings.connections,
      warmupMs: settings.warmupMs,
      measureMs: settings.measureMs,
      operation: async (worker) => {
        const client = clients[worker];
        const event = newEvent();
        const start = now();
        await client.query('BEGIN');
        await client.query(insertSql, businessValues(event));
        await client.query(outboxSql, [event.id, event.subject, event.type, JSON.stringify(event)]);
        await client.query('COMMIT');
        commits.add();
        if (measuring) durations.push(now() - start);
      },
      onWindowStart: () => {
        atStart = commits.value;
        measuring = true;
        cpuAtStart = cpuSnapshot();
      },
      onWindowEnd: () => {
        atEnd = commits.value;
        measuring = false;
        cpu = cpuBetween(cpuAtStart, cpuSnapshot());
      },
    });
    const rate = (atEnd - atStart) / window.seconds;
    const tx = distribution(durations);
    report.startSection(
      `1. raw INSERT + outbox row, pg alone (${settings.connections} connections, closed loop)`,
    );
    report.figure('raw.commitsPerSecond', 'commits/s', rate, 'commits/s');
    report.figure('raw.transactionP50Ms', 'transaction p50 (BEGIN..COMMIT)', tx.p50, 'ms', 2);
    report.figure('raw.transactionP99Ms', 'transaction p99', tx.p99, 'ms', 2);
    cpuFigures(report, 'raw', cpu!, rate);
    return rate;
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}

/** A short closed-loop rate of one kind of producer transaction, for the profile. */
async function shortRate(
  settings: Settings,
  operation: (worker: number) => Promise<void>,
): Promise<{ rate: number; cpu: CpuUsage }> {
  const commits = new Counter();
  let atStart = 0;
  let atEnd = 0;
  let cpuAtStart = cpuSnapshot();
  let cpu: CpuUsage | undefined;
  const window = await closedLoop({
    workers: settings.connections,
    warmupMs: 500,
    measureMs: 2_000,
    operation: async (worker) => {
      await operation(worker);
      commits.add();
    },
    onWindowStart: () => {
      atStart = commits.value;
      cpuAtStart = cpuSnapshot();
    },
    onWindowEnd: () => {
      atEnd = commits.value;
      cpu = cpuBetween(cpuAtStart, cpuSnapshot());
    },
  });
  return { rate: (atEnd - atStart) / window.seconds, cpu: cpu! };
}

/** "rate  (CPU per operation: bench / postgres ms)" for the profile's one-line figures. */
function rateWithCpu(rate: number, cpu: CpuUsage): string {
  const per = (percent: number): string => ((percent * 10) / rate).toFixed(3);
  return `${Math.round(rate).toLocaleString('en-US')}  (${per(cpu.bench)} / ${per(cpu.postgres)})`;
}

async function rawPublishRate(env: Environment, settings: Settings, report: Report): Promise<void> {
  const js = jetstream(env.ncProducer);
  const subject = subjectOf(env.prefix, 'raw.proposal.endorsed.v1');
  const acks = new Counter();
  const durations: number[] = [];
  let measuring = false;
  let atStart = 0;
  let atEnd = 0;
  let cpuAtStart = cpuSnapshot();
  let cpu: CpuUsage | undefined;
  const window = await closedLoop({
    workers: settings.inFlight,
    warmupMs: settings.warmupMs,
    measureMs: settings.measureMs,
    operation: async () => {
      const event = newEvent();
      const start = now();
      await js.publish(subject, JSON.stringify(event), { msgID: event.id });
      acks.add();
      if (measuring) durations.push(now() - start);
    },
    onWindowStart: () => {
      atStart = acks.value;
      measuring = true;
      cpuAtStart = cpuSnapshot();
    },
    onWindowEnd: () => {
      atEnd = acks.value;
      measuring = false;
      cpu = cpuBetween(cpuAtStart, cpuSnapshot());
    },
  });
  const ack = distribution(durations);
  report.startSection(
    `2. raw JetStream publish with ack (${settings.inFlight} in flight, msg id set, file storage)`,
  );
  const rate = (atEnd - atStart) / window.seconds;
  report.figure('rawPublish.perSecond', 'acknowledged publishes/s', rate, 'msg/s');
  report.figure('rawPublish.ackP50Ms', 'publish-to-ack p50', ack.p50, 'ms', 2);
  report.figure('rawPublish.ackP99Ms', 'publish-to-ack p99', ack.p99, 'ms', 2);
  cpuFigures(report, 'rawPublish', cpu!, rate);
}

interface Platform {
  recorder: Recorder;
  producerDs: DataSource;
  relay: OutboxRelay;
  relayProbe: RelayProbe;
  consumer: ConsumerThread;
  /** One producer transaction: a business row and its event; records the moment COMMIT returned. */
  produce(): Promise<void>;
  /**
   * What-if of the profile: the same transaction without the NOTIFY inside it; the relay is woken right after
   * COMMIT returned instead (what an after-commit hook of the publisher would do).
   */
  produceWakingAfterCommit(): Promise<void>;
  committed: Counter;
  close(): Promise<void>;
}

async function startPlatform(env: Environment, settings: Settings): Promise<Platform> {
  const recorder = new Recorder();
  const producerDs = new DataSource({
    type: 'postgres',
    url: env.db.url,
    poolSize: settings.connections,
    applicationName: 'bench-projects',
    logging: false,
  });
  await producerDs.initialize();
  const relayProbe = new RelayProbe();
  const relay = new OutboxRelay({
    databaseUrl: env.db.url,
    schema: PRODUCER,
    js: relayProbe.wrapJetStream(jetstream(env.ncProducer)),
    prefix: env.prefix,
    logger,
  });
  relayProbe.attach(relay);
  relay.start();
  // As the platform wires a service: commits signal the relay after the fact (no NOTIFY inside the transaction).
  const signal = OutboxSignal.attach(producerDs, PRODUCER);
  signal.onLocalSignal(() => relay.wake());

  const consumer = await ConsumerThread.start(env, settings, recorder);

  const publisher = new OutboxPublisher(PRODUCER, signal);
  const committed = new Counter();
  const insertSql = businessSql(PRODUCER);
  const produce = async (): Promise<void> => {
    const event = newEvent();
    const published = await producerDs.transaction(async (manager) => {
      await manager.query(insertSql, businessValues(event));
      return publisher.publish(manager, { type: EVENT_TYPE, subject: event.subject, data: event.data });
    });
    recorder.committedAt.set(published.id, now());
    committed.add();
  };
  const outboxSql = `INSERT INTO ${PRODUCER}.outbox (id, aggregate_id, type, payload) VALUES ($1, $2, $3, $4)`;
  const produceWakingAfterCommit = async (): Promise<void> => {
    const event = newEvent();
    await producerDs.transaction(async (manager) => {
      await manager.query(insertSql, businessValues(event));
      await manager.query(outboxSql, [event.id, event.subject, event.type, JSON.stringify(event)]);
    });
    recorder.committedAt.set(event.id, now());
    committed.add();
    relay.wake();
  };
  return {
    produceWakingAfterCommit,
    recorder,
    producerDs,
    relay,
    relayProbe,
    consumer,
    produce,
    committed,
    close: async () => {
      await consumer.close();
      await relay.stop();
      await producerDs.destroy();
    },
  };
}

async function consumerInfo(env: Environment): Promise<ConsumerInfo | undefined> {
  return env.jsm.consumers.info(streamNameOf(env.prefix, PRODUCER), CONSUMER).catch(() => undefined);
}

async function unsentRows(env: Environment): Promise<number> {
  const [row] = await env.db.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${PRODUCER}.outbox WHERE sent_at IS NULL`,
  );
  return Number(row?.n ?? 0);
}

async function sustained(
  env: Environment,
  settings: Settings,
  platform: Platform,
  report: Report,
): Promise<number> {
  const { recorder, committed, relay, relayProbe, consumer } = platform;
  recorder.reset();
  const snapshot = () => ({
    at: now(),
    committed: committed.value,
    handled: recorder.handled(),
    published: relay.statistics.published,
  });
  let start = snapshot();
  let end = snapshot();
  let cpuAtStart = cpuSnapshot();
  let cpu: CpuUsage | undefined;
  let elu = performance.eventLoopUtilization();
  let consumerElu = consumer.eventLoopUtilization();
  let loopUtilization = Number.NaN;
  let consumerLoopUtilization = Number.NaN;
  const samples: ConsumerInfo[] = [];
  let sampling = false;
  let sampler: Promise<void> = Promise.resolve();
  const window = await closedLoop({
    workers: settings.connections,
    warmupMs: settings.warmupMs,
    measureMs: settings.measureMs,
    operation: () => platform.produce(),
    onWindowStart: () => {
      start = snapshot();
      cpuAtStart = cpuSnapshot();
      elu = performance.eventLoopUtilization();
      consumerElu = consumer.eventLoopUtilization();
      sampling = true;
      sampler = (async () => {
        while (sampling) {
          const info = await consumerInfo(env);
          if (info) samples.push(info);
          await sleep(250);
        }
      })();
    },
    onWindowEnd: () => {
      end = snapshot();
      cpu = cpuBetween(cpuAtStart, cpuSnapshot());
      loopUtilization = performance.eventLoopUtilization(elu).utilization;
      consumerLoopUtilization = consumer.eventLoopUtilization(consumerElu).utilization;
      sampling = false;
    },
  });
  await sampler;
  const [unsent, info] = await Promise.all([unsentRows(env), consumerInfo(env)]);
  const seconds = window.seconds;
  const handledRate = (end.handled - start.handled) / seconds;
  const committedRate = (end.committed - start.committed) / seconds;
  const publishedRate = (end.published - start.published) / seconds;
  const backlogAtEnd = end.committed - end.handled;

  // Let the pipeline drain, so the latency run starts from an empty one.
  const drainStart = now();
  const drained = await until(() => recorder.handled() >= committed.value, 30_000);
  const drainSeconds = (now() - drainStart) / 1000;
  const saturated = recorder.latencies();
  const saturatedDistribution = distribution(saturated.values);

  report.startSection(
    `3. platform path, producers flat out (${settings.connections} producer transactions, relay batch default, ` +
      `consumer concurrency ${settings.concurrency}, consumer pool ${settings.consumerPool})`,
  );
  report.figure(
    'platform.handledPerSecond',
    'sustained end-to-end: events handled/s',
    handledRate,
    'events/s',
  );
  report.figure(
    'platform.committedPerSecond',
    'producer commits/s (outbox rows written)',
    committedRate,
    'commits/s',
  );
  report.figure('platform.publishedPerSecond', 'relay publishes/s', publishedRate, 'msg/s');
  report.figure(
    'platform.backlogAtEnd',
    'backlog at end of window: committed, not handled',
    backlogAtEnd,
    'events',
  );
  report.figure('platform.backlogUnsent', '  of which still in the outbox (unsent)', unsent, 'rows');
  report.figure(
    'platform.backlogStream',
    '  of which in JetStream, not yet acknowledged',
    info ? info.num_pending + info.num_ack_pending : null,
    'msgs',
  );
  report.figure(
    'platform.drainSeconds',
    drained ? 'time to drain the backlog afterwards' : 'NOT drained after',
    drainSeconds,
    's',
    1,
  );
  report.figure(
    'platform.saturatedP50Ms',
    'commit-to-handled under saturation p50',
    saturatedDistribution.p50,
    'ms',
    1,
  );
  report.figure(
    'platform.saturatedP99Ms',
    'commit-to-handled under saturation p99',
    saturatedDistribution.p99,
    'ms',
    1,
  );
  cpuFigures(report, 'platform', cpu!, handledRate);
  report.figure(
    'platform.eventLoopUtilization',
    'event loop busy: producers + relay thread / consumer thread',
    `${(loopUtilization * 100).toFixed(0)} / ${(consumerLoopUtilization * 100).toFixed(0)}`,
    '%',
  );

  // Where the time goes.
  const from = start.at;
  const to = end.at;
  const fetches = spansIn(relayProbe.fetches, from, to);
  const marks = spansIn(relayProbe.marks, from, to);
  const publishes = spansIn(relayProbe.publishes, from, to);
  const consumerTx = await consumer.summary(from, to);
  const windowMs = to - from;
  if (relayProbe.attached && fetches.items.length > 0) {
    const rows = fetches.items.reduce((sum, f) => sum + f.rows, 0);
    const rounds = fetches.items.filter((f) => f.rows > 0).length;
    // A round = fetch, publish the batch and wait for every ack, mark sent; the relay then fetches again.
    const publishPhaseMs = Math.max(
      0,
      windowMs - fetches.busyMs - marks.busyMs - idleOf(relayProbe, from, to),
    );
    report.startSection('3a. where the time goes: relay (one round = fetch, publish all, mark sent)');
    report.figure('relay.rounds', 'rounds with rows in the window', rounds, 'rounds');
    report.figure(
      'relay.rowsPerRound',
      'rows per round (batch size 500 by default)',
      rounds ? rows / rounds : null,
      'rows',
      1,
    );
    report.figure(
      'relay.fetchMs',
      'fetch: mean ms / share of window',
      `${fetches.meanMs.toFixed(2)} / ${pct(fetches.busyMs, windowMs)}`,
      'ms / %',
    );
    report.figure(
      'relay.publishPhase',
      'publish the batch until the last ack: share of window',
      pct(publishPhaseMs, windowMs),
      '%',
    );
    report.figure(
      'relay.publishAckMs',
      'single publish-to-ack mean / p99',
      `${publishes.meanMs.toFixed(2)} / ${distribution(publishes.items.map((p) => p.end - p.start)).p99.toFixed(2)}`,
      'ms',
    );
    report.figure(
      'relay.markMs',
      'mark sent: mean ms / share of window',
      `${marks.meanMs.toFixed(2)} / ${pct(marks.busyMs, windowMs)}`,
      'ms / %',
    );
    report.figure(
      'relay.idle',
      'waiting for NOTIFY (no unsent row): share of window',
      pct(idleOf(relayProbe, from, to), windowMs),
      '%',
    );
  }
  report.startSection('3b. where the time goes: consumer and database');
  report.figure(
    'consumer.transactions',
    'consumer transactions in the window',
    consumerTx.transactions,
    'tx',
  );
  report.figure(
    'consumer.transactionMs',
    'consumer transaction incl. pool wait: mean',
    consumerTx.meanMs,
    'ms',
    2,
  );
  report.figure(
    'consumer.meanConcurrency',
    'consumer transactions open at once: mean / max',
    `${(consumerTx.busyMs / windowMs).toFixed(1)} / ${consumerTx.maxOpen}`,
    'tx',
  );
  if (samples.length > 0) {
    const mean = (pick: (i: ConsumerInfo) => number): number =>
      samples.reduce((s, i) => s + pick(i), 0) / samples.length;
    report.figure(
      'consumer.ackPending',
      'delivered, not yet acknowledged (mean of samples)',
      mean((i) => i.num_ack_pending),
      'msgs',
      1,
    );
    report.figure(
      'consumer.streamPending',
      'in the stream, not yet delivered (mean of samples)',
      mean((i) => i.num_pending),
      'msgs',
      1,
    );
  }
  const published = end.published - start.published;
  report.figure(
    'platform.transactionsPerEvent',
    'database transactions per event: producer + consumer + relay (fetch, mark)',
    published > 0 ? `1 + 1 + ${((fetches.items.length + marks.items.length) / published).toFixed(2)}` : null,
    'tx',
  );
  return handledRate;
}

function pct(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(0)}`;
}

/** Time the relay spent between an empty fetch and its next fetch: waiting for a notification. */
function idleOf(probe: RelayProbe, from: number, to: number): number {
  let idle = 0;
  const fetches = probe.fetches;
  for (let i = 0; i < fetches.length; i++) {
    const f = fetches[i];
    if (f.rows !== 0) continue;
    const next = fetches[i + 1]?.start ?? to;
    const a = Math.max(from, f.end);
    const b = Math.min(to, next);
    if (b > a) idle += b - a;
  }
  return idle;
}

async function latencyAtQuarterLoad(
  settings: Settings,
  platform: Platform,
  rawRate: number,
  report: Report,
): Promise<number> {
  const { recorder } = platform;
  recorder.reset();
  const rate = rawRate * LATENCY_LOAD;
  const cpuAtStart = cpuSnapshot();
  const run = await openLoop({
    ratePerSecond: rate,
    durationMs: settings.latencyMs,
    maxInFlight: settings.connections * 4,
    operation: () => platform.produce(),
  });
  const cpu = cpuBetween(cpuAtStart, cpuSnapshot());
  const allHandled = await until(() => recorder.allHandled(), 10_000);
  const { values, unhandled, clamped } = recorder.latencies();
  const latency = distribution(values);
  report.startSection(
    `4. latency at ${LATENCY_LOAD} x raw commit rate (open loop, ${(settings.latencyMs / 1000).toFixed(0)} s)`,
  );
  report.figure('latency.offeredPerSecond', 'offered rate', rate, 'events/s');
  report.figure(
    'latency.achievedPerSecond',
    'achieved producer rate',
    (run.started - run.failures) / run.seconds,
    'events/s',
  );
  report.figure('latency.events', 'events measured', latency.count, 'events');
  report.figure('latency.p50Ms', 'commit-to-handled p50', latency.p50, 'ms', 1);
  report.figure('latency.p90Ms', 'commit-to-handled p90', latency.p90, 'ms', 1);
  report.figure('latency.p99Ms', 'commit-to-handled p99', latency.p99, 'ms', 1);
  report.figure('latency.maxMs', 'commit-to-handled max', latency.max, 'ms', 1);
  cpuFigures(report, 'latency', cpu, (run.started - run.failures) / run.seconds);
  if (run.skippedForInFlightLimit > 0)
    report.note(
      `latency run: ${run.skippedForInFlightLimit} events not offered because ${settings.connections * 4} were in flight`,
    );
  if (run.failures > 0) report.note(`latency run: ${run.failures} producer transactions failed`);
  if (!allHandled || unhandled > 0)
    report.note(`latency run: ${unhandled} committed events not handled within 10 s after the run`);
  if (clamped > 0)
    report.note(
      `latency run: ${clamped} events handled before their producer saw COMMIT return (counted as 0 ms)`,
    );
  return latency.p99;
}

/**
 * Information beside target 2: the same open-loop measurement at a quarter of the rate the platform path itself
 * sustained, i.e. the latency of the path when it is not overloaded.
 */
async function latencyAtQuarterOfPlatform(
  platform: Platform,
  settings: Settings,
  handledRate: number,
  report: Report,
): Promise<void> {
  const { recorder } = platform;
  await until(() => recorder.allHandled(), 10_000);
  recorder.reset();
  const rate = Math.max(1, handledRate * LATENCY_LOAD);
  await openLoop({
    ratePerSecond: rate,
    durationMs: 3_000,
    maxInFlight: settings.connections * 4,
    operation: () => platform.produce(),
  });
  await until(() => recorder.allHandled(), 10_000);
  const latency = distribution(recorder.latencies().values);
  report.startSection(
    `4b. information: latency at ${LATENCY_LOAD} x the platform path's own sustained rate (open loop, 3 s)`,
  );
  report.figure('latencyLight.offeredPerSecond', 'offered rate', rate, 'events/s');
  report.figure('latencyLight.p50Ms', 'commit-to-handled p50', latency.p50, 'ms', 1);
  report.figure('latencyLight.p99Ms', 'commit-to-handled p99', latency.p99, 'ms', 1);
  report.figure('latencyLight.maxMs', 'commit-to-handled max', latency.max, 'ms', 1);
}

/**
 * `--profile`: takes the platform path apart. Producer transactions with and without the NOTIFY that
 * OutboxPublisher adds (raw pg and TypeORM), then the relay and the consumer draining a backlog on their own.
 */
async function profile(
  env: Environment,
  settings: Settings,
  platform: Platform,
  rawRate: number,
  report: Report,
): Promise<void> {
  const clients = await Promise.all(
    Array.from({ length: settings.connections }, async () => {
      const client = new pg.Client({ connectionString: env.db.url, application_name: 'bench-profile' });
      await client.connect();
      return client;
    }),
  );
  const outboxSql = 'INSERT INTO raw.outbox (id, aggregate_id, type, payload) VALUES ($1, $2, $3, $4)';
  const insertSql = businessSql('raw');
  const rawLoop =
    (extra: string[]) =>
    async (worker: number): Promise<void> => {
      const client = clients[worker];
      const event = newEvent();
      await client.query('BEGIN');
      await client.query(insertSql, businessValues(event));
      await client.query(outboxSql, [event.id, event.subject, event.type, JSON.stringify(event)]);
      for (const sql of extra) await client.query(sql);
      await client.query('COMMIT');
    };
  // The schema "raw" has no relay listening: these measure the producer transaction alone.
  const rawPublisher = new OutboxPublisher('raw');
  type Measured = Awaited<ReturnType<typeof shortRate>>;
  let rawPlain: Measured;
  let rawNotify: Measured;
  let rawAfterCommit: Measured;
  let typeorm: Measured;
  let typeormNoNotify: Measured;
  try {
    rawPlain = await shortRate(settings, rawLoop([]));
    rawNotify = await shortRate(settings, rawLoop([`SELECT pg_notify('outbox_raw', '')`]));
    rawAfterCommit = await shortRate(settings, async (worker) => {
      await rawLoop([])(worker);
      await clients[worker].query(
        `SELECT set_config('synchronous_commit', 'off', true), pg_notify('outbox_raw', '')`,
      );
    });
    typeorm = await shortRate(settings, async () => {
      const event = newEvent();
      await platform.producerDs.transaction(async (manager) => {
        await manager.query(insertSql, businessValues(event));
        await rawPublisher.publish(manager, { type: EVENT_TYPE, subject: event.subject, data: event.data });
      });
    });
    typeormNoNotify = await shortRate(settings, async () => {
      const event = newEvent();
      await platform.producerDs.transaction(async (manager) => {
        await manager.query(insertSql, businessValues(event));
        await manager.query(outboxSql, [event.id, event.subject, event.type, JSON.stringify(event)]);
      });
    });
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
  report.startSection(
    'profile: producer transactions alone, 2.5 s each: commits/s (CPU per commit: bench / postgres ms)',
  );
  const row = (key: string, label: string, measured: Measured): void =>
    report.figure(key, label, rateWithCpu(measured.rate, measured.cpu), 'commits/s');
  row('profile.raw', 'raw pg: INSERT + outbox row (as figure 1)', rawPlain);
  row('profile.rawNotify', 'raw pg: INSERT + outbox row + pg_notify in the transaction', rawNotify);
  row(
    'profile.rawNotifyAfterCommit',
    'raw pg: INSERT + outbox row, pg_notify after COMMIT (synchronous_commit off)',
    rawAfterCommit,
  );
  row('profile.typeorm', 'TypeORM transaction + OutboxPublisher.publish (with NOTIFY)', typeorm);
  row('profile.typeormNoNotify', 'TypeORM transaction, the same INSERTs without NOTIFY', typeormNoNotify);

  // A backlog of outbox rows written at once, without NOTIFY; then the relay and the consumer drain it.
  const backlog = 5_000;
  const events = Array.from({ length: backlog }, () => newEvent());
  const handledBefore = platform.recorder.handled();
  const publishedBefore = platform.relay.statistics.published;
  platform.recorder.reset();
  await env.db.query(
    `INSERT INTO ${PRODUCER}.outbox (id, aggregate_id, type, payload) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::json[])`,
    [
      events.map((e) => e.id),
      events.map((e) => e.subject),
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e)),
    ],
  );
  const start = now();
  const cpuAtStart = cpuSnapshot();
  const fetchesBefore = platform.relayProbe.fetches.length;
  platform.relay.wake();
  await platform.relay.waitUntilIdle(30_000);
  const relaySeconds = (now() - start) / 1000;
  const cpuAtRelayIdle = cpuSnapshot();
  const handledAtRelayIdle = platform.recorder.handled();
  const relayed = platform.relay.statistics.published - publishedBefore;
  const rounds = platform.relayProbe.fetches.slice(fetchesBefore).filter((f) => f.rows > 0).length;
  const drained = await until(() => platform.recorder.handled() - handledBefore >= backlog, 30_000);
  const consumerSeconds = (now() - start) / 1000;
  const handledInDrain = platform.recorder.handled() - handledBefore;
  // Once the relay is idle only the consumer works: its CPU per event, and from it roughly the relay's.
  const consumerCpu = cpuBetween(cpuAtRelayIdle, cpuSnapshot());
  const consumerOnly = platform.recorder.handled() - handledAtRelayIdle;
  const relayPhaseCpu = cpuBetween(cpuAtStart, cpuAtRelayIdle);
  const perEvent = (percent: number, seconds: number, events: number): number =>
    events > 0 ? (percent * 10 * seconds) / events : Number.NaN;
  const consumerSeconds2 = (now() - (start + relaySeconds * 1000)) / 1000;
  const consumerBench = perEvent(consumerCpu.bench, consumerSeconds2, consumerOnly);
  const consumerPostgres = perEvent(consumerCpu.postgres, consumerSeconds2, consumerOnly);
  const handledDuringRelay = handledAtRelayIdle - handledBefore;
  const relayBench =
    relayed > 0
      ? (relayPhaseCpu.bench * 10 * relaySeconds - handledDuringRelay * consumerBench) / relayed
      : Number.NaN;
  const relayPostgres =
    relayed > 0
      ? (relayPhaseCpu.postgres * 10 * relaySeconds - handledDuringRelay * consumerPostgres) / relayed
      : Number.NaN;
  report.startSection(`profile: relay and consumer draining ${backlog} outbox rows written at once`);
  report.figure(
    'profile.relayDrain',
    'relay: rows published/s (full batches)',
    relayed / relaySeconds,
    'rows/s',
  );
  report.figure('profile.relayRounds', 'relay: rounds', rounds, 'rounds');
  report.figure(
    'profile.relayCpu',
    'relay: CPU per row, bench / postgres (approx.)',
    `${relayBench.toFixed(3)} / ${relayPostgres.toFixed(3)}`,
    'ms',
  );
  report.figure(
    'profile.consumerDrain',
    drained ? 'consumer: events handled/s while draining' : 'consumer: NOT drained within 30 s',
    handledInDrain / consumerSeconds,
    'events/s',
  );
  report.figure(
    'profile.consumerCpu',
    'consumer: CPU per event, bench / postgres',
    `${consumerBench.toFixed(3)} / ${consumerPostgres.toFixed(3)}`,
    'ms',
  );

  report.startSection('profile: what-if, the platform path with the suggested fixes simulated (3 s each)');
  const rawQuarter = rawRate * LATENCY_LOAD;
  const noNotify = await whatIf(platform, settings, rawQuarter, () => platform.produceWakingAfterCommit());
  report.figure(
    'whatIf.afterCommitWake.handled',
    'no NOTIFY in the transaction, wake after COMMIT: handled/s',
    noNotify.handledRate,
    'events/s',
  );
  report.figure(
    'whatIf.afterCommitWake.p99',
    `  p99 commit-to-handled at ${LATENCY_LOAD} x raw rate`,
    noNotify.p99,
    'ms',
    1,
  );
  platform.relayProbe.asyncMark = true;
  try {
    const both = await whatIf(platform, settings, rawQuarter, () => platform.produceWakingAfterCommit());
    report.figure(
      'whatIf.asyncMark.handled',
      '  and the relay marks rows sent without waiting for fsync: handled/s',
      both.handledRate,
      'events/s',
    );
    report.figure(
      'whatIf.asyncMark.p99',
      `  p99 commit-to-handled at ${LATENCY_LOAD} x raw rate`,
      both.p99,
      'ms',
      1,
    );
  } finally {
    platform.relayProbe.asyncMark = false;
  }
}

/** Sustained handled/s with producers flat out, then p99 at a given rate, for one producer variant. */
async function whatIf(
  platform: Platform,
  settings: Settings,
  latencyRate: number,
  produce: () => Promise<void>,
): Promise<{ handledRate: number; p99: number }> {
  const { recorder, committed } = platform;
  // Events handled that no producer of this process committed (the profile's backlog) shift the balance.
  const offset = recorder.handled() - committed.value;
  const drained = (): boolean => recorder.handled() - committed.value >= offset;
  let atStart = 0;
  let atEnd = 0;
  const window = await closedLoop({
    workers: settings.connections,
    warmupMs: 500,
    measureMs: 3_000,
    operation: produce,
    onWindowStart: () => void (atStart = recorder.handled()),
    onWindowEnd: () => void (atEnd = recorder.handled()),
  });
  await until(drained, 30_000);
  recorder.reset();
  await openLoop({
    ratePerSecond: latencyRate,
    durationMs: 3_000,
    maxInFlight: settings.connections * 4,
    operation: produce,
  });
  await until(() => recorder.allHandled(), 10_000);
  return {
    handledRate: (atEnd - atStart) / window.seconds,
    p99: distribution(recorder.latencies().values).p99,
  };
}

async function setUp(context: SuiteContext): Promise<Environment> {
  const db = await createTestDatabase();
  try {
    await createSchema(db, 'raw');
    await createSchema(db, PRODUCER);
    await createSchema(db, CONSUMER);
    const prefix = uniqueName('bench');
    // Production settings (ack wait 30 s), only the names are private to this run.
    const topology = buildTopology({ prefix });
    const url = testSettings().NATS_URL;
    const ncProducer = await connectNats({ url, name: `bench-${PRODUCER}` });
    const jsm = await jetstreamManager(ncProducer);
    await provisionTopology(jsm, topology);
    const template = topology.streams[0];
    const rawStream = `${prefix}RAW`;
    await jsm.streams.add({ ...template, name: rawStream, subjects: [subjectOf(prefix, 'raw.>')] });
    context.progress(`database ${db.name}, NATS prefix ${prefix}`);
    return { db, prefix, topology, jsm, ncProducer, rawStream };
  } catch (error) {
    await db.drop().catch(() => undefined);
    throw error;
  }
}

async function tearDown(env: Environment): Promise<void> {
  await env.jsm.streams.delete(env.rawStream).catch(() => undefined);
  await deleteTopology(env.jsm, env.topology).catch(() => undefined);
  await env.ncProducer.drain().catch(() => undefined);
  await env.db.drop().catch(() => undefined);
}

runSuite(
  'messaging',
  'Wandelwerk benchmark: messaging (outbox -> relay -> JetStream -> inbox)',
  async (context) => {
    const { report } = context;
    const settings: Settings = {
      connections: context.numberOption('connections', 16),
      inFlight: context.numberOption('in-flight', 64),
      warmupMs: context.numberOption('warmup-ms', 1_000),
      measureMs: context.numberOption('measure-ms', 5_000),
      latencyMs: context.numberOption('latency-ms', 5_000),
      consumerPool: context.numberOption('consumer-pool', PLATFORM_POOL_SIZE),
      concurrency: context.numberOption('concurrency', PLATFORM_CONCURRENCY),
      profile: context.flag('profile'),
    };
    Object.assign(report.settings, settings, { eventBytes: EVENT_BYTES, eventType: EVENT_TYPE });

    const env = await setUp(context);
    const stop = (): void => {
      context.progress('interrupted: removing the database and streams');
      void tearDown(env).finally(() => process.exit(130));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let platform: Platform | undefined;
    try {
      const [pgVersion] = await env.db.query<{ server_version: string }>('SHOW server_version');
      report.servers['PostgreSQL'] = pgVersion?.server_version.split(' ')[0] ?? 'unknown';
      report.servers['NATS'] = env.ncProducer.info?.version ?? 'unknown';
      const [autovacuum] = await env.db.query<{ autovacuum: string }>('SHOW autovacuum');
      const [syncCommit] = await env.db.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
      report.servers['PostgreSQL settings'] =
        `synchronous_commit=${syncCommit?.synchronous_commit}, autovacuum=${autovacuum?.autovacuum}`;

      context.progress('1/4 raw INSERT + outbox commits through pg');
      const rawRate = await rawCommitRate(env, settings, report);
      context.progress(`    ${rawRate.toFixed(0)} commits/s`);

      context.progress('2/4 raw JetStream publish with ack');
      await rawPublishRate(env, settings, report);

      context.progress('3/4 platform path, producers flat out');
      platform = await startPlatform(env, settings);
      const handledRate = await sustained(env, settings, platform, report);
      context.progress(`    ${handledRate.toFixed(0)} events handled/s`);

      context.progress(`4/4 latency at ${LATENCY_LOAD} x ${rawRate.toFixed(0)} commits/s`);
      const p99 = await latencyAtQuarterLoad(settings, platform, rawRate, report);
      await latencyAtQuarterOfPlatform(platform, settings, handledRate, report);

      const effects = await env.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${CONSUMER}.reservations`);
      const handledEvents = Number(effects[0]?.n ?? 0);
      if (handledEvents !== platform.committed.value)
        report.note(
          `${platform.committed.value} events committed but ${handledEvents} effect rows (expected equal)`,
        );

      if (settings.profile) {
        context.progress('profile: producer transactions alone, relay and consumer draining a backlog');
        await profile(env, settings, platform, rawRate, report);
      }

      await platform.close();
      platform = undefined;

      if (contention.length > 0)
        report.note(
          `other processes used CPU while measuring (${contention.map((c) => `${c.phase}: ${c.other.toFixed(0)} %`).join(', ')} of one core); ` +
            'the figures understate what this machine does when it is quiet',
        );

      report.startSection('ratios');
      report.figure(
        'ratio.endToEndOverRaw',
        'end-to-end handled/s over raw commits/s',
        handledRate / rawRate,
        'x',
        2,
      );
      report.target(
        'target.ratio',
        'end-to-end / raw commit rate',
        handledRate / rawRate,
        '>=',
        TARGET_RATIO,
        '',
        2,
      );
      report.target(
        'target.p99',
        `p99 commit-to-handled at ${LATENCY_LOAD} x raw rate`,
        p99,
        '<=',
        TARGET_P99_MS,
        'ms',
        1,
      );
    } finally {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      await platform?.close().catch(() => undefined);
      await tearDown(env);
    }
  },
);
