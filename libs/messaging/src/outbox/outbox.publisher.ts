import { randomUUID } from 'node:crypto';
import { buildCloudEvent, type CloudEvent } from '@wandelwerk/contracts';
import { currentCorrelation } from '@wandelwerk/observability';
import { outboxChannel, quoteSchema } from './messaging-tables.js';
import type { OutboxSignal } from './outbox-signal.js';

/** Below NATS's default max_payload (1 MiB), with room for headers. */
export const MAX_EVENT_BYTES = 1_000_000;

/** Anything that runs SQL inside the caller's transaction: a TypeORM EntityManager, a pg client. */
export interface SqlExecutor {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface OutgoingEvent<TData> {
  type: string;
  /** The aggregate id; events of one aggregate reach consumers in the order they were written. */
  subject: string;
  data: TData;
  /** Defaults to the correlation id of the request or event being handled. */
  correlationId?: string;
  causationId?: string | null;
}

/**
 * Writes events to the service's outbox inside the caller's transaction: the change and its events commit together
 * or not at all (no dual write). The relay publishes them after commit; NOTIFY wakes it without polling.
 */
export class OutboxPublisher {
  private readonly insertSql: string;
  private readonly insertOneSql: string;
  private readonly notifySql: string;

  constructor(
    readonly schema: string,
    private readonly signal?: OutboxSignal,
  ) {
    const s = quoteSchema(schema);
    this.insertSql = `INSERT INTO ${s}.outbox (id, aggregate_id, type, payload) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::json[])`;
    // One event (the usual case) as plain parameters: no array literal to build, escape and parse.
    this.insertOneSql = `INSERT INTO ${s}.outbox (id, aggregate_id, type, payload) VALUES ($1, $2, $3, $4)`;
    this.notifySql = `SELECT pg_notify('${outboxChannel(schema)}', '')`;
  }

  async publish<TData>(tx: SqlExecutor, event: OutgoingEvent<TData>): Promise<CloudEvent<TData>> {
    const [published] = await this.publishAll(tx, [event]);
    return published;
  }

  async publishAll<TData>(tx: SqlExecutor, events: OutgoingEvent<TData>[]): Promise<CloudEvent<TData>[]> {
    if (events.length === 0) return [];
    const scope = currentCorrelation();
    const built = events.map((e) =>
      buildCloudEvent({
        type: e.type,
        subject: e.subject,
        data: e.data,
        correlationId: e.correlationId ?? scope?.correlationId ?? randomUUID(),
        causationId: e.causationId !== undefined ? e.causationId : (scope?.causationId ?? null),
      }),
    );
    const payloads = built.map((e) => JSON.stringify(e));
    // Refused here, inside the writer's transaction, rather than found unpublishable by the relay later.
    const oversized = payloads.findIndex((p) => Buffer.byteLength(p) > MAX_EVENT_BYTES);
    if (oversized >= 0) {
      throw new Error(
        `event ${built[oversized]?.type} is larger than ${MAX_EVENT_BYTES} bytes; NATS would refuse it`,
      );
    }
    const [only] = built;
    if (built.length === 1 && only) {
      await tx.query(this.insertOneSql, [only.id, only.subject, only.type, payloads[0]]);
    } else {
      await tx.query(this.insertSql, [
        built.map((e) => e.id),
        built.map((e) => e.subject),
        built.map((e) => e.type),
        payloads,
      ]);
    }
    // Preferably signalled after commit (see OutboxSignal); otherwise a NOTIFY in the transaction, delivered on
    // commit only.
    if (!this.signal?.markWritten(tx)) await tx.query(this.notifySql);
    return built;
  }
}
