import pg from 'pg';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { type JsonLogger, serializeError } from '@wandelwerk/observability';
import { subjectOf, RELAY_RETRY_HORIZON_MS } from '../topology/topology.js';
import { AckedPublisher } from './acked-publisher.js';
import { outboxChannel, quoteSchema } from './messaging-tables.js';

/**
 * Handled event ids are kept as long as anything could deliver them again: the dead-letter stream keeps entries 90
 * days, and a replay goes to every consumer of the stream, which must recognise events it handled long ago.
 */
export const INBOX_RETENTION_DAYS = 90;

export interface OutboxRelayOptions {
  databaseUrl: string;
  schema: string;
  js: JetStreamClient;
  /**
   * The connection to publish on (see AckedPublisher); by default the one `js` was made from. Without one, the relay
   * publishes through `js.publish`.
   */
  nc?: NatsConnection;
  /** NATS prefix of the topology (see topology.ts). */
  prefix: string;
  logger: JsonLogger;
  batchSize?: number;
  /** Safety net in case a notification is missed (listener reconnecting); the hot path never waits for it. */
  fallbackPollMs?: number;
  publishTimeoutMs?: number;
  maxBackoffMs?: number;
  /** Sent outbox rows and handled inbox ids older than this are deleted. */
  outboxRetentionDays?: number;
  inboxRetentionDays?: number;
  housekeepingIntervalMs?: number;
  /**
   * After a round that found rows, the next fetch starts no sooner than this many ms after the last one began, so
   * rows committed meanwhile go out together: fewer, fuller rounds under load, at the cost of at most this much
   * delay. A full batch goes on at once, and an idle relay fetches as soon as it is woken. 5 by default.
   */
  lingerMs?: number;
  /**
   * How long acknowledged rows may wait for the next fetch to carry their "sent" mark before they are marked on
   * their own. Under load the next fetch comes much sooner; the mark only spares republishing after a crash.
   */
  markDelayMs?: number;
  /** Test seam: runs after publishing and before marking rows sent, to simulate a relay that dies right there. */
  beforeMarkSent?: (eventIds: string[]) => Promise<void>;
}

interface OutboxRow {
  seq: string;
  id: string;
  aggregate_id: string;
  type: string;
  payload: string;
}

export interface RelayStats {
  /** Fetches of unsent rows (each also marks the rows of the round before). */
  rounds: number;
  published: number;
  duplicates: number;
  failures: number;
  isLeader: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Publishes outbox rows to JetStream, the event id as message id, so a row that is published twice (the relay died
 * between publishing and marking) is dropped by JetStream's de-duplication and consumers still see it once.
 *
 * One relay per service schema is active at a time (a PostgreSQL advisory lock held on the listening connection):
 * that keeps the per-aggregate order without coordination between replicas; the others stand by.
 */
export class OutboxRelay {
  private readonly pool: pg.Pool;
  private listener: pg.Client | undefined;
  private readonly logger: JsonLogger;
  private readonly channel: string;
  private readonly sql: {
    markAndFetch: string;
    markSent: string;
    markFailed: string;
    purgeOutbox: string;
    purgeInbox: string;
  };
  private running = false;
  /** Another replica holds the lock (as of the last attempt): this relay has nothing of its own in flight. */
  private standingBy = false;
  private loop: Promise<void> | undefined;
  private wakeRequested = false;
  private wakeUp: (() => void) | undefined;
  private housekeepingTimer: NodeJS.Timeout | undefined;
  private readonly stats: RelayStats = {
    rounds: 0,
    published: 0,
    duplicates: 0,
    failures: 0,
    isLeader: false,
  };
  private readonly statementName: string;
  private readonly batchSize: number;
  private readonly publisher: AckedPublisher | undefined;
  private backoffMs = 0;
  private idleWaiters: (() => void)[] = [];
  /** Published and acknowledged, not yet marked sent; the next fetch marks them (and leaves them out). */
  private unmarked: string[] = [];
  private unmarkedSince = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    const s = quoteSchema(options.schema);
    this.channel = outboxChannel(options.schema);
    this.statementName = `wandelwerk_outbox_relay_${options.schema}`;
    this.batchSize = options.batchSize ?? 500;
    const nc = options.nc ?? (options.js as unknown as { nc?: NatsConnection }).nc;
    this.publisher = nc && typeof nc.publish === 'function' ? new AckedPublisher(nc) : undefined;
    this.logger = options.logger.child({ context: 'OutboxRelay', schema: options.schema });
    this.pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 2,
      application_name: `${options.schema}-relay`,
      // A "sent" mark lost in a crash only means the row is published again, and JetStream drops the duplicate.
      // The fetch must walk the unsent-rows index in `seq` order and stop at its LIMIT: a bitmap scan (or a seq scan
      // and sort), which the planner picks when its statistics of this fast-changing table are stale, reads every
      // entry of the index each time, and never marks the entries of sent rows dead as an index scan does.
      options: '-c synchronous_commit=off -c enable_bitmapscan=off -c enable_seqscan=off',
    });
    this.pool.on('error', (error) =>
      this.logger.write('warn', 'relay pool connection failed', { err: serializeError(error) }),
    );
    this.sql = {
      // One round trip marks the rows of the last round and fetches the next: the SELECT sees the snapshot from before
      // the UPDATE, so it leaves the rows just marked out by id.
      markAndFetch: `WITH marked AS (UPDATE ${s}.outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::uuid[])) SELECT seq, id, aggregate_id, type, payload::text AS payload FROM ${s}.outbox WHERE sent_at IS NULL AND NOT (id = ANY($1::uuid[])) ORDER BY seq LIMIT $2`,
      markSent: `UPDATE ${s}.outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::uuid[])`,
      markFailed: `UPDATE ${s}.outbox o SET attempts = attempts + 1, last_error = f.error
        FROM unnest($1::uuid[], $2::text[]) AS f(id, error) WHERE o.id = f.id`,
      purgeOutbox: `DELETE FROM ${s}.outbox WHERE seq IN (SELECT seq FROM ${s}.outbox WHERE sent_at < now() - make_interval(days => $1) LIMIT 10000)`,
      purgeInbox: `DELETE FROM ${s}.inbox WHERE ctid IN (SELECT ctid FROM ${s}.inbox WHERE handled_at < now() - make_interval(days => $1) LIMIT 10000)`,
    };
  }

  get statistics(): Readonly<RelayStats> {
    return { ...this.stats };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    this.housekeepingTimer = setInterval(
      () => void this.housekeeping(),
      this.options.housekeepingIntervalMs ?? 3600_000,
    );
    this.housekeepingTimer.unref();
  }

  /** Finishes the batch in flight, marks what it sent, releases leadership and closes its connections. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.housekeepingTimer);
    this.wake();
    await this.loop;
    await this.flushMarks().catch((error: unknown) =>
      this.logger.write('warn', 'marking outbox rows sent failed at stop; they will be published again', {
        err: serializeError(error),
      }),
    );
    this.publisher?.close();
    await this.closeListener();
    await this.pool.end();
  }

  /**
   * Called on NOTIFY; also by callers that just committed. Returns whether this relay is the schema's active one
   * (then it will read the rows committed before this call, and no other relay needs to be told).
   */
  wake(): boolean {
    this.wakeRequested = true;
    this.wakeUp?.();
    return this.running && this.stats.isLeader;
  }

  /** Resolves once the outbox has no unsent row (tests and benchmarks). */
  async waitUntilIdle(timeoutMs = 10_000): Promise<void> {
    // A relay that never started (a CLI command) or stands by (another replica leads) has nothing in flight.
    if (!this.running || this.standingBy) return;
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.wake();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`outbox of ${this.options.schema} not drained in ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([idle, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async housekeeping(): Promise<void> {
    if (!this.stats.isLeader) return;
    try {
      const deadline = Date.now() + 60_000;
      for (const [sql, days] of [
        [this.sql.purgeOutbox, this.options.outboxRetentionDays ?? 7],
        [this.sql.purgeInbox, this.options.inboxRetentionDays ?? INBOX_RETENTION_DAYS],
      ] as const) {
        // Batches of 10,000 keep each delete short; repeat until a batch comes back short.
        while (Date.now() < deadline && this.running) {
          const { rowCount } = await this.pool.query(sql, [days]);
          if ((rowCount ?? 0) < 10_000) break;
        }
      }
    } catch (error) {
      this.logger.write('warn', 'outbox housekeeping failed', { err: serializeError(error) });
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (!this.stats.isLeader) {
          await this.flushMarks().catch(() => undefined); // what this relay sent; the next leader would resend it
          await this.becomeLeader();
          if (!this.stats.isLeader) {
            await this.waitForWake(2_000);
            continue;
          }
        }
        this.wakeRequested = false;
        const fetchedAt = performance.now();
        const rows = await this.markAndFetch();
        if (rows.length === 0) {
          this.idleWaiters.splice(0).forEach((resolve) => resolve());
          await this.waitForWake(this.options.fallbackPollMs ?? 1_000);
          continue;
        }
        const failed = await this.publishBatch(rows);
        if (failed) {
          await this.flushMarks();
          await this.pause();
        } else {
          this.backoffMs = 0;
          if (rows.length < this.batchSize) {
            const linger = fetchedAt + (this.options.lingerMs ?? 5) - performance.now();
            if (linger >= 1) await sleep(linger);
          }
          // New rows wake the relay at once; their fetch then carries this round's marks. Without any, the next
          // fetch comes after a short while and marks them on its own.
          await this.waitForWake(this.options.markDelayMs ?? 20);
        }
      } catch (error) {
        this.logger.write('error', 'outbox relay round failed; retrying', { err: serializeError(error) });
        await this.pause();
      }
    }
  }

  /**
   * Marks the rows published and acknowledged in the last round and fetches the next unsent rows in `seq` order. A
   * mark that keeps failing is retried with every round for up to RELAY_RETRY_HORIZON_MS; after that the rows are
   * left unmarked and published again later (JetStream drops them as duplicates within its window).
   */
  private async markAndFetch(): Promise<OutboxRow[]> {
    const ids = this.unmarked;
    if (ids.length > 0) {
      if (Date.now() - this.unmarkedSince > RELAY_RETRY_HORIZON_MS) {
        this.logger.write('warn', 'giving up marking outbox rows sent; they will be published again', {
          rows: ids.length,
        });
        this.unmarked = [];
        return this.markAndFetch();
      }
      await this.options.beforeMarkSent?.(ids);
    }
    // A named (prepared) statement: parsed and planned once per connection, not every few milliseconds.
    const { rows } = await this.pool.query<OutboxRow>({
      name: this.statementName,
      text: this.sql.markAndFetch,
      values: [ids, this.batchSize],
    });
    this.stats.rounds++;
    this.unmarked = this.unmarked.slice(ids.length);
    return rows;
  }

  /** Marks the acknowledged rows sent now (before a pause, at stop, before competing for leadership again). */
  private async flushMarks(): Promise<void> {
    const ids = this.unmarked;
    if (ids.length === 0) return;
    await this.options.beforeMarkSent?.(ids);
    await this.pool.query(this.sql.markSent, [ids]);
    this.unmarked = this.unmarked.slice(ids.length);
  }

  private async pause(): Promise<void> {
    this.backoffMs = Math.min(this.options.maxBackoffMs ?? 5_000, Math.max(100, this.backoffMs * 2));
    await sleep(this.backoffMs);
  }

  /**
   * Publishes the rows of each aggregate one after the other (JetStream keeps a connection's publish order) and
   * different aggregates side by side. An aggregate stops at its first failure, so nothing overtakes it.
   */
  private async publishBatch(rows: OutboxRow[]): Promise<boolean> {
    const byAggregate = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const chain = byAggregate.get(row.aggregate_id);
      if (chain) chain.push(row);
      else byAggregate.set(row.aggregate_id, [row]);
    }
    const sent: string[] = [];
    const failed: { row: OutboxRow; error: unknown }[] = [];
    await Promise.all(
      [...byAggregate.values()].map(async (chain) => {
        for (const row of chain) {
          try {
            const subject = subjectOf(this.options.prefix, row.type);
            const timeout = this.options.publishTimeoutMs ?? 5_000;
            const ack = this.publisher
              ? await this.publisher.publish(subject, row.payload, row.id, timeout)
              : await this.options.js.publish(subject, row.payload, { msgID: row.id, timeout });
            if (ack.duplicate) this.stats.duplicates++;
            sent.push(row.id);
          } catch (error) {
            failed.push({ row, error });
            return;
          }
        }
      }),
    );
    if (failed.length > 0) {
      // One line and one UPDATE per round, not per row: while the broker is away every row of every round fails,
      // and a line per row flooded the log (hundreds a second) and the database with single-row updates.
      this.stats.failures += failed.length;
      const errors = [...new Set(failed.map((f) => String(f.error)))];
      this.logger.write('warn', 'publishing outbox rows failed; they stay for the next round', {
        failed: failed.length,
        published: sent.length,
        eventId: failed[0].row.id,
        type: failed[0].row.type,
        err: serializeError(failed[0].error),
        ...(errors.length > 1 ? { otherErrors: errors.slice(1, 4) } : {}),
      });
      await this.pool
        .query(this.sql.markFailed, [failed.map((f) => f.row.id), failed.map((f) => String(f.error))])
        .catch(() => undefined);
    }
    if (sent.length > 0) {
      if (this.unmarked.length === 0) this.unmarkedSince = Date.now();
      this.unmarked.push(...sent);
      this.stats.published += sent.length;
    }
    // Nothing went out: most likely the broker is unreachable, so back off. Some went out: only individual rows
    // failed; their aggregates retry next round and the others are not held up.
    return failed.length > 0 && sent.length === 0;
  }

  private async becomeLeader(): Promise<void> {
    try {
      if (!this.listener) await this.openListener();
      const result = await this.listener!.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
        [`wandelwerk-outbox-${this.options.schema}`],
      );
      this.stats.isLeader = result.rows[0]?.locked === true;
      this.standingBy = !this.stats.isLeader;
      if (this.stats.isLeader) this.logger.write('info', 'outbox relay is active for this schema');
    } catch (error) {
      this.logger.write('warn', 'outbox relay cannot reach PostgreSQL; retrying', {
        err: serializeError(error),
      });
      await this.closeListener();
    }
  }

  private async openListener(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      application_name: `${this.options.schema}-relay-listener`,
    });
    client.on('notification', () => this.wake());
    // Losing this connection loses the advisory lock too: step down and compete again.
    const lost = (error?: Error): void => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.stats.isLeader = false;
      if (this.running)
        this.logger.write(
          'warn',
          'outbox relay lost its PostgreSQL session',
          error ? { err: serializeError(error) } : {},
        );
      this.wake();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.listener = client;
  }

  private async closeListener(): Promise<void> {
    const client = this.listener;
    this.listener = undefined;
    this.stats.isLeader = false;
    if (client) await client.end().catch(() => undefined);
  }

  private async waitForWake(timeoutMs: number): Promise<void> {
    if (this.wakeRequested || !this.running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
  }
}
