import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Controller, Inject, Module, NotFoundException, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { buildCloudEvent, type CloudEvent } from '@wandelwerk/contracts';
import { JsonLogger } from '@wandelwerk/observability';
import {
  createTestDatabase,
  startPrivateNatsServer,
  testSettings,
  waitFor,
  type TestDatabase,
} from '@wandelwerk/testing';
import { createTestTopology, type TestTopology } from './testing/index.js';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { connectNats } from './nats/nats-connection.js';
import { messagingTablesUp } from './outbox/messaging-tables.js';
import { OutboxPublisher } from './outbox/outbox.publisher.js';
import { OutboxSignal } from './outbox/outbox-signal.js';
import { OutboxRelay } from './outbox/outbox-relay.js';
import { DeadLetterAdmin, type DeadLetterEntry } from './dead-letter/dead-letter-admin.js';
import { EventContext } from './transport/event-context.js';
import { JetStreamTransport } from './transport/jetstream.transport.js';
import { RethrowErrorsFilter } from './transport/rethrow-errors.filter.js';
import { RpcClient } from './rpc/rpc-client.js';
import { streamNameOf, subjectOf, buildTopology } from './topology/topology.js';
import { provisionTopology } from './topology/provision.js';

// The "funding" service of this harness consumes projects events; its effect is a row per handled event.
const SERVICE = 'funding';
const SCHEMA = 'funding';
const EVENT_TYPE = 'projects.proposal.endorsed.v1';
const logger = new JsonLogger('messaging-test', testSettings().TEST_LOG_LEVEL);

/** Test-controlled behaviour of the handler: how often it fails before it succeeds, per event id. */
class HandlerScript {
  failuresBeforeSuccess = new Map<string, number>();
  alwaysFail = false;
  attempts = new Map<string, number>();
  order: string[] = [];
  slowMs = 0;
  /** Write the effect in a transaction nested in the event's (a savepoint). */
  nested = false;
  /** Event ids whose first attempt swallows a database error (which silently aborts the transaction). */
  swallowOnce = new Set<string>();
}

const SCRIPT = Symbol('script');

@Controller()
class HarnessController {
  constructor(@Inject(SCRIPT) private readonly script: HandlerScript) {}

  @EventPattern<string>(EVENT_TYPE)
  async onEndorsed(@Payload() event: CloudEvent<{ n: number }>, @Ctx() ctx: EventContext): Promise<void> {
    const attempts = (this.script.attempts.get(event.id) ?? 0) + 1;
    this.script.attempts.set(event.id, attempts);
    const effect = [event.id, event.subject, event.data.n];
    if (this.script.swallowOnce.delete(event.id)) {
      // The "ignore the error" mistake: PostgreSQL has aborted the transaction, and COMMIT will roll it back.
      await ctx.manager.query('SELECT 1 / 0').catch(() => undefined);
      return;
    }
    const insert = `INSERT INTO ${SCHEMA}.effects (event_id, aggregate, n) VALUES ($1, $2, $3)`;
    if (this.script.nested) {
      await ctx.manager.transaction((inner) => inner.query(insert, effect));
    } else {
      await ctx.manager.query(insert, effect);
    }
    if (this.script.slowMs) await new Promise((resolve) => setTimeout(resolve, this.script.slowMs));
    if (this.script.alwaysFail || attempts <= (this.script.failuresBeforeSuccess.get(event.id) ?? 0)) {
      throw new Error(`handler refused attempt ${attempts}`);
    }
    this.script.order.push(`${event.subject}:${event.data.n}`);
    await ctx.publish({
      type: 'funding.allocation.requested.v1',
      subject: event.subject,
      data: { for: event.id },
    });
  }

  @MessagePattern('funding.echo')
  echo(@Payload() payload: { text: string }): { text: string } {
    return { text: payload.text.toUpperCase() };
  }

  @MessagePattern('funding.missing')
  missing(): never {
    throw new NotFoundException({ title: 'Not Found', detail: 'Allokation nicht gefunden', status: 404 });
  }

  @MessagePattern('funding.slow')
  async slow(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return 'late';
  }
}

interface Harness {
  app: INestMicroservice;
  script: HandlerScript;
  dataSource: DataSource;
  close(): Promise<void>;
}

describe('messaging backbone on PostgreSQL and JetStream', () => {
  let db: TestDatabase;
  let topo: TestTopology;
  const projectsOutbox = new OutboxPublisher('projects');
  const closers: (() => Promise<void>)[] = [];

  async function startConsumer(
    options: { maxAttempts?: number; isolationLevel?: 'REPEATABLE READ' } = {},
  ): Promise<Harness> {
    const script = new HandlerScript();
    const dataSource = new DataSource({
      type: 'postgres',
      url: db.url,
      poolSize: 8,
      ...(options.isolationLevel ? { isolationLevel: options.isolationLevel } : {}),
    });
    await dataSource.initialize();
    @Module({ controllers: [HarnessController], providers: [{ provide: SCRIPT, useValue: script }] })
    class HarnessModule {}
    const transport = new JetStreamTransport({
      service: SERVICE,
      nc: topo.nc,
      dataSource,
      schema: SCHEMA,
      prefix: topo.prefix,
      logger,
      retry: { maxAttempts: options.maxAttempts ?? 3, baseDelayMs: 50, maxDelayMs: 200 },
      concurrency: 8,
    });
    const app = await NestFactory.createMicroservice(HarnessModule, { strategy: transport, logger: false });
    app.useGlobalFilters(new RethrowErrorsFilter());
    await app.listen();
    const harness: Harness = {
      app,
      script,
      dataSource,
      close: async () => {
        await app.close();
        await dataSource.destroy();
      },
    };
    closers.push(harness.close);
    return harness;
  }

  function startRelay(
    overrides: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {},
    schema = 'projects',
  ): OutboxRelay {
    const relay = new OutboxRelay({
      databaseUrl: db.url,
      schema,
      js: jetstream(topo.nc),
      prefix: topo.prefix,
      logger,
      maxBackoffMs: 200,
      ...overrides,
    });
    relay.start();
    closers.push(() => relay.stop());
    return relay;
  }

  /** The producer side: a "projects" change and its event in one transaction. */
  async function produce(events: { aggregate: string; n: number }[]): Promise<CloudEvent[]> {
    const ds = new DataSource({ type: 'postgres', url: db.url, poolSize: 1 });
    await ds.initialize();
    try {
      return await ds.transaction((manager) =>
        projectsOutbox.publishAll(
          manager,
          events.map((e) => ({
            type: EVENT_TYPE,
            subject: e.aggregate,
            data: { n: e.n },
            correlationId: 'corr-1',
          })),
        ),
      );
    } finally {
      await ds.destroy();
    }
  }

  const effects = async (): Promise<{ event_id: string; n: number }[]> =>
    db.query(`SELECT event_id, n FROM ${SCHEMA}.effects ORDER BY n`);
  const streamCount = async (producer: 'projects' | 'funding'): Promise<number> =>
    (await (await jetstreamManager(topo.nc)).streams.info(streamNameOf(topo.prefix, producer))).state
      .messages;

  beforeAll(async () => {
    db = await createTestDatabase();
    for (const schema of ['projects', SCHEMA]) {
      await db.query(`CREATE SCHEMA ${schema}`);
      for (const sql of messagingTablesUp(schema)) await db.query(sql);
    }
    // Deliberately no unique key: a second effect of one event would show up as a second row.
    await db.query(
      `CREATE TABLE ${SCHEMA}.effects (event_id uuid NOT NULL, aggregate text NOT NULL, n integer NOT NULL)`,
    );
  });

  beforeEach(async () => {
    topo = await createTestTopology({ ackWaitMs: 2_000 });
    await db.query(`TRUNCATE ${SCHEMA}.effects, ${SCHEMA}.inbox, ${SCHEMA}.outbox, projects.outbox`);
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await topo.dispose();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('carries an event from the outbox to one effect and the caused event out again', async () => {
    await startConsumer();
    const fundingRelay = startRelay({}, SCHEMA);
    startRelay();
    const [event] = await produce([{ aggregate: 'p-1', n: 1 }]);
    await waitFor(async () => (await effects()).length === 1, { what: 'one effect' });
    await fundingRelay.waitUntilIdle();
    const caused = await db.query<{ payload: CloudEvent }>(`SELECT payload FROM ${SCHEMA}.outbox`);
    expect(caused).toHaveLength(1);
    expect(caused[0]?.payload).toMatchObject({
      type: 'funding.allocation.requested.v1',
      causationid: event?.id,
      correlationid: 'corr-1',
      source: '/wandelwerk/funding',
    });
    expect(await streamCount('funding')).toBe(1);
    const inbox = await db.query(`SELECT consumer, event_id FROM ${SCHEMA}.inbox`);
    expect(inbox).toEqual([{ consumer: SERVICE, event_id: event?.id }]);
  });

  it('loses nothing and causes no second effect when the relay dies between publishing and marking', async () => {
    await startConsumer();
    let died = false;
    const dying = startRelay({
      beforeMarkSent: () => {
        died = true;
        return Promise.reject(new Error('relay process killed'));
      },
    });
    const events = await produce([1, 2, 3, 4, 5].map((n) => ({ aggregate: `p-${n}`, n })));
    await waitFor(() => died, { what: 'the relay to publish and die' });
    await dying.stop();
    const unsent = await db.query(`SELECT id FROM projects.outbox WHERE sent_at IS NULL`);
    expect(unsent).toHaveLength(5);

    const successor = startRelay();
    await successor.waitUntilIdle();
    expect(successor.statistics.duplicates).toBe(5);
    expect(await streamCount('projects')).toBe(5);
    await waitFor(async () => (await effects()).length === 5, { what: 'five effects' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await effects()).map((e) => e.event_id).sort()).toEqual(events.map((e) => e.id).sort());
  });

  it('redelivers a failed event with growing delay until the handler succeeds, with one effect', async () => {
    const { script } = await startConsumer({ maxAttempts: 5 });
    startRelay();
    const [event] = await produce([{ aggregate: 'p-1', n: 7 }]);
    script.failuresBeforeSuccess.set(event.id, 2);
    await waitFor(async () => (await effects()).length === 1, { what: 'the effect after two failures' });
    expect(script.attempts.get(event.id)).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await effects()).toHaveLength(1); // the failed attempts' writes were rolled back
  });

  it('dead-letters an event after the last attempt, with the error, and replays it once fixed', async () => {
    const { script } = await startConsumer({ maxAttempts: 3 });
    script.alwaysFail = true;
    startRelay();
    const [event] = await produce([{ aggregate: 'p-9', n: 9 }]);
    const admin = new DeadLetterAdmin(topo.nc, topo.prefix);
    const [entry] = await waitFor<DeadLetterEntry[] | undefined>(
      async () => {
        const entries = await admin.list();
        return entries.length > 0 ? entries : undefined;
      },
      { what: 'a dead-letter entry' },
    );
    expect(entry).toMatchObject({
      consumer: SERVICE,
      originalType: EVENT_TYPE,
      originalSubject: subjectOf(topo.prefix, EVENT_TYPE),
      attempts: 3,
      eventId: event.id,
      error: 'Error: handler refused attempt 3',
    });
    expect(script.attempts.get(event.id)).toBe(3);
    expect(await effects()).toHaveLength(0);

    script.alwaysFail = false;
    await admin.replay(entry.seq);
    await waitFor(async () => (await effects()).length === 1, { what: 'the replayed effect' });
    expect(await admin.list()).toEqual([]);
  });

  it('has one effect when the same event is delivered twice', async () => {
    await startConsumer();
    // An id in upper case (valid, if unusual): PostgreSQL gives it back in lower case.
    const event = buildCloudEvent({
      type: EVENT_TYPE,
      subject: 'p-1',
      data: { n: 1 },
      correlationId: 'c',
      id: randomUUID().toUpperCase(),
    });
    const js = jetstream(topo.nc);
    // Two different message ids defeat JetStream's de-duplication: only the inbox stands between them.
    await js.publish(subjectOf(topo.prefix, EVENT_TYPE), JSON.stringify(event), { msgID: 'first' });
    await js.publish(subjectOf(topo.prefix, EVENT_TYPE), JSON.stringify(event), { msgID: 'second' });
    await waitFor(async () => (await effects()).length >= 1, { what: 'the effect' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await effects()).toHaveLength(1);
  });

  it('handles the events of one aggregate in the order they were written', async () => {
    const { script } = await startConsumer();
    script.slowMs = 5;
    startRelay();
    await produce(Array.from({ length: 20 }, (_, i) => ({ aggregate: i % 2 ? 'odd' : 'even', n: i })));
    await waitFor(async () => (await effects()).length === 20, { what: 'twenty effects' });
    const ofAggregate = (name: string): string[] => script.order.filter((o) => o.startsWith(`${name}:`));
    expect(ofAggregate('even')).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18].map((n) => `even:${n}`));
    expect(ofAggregate('odd')).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19].map((n) => `odd:${n}`));
  });

  it('handles a queued-up burst in batches and retries only the event that failed', async () => {
    const { script } = await startConsumer({ maxAttempts: 5 });
    const events = await produce(
      Array.from({ length: 200 }, (_, n) => ({ aggregate: `burst-${n % 50}`, n })),
    );
    const culprit = events[117];
    script.failuresBeforeSuccess.set(culprit.id, 1);
    startRelay(); // starts after the burst is written, so the consumer finds a queue
    await waitFor(async () => (await effects()).length === 200, { what: '200 effects', timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const handled = await effects();
    expect(new Set(handled.map((e) => e.event_id)).size).toBe(200);
    expect(handled).toHaveLength(200);
    expect(script.attempts.get(culprit.id)).toBe(2);
    const inbox = await db.query<{ count: string }>(`SELECT count(*) FROM ${SCHEMA}.inbox`);
    expect(Number(inbox[0]?.count)).toBe(200);
  });

  it('wakes the relay after commit without a NOTIFY in the writing transaction', async () => {
    await startConsumer();
    // A relay that would otherwise look only once a minute: only the signal can wake it in time.
    startRelay({ fallbackPollMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 200)); // it has looked once and sleeps
    const ds = new DataSource({ type: 'postgres', url: db.url, poolSize: 2 });
    await ds.initialize();
    try {
      const signal = OutboxSignal.attach(ds, 'projects');
      const publisher = new OutboxPublisher('projects', signal);
      const statements: string[] = [];
      await ds.transaction(async (manager) => {
        const spy = {
          query: (sql: string, params?: unknown[]) => (statements.push(sql), manager.query(sql, params)),
        };
        Object.assign(spy, { queryRunner: manager.queryRunner });
        await publisher.publish(spy, { type: EVENT_TYPE, subject: 'p-signal', data: { n: 1 } });
      });
      expect(statements.some((sql) => sql.includes('pg_notify'))).toBe(false);
      await waitFor(async () => (await effects()).length === 1, { what: 'the effect', timeoutMs: 5_000 });
    } finally {
      await ds.destroy();
    }
  });

  it('sends no NOTIFY when the relay in the same process is the active one, and one when it stands by', async () => {
    await startConsumer();
    const ds = new DataSource({ type: 'postgres', url: db.url, poolSize: 2 });
    await ds.initialize();
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    try {
      const notified: string[] = [];
      listener.on('notification', (n) => notified.push(n.channel));
      await listener.query('LISTEN outbox_projects');
      const signal = OutboxSignal.attach(ds, 'projects');
      const publisher = new OutboxPublisher('projects', signal);
      const write = (n: number): Promise<unknown> =>
        ds.transaction((manager) =>
          publisher.publish(manager, { type: EVENT_TYPE, subject: `p-local-${n}`, data: { n } }),
        );

      // This process's relay leads: it is woken directly, and no other process needs to hear of the commit.
      const local = startRelay({ fallbackPollMs: 60_000 });
      const unhook = signal.onLocalSignal(() => local.wake());
      await waitFor(() => local.statistics.isLeader, { what: 'the local relay to lead' });
      await write(1);
      await waitFor(async () => (await effects()).length === 1, { what: 'the first effect' });
      expect(signal.notificationsSent).toBe(0);
      unhook();

      // A standby in this process (another process's relay leads): the commit is announced with one NOTIFY.
      const standby = new OutboxRelay({
        databaseUrl: db.url,
        schema: 'projects',
        js: jetstream(topo.nc),
        prefix: topo.prefix,
        logger,
      });
      standby.start();
      closers.push(() => standby.stop());
      signal.onLocalSignal(() => standby.wake());
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(standby.statistics.isLeader).toBe(false);
      await write(2);
      await waitFor(async () => (await effects()).length === 2, {
        what: 'the second effect',
        timeoutMs: 5_000,
      });
      expect(signal.notificationsSent).toBe(1);
      await waitFor(() => notified.length === 1, { what: 'the NOTIFY' });
    } finally {
      await listener.end();
      await ds.destroy();
    }
  });

  it('marks what it published with its next fetch, or at stop when nothing comes', async () => {
    await startConsumer();
    // A relay that would wait a minute for more rows before marking on its own.
    const relay = startRelay({ markDelayMs: 60_000, lingerMs: 0 });
    await relay.waitUntilIdle(); // it has looked and waits to be woken
    await produce([1, 2, 3].map((n) => ({ aggregate: `p-mark-${n}`, n })));
    await waitFor(async () => (await streamCount('projects')) === 3, { what: 'three published events' });
    const unsent = async (): Promise<number> =>
      (await db.query(`SELECT id FROM projects.outbox WHERE sent_at IS NULL`)).length;
    expect(await unsent()).toBe(3); // published and acknowledged, not yet marked
    await produce([{ aggregate: 'p-mark-4', n: 4 }]); // its fetch carries the marks of the first three
    await waitFor(async () => (await streamCount('projects')) === 4, { what: 'the fourth event' });
    expect(await unsent()).toBe(1);
    await relay.stop();
    expect(await unsent()).toBe(0);
    const rounds = relay.statistics.rounds;
    expect(rounds).toBeGreaterThanOrEqual(2);
  });

  it('lets a handler nest a transaction (a savepoint) in the one of its event', async () => {
    const { script } = await startConsumer();
    script.nested = true;
    startRelay();
    const [event] = await produce([{ aggregate: 'p-nested', n: 1 }]);
    await waitFor(async () => (await effects()).length === 1, { what: 'the effect' });
    const inbox = await db.query(`SELECT event_id FROM ${SCHEMA}.inbox`);
    expect(inbox).toEqual([{ event_id: event?.id }]);
  });

  it('handles events in transactions of the isolation level the data source asks for', async () => {
    await startConsumer({ isolationLevel: 'REPEATABLE READ' });
    startRelay();
    await produce([1, 2, 3].map((n) => ({ aggregate: `p-iso-${n}`, n })));
    await waitFor(async () => (await effects()).length === 3, { what: 'three effects' });
    expect(Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${SCHEMA}.inbox`))[0]?.n)).toBe(
      3,
    );
  });

  it('does not acknowledge an event whose handler swallowed a database error, and handles it again', async () => {
    const { script } = await startConsumer({ maxAttempts: 5 });
    startRelay();
    const [event] = await produce([{ aggregate: 'p-swallow', n: 41 }]);
    script.swallowOnce.add(event.id);
    await waitFor(async () => (await effects()).length === 1, { what: 'the effect on the second attempt' });
    expect(script.attempts.get(event.id)).toBe(2);
    expect(await db.query(`SELECT event_id FROM ${SCHEMA}.inbox`)).toEqual([{ event_id: event.id }]);
  });

  it('dead-letters a message whose parse error spans lines, and goes on consuming', async () => {
    await startConsumer();
    await jetstream(topo.nc).publish(subjectOf(topo.prefix, EVENT_TYPE), 'nope\nnot json');
    const admin = new DeadLetterAdmin(topo.nc, topo.prefix);
    const [entry] = await waitFor(async () => ((await admin.list()).length ? admin.list() : undefined), {
      what: 'dead letter',
    });
    expect(entry?.error).not.toMatch(/[\r\n]/);
    expect(entry?.error).toContain('is not valid JSON');
    startRelay();
    await produce([{ aggregate: 'p-after', n: 42 }]);
    await waitFor(async () => (await effects()).length === 1, { what: 'the next event handled' });
  });

  it('dead-letters an unreadable message at once instead of retrying it', async () => {
    const { script } = await startConsumer();
    await jetstream(topo.nc).publish(subjectOf(topo.prefix, EVENT_TYPE), '{"not":"a cloud event"}');
    const admin = new DeadLetterAdmin(topo.nc, topo.prefix);
    const [entry] = await waitFor(async () => ((await admin.list()).length ? admin.list() : undefined), {
      what: 'dead letter',
    });
    expect(entry?.attempts).toBe(1);
    expect(entry?.error).toContain('specversion must be "1.0"');
    expect(script.attempts.size).toBe(0);
  });

  it('finishes the event in flight when it is closed, and acknowledges it', async () => {
    const harness = await startConsumer();
    harness.script.slowMs = 700;
    startRelay();
    await produce([{ aggregate: 'p-1', n: 1 }]);
    await waitFor(() => harness.script.attempts.size === 1, { what: 'the handler to start' });
    await harness.close();
    closers.splice(closers.indexOf(harness.close), 1);
    expect(await effects()).toHaveLength(1);
    const info = await (
      await jetstreamManager(topo.nc)
    ).consumers.info(streamNameOf(topo.prefix, 'projects'), SERVICE);
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });

  describe('request/reply', () => {
    it('answers, maps a problem to its status, and never hangs', async () => {
      await startConsumer();
      const client = new RpcClient({ nc: topo.nc, prefix: topo.prefix, timeoutMs: 300 });
      await expect(client.request('funding.echo', { text: 'glück auf' })).resolves.toEqual({
        text: 'GLÜCK AUF',
      });
      await expect(client.request('funding.missing', {})).rejects.toMatchObject({
        status: 404,
        response: expect.objectContaining({ detail: 'Allokation nicht gefunden' }),
      });
      await expect(client.request('funding.slow', {})).rejects.toMatchObject({ status: 504 });
      await expect(client.request('projects.echo', {})).rejects.toMatchObject({ status: 503 });
    });
  });

  describe('with a NATS server that goes away', () => {
    it('keeps the rows while NATS is unreachable and catches up when it is back', async () => {
      const nats = await startPrivateNatsServer();
      const nc = await connectNats({ url: nats.url, name: 'relay-under-test' });
      const topology = buildTopology({ prefix: topo.prefix });
      await provisionTopology(await jetstreamManager(nc), topology);
      const relay = startRelay({ js: jetstream(nc, { timeout: 500 }), publishTimeoutMs: 500 });
      try {
        await produce([{ aggregate: 'p-1', n: 1 }]);
        await relay.waitUntilIdle();
        await nats.stop();
        await produce([2, 3, 4].map((n) => ({ aggregate: `p-${n}`, n })));
        await waitFor(() => relay.statistics.failures > 0, { what: 'a failed publish' });
        expect(await db.query(`SELECT id FROM projects.outbox WHERE sent_at IS NULL`)).toHaveLength(3);
        await nats.start();
        await relay.waitUntilIdle(20_000);
        const info = await (await jetstreamManager(nc)).streams.info(streamNameOf(topo.prefix, 'projects'));
        expect(info.state.messages).toBe(4);
      } finally {
        await relay.stop();
        await nc.close();
        await nats.dispose();
      }
    }, 40_000);
  });
});
