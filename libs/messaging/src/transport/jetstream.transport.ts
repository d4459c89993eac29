import { HttpException, type LoggerService } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { jetstream, type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import {
  headers as natsHeaders,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import { validateCloudEvent, type CloudEvent } from '@wandelwerk/contracts';
import {
  acceptOrCreateCorrelationId,
  acceptRequestKey,
  type JsonLogger,
  runWithCorrelation,
  serializeError,
} from '@wandelwerk/observability';
import { isObservable, lastValueFrom } from 'rxjs';
import type { DataSource, QueryRunner } from 'typeorm';
import { OutboxPublisher } from '../outbox/outbox.publisher.js';
import { quoteSchema } from '../outbox/messaging-tables.js';
import {
  CORRELATION_ID_HEADER,
  REQUEST_KEY_HEADER,
  type RpcProblem,
  type RpcReply,
} from '../rpc/rpc-protocol.js';
import {
  buildTopology,
  consumersOf,
  deadLetterSubject,
  rpcSubject,
  type Topology,
} from '../topology/topology.js';
import { EventContext } from './event-context.js';
import { DeliveryBatcher } from './delivery-batcher.js';
import { DEFAULT_RETRY_POLICY, redeliveryDelay, type RetryPolicy } from './retry-policy.js';

export const DEAD_LETTER_HEADERS = {
  originalSubject: 'Wandelwerk-Original-Subject',
  originalType: 'Wandelwerk-Original-Type',
  consumer: 'Wandelwerk-Consumer',
  error: 'Wandelwerk-Error',
  attempts: 'Wandelwerk-Attempts',
  failedAt: 'Wandelwerk-Failed-At',
} as const;

export type PayloadValidator = (type: string, data: unknown) => { field: string; rule: string }[];

export interface JetStreamTransportOptions {
  /** The consuming service; names its durable consumers, its RPC queue group and its inbox rows. */
  service: string;
  nc: NatsConnection;
  dataSource: DataSource;
  /** The service's own database schema (inbox and outbox tables live there). */
  schema: string;
  prefix: string;
  logger: JsonLogger;
  topology?: Topology;
  retry?: Partial<RetryPolicy>;
  /** Transactions handling events at the same time; events of one aggregate are always handled one after the other. */
  concurrency?: number;
  /** Events handled together in one transaction when they queue up (one at a time when they do not). */
  maxBatchSize?: number;
  /** Writes the events handlers emit; pass the service's publisher so its commits wake the relay. */
  outbox?: OutboxPublisher;
  /** Payload check by the contracts; an event that fails it is poison and goes straight to the dead-letter stream. */
  validatePayload?: PayloadValidator;
}

class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
  constructor(
    message: string,
    readonly eventType?: string,
  ) {
    super(message);
  }
}

type EventHandler = MessageHandler;

/** A delivered event with its handler, queued for a batch; `key` is its aggregate. */
interface Delivery {
  key: string;
  msg: JsMsg;
  event: CloudEvent;
  handler: EventHandler;
}

/**
 * A NestJS transport over NATS JetStream: `@EventPattern(type)` handlers are fed from the service's durable pull
 * consumers, each in a database transaction with an inbox record; `@MessagePattern(pattern)` handlers answer
 * requests on `rpc.<pattern>` in a queue group shared by the service's replicas.
 *
 * A message is acknowledged only after its handler and the transaction have succeeded. A failure is redelivered
 * with growing delay; after the last attempt the message goes to the dead-letter stream with the error.
 */
export class JetStreamTransport extends Server implements CustomTransportStrategy {
  private readonly js: JetStreamClient;
  private readonly topology: Topology;
  private readonly retry: RetryPolicy;
  private readonly batcher: DeliveryBatcher<Delivery>;
  private readonly outbox: OutboxPublisher;
  private readonly inbox: string;
  private readonly inboxInsertMany: string;
  private readonly log: JsonLogger;
  private readonly consumers: ConsumerMessages[] = [];
  private readonly pumps: Promise<void>[] = [];
  private rpcSubscription: Subscription | undefined;
  private readonly rpcInFlight = new Set<Promise<void>>();
  private draining = false;
  /** Keeps messages that wait in the queue from passing ack_wait (and so from counting a delivery too many). */
  private queueKeepAlive: NodeJS.Timeout | undefined;

  constructor(private readonly options: JetStreamTransportOptions) {
    super();
    this.js = jetstream(options.nc);
    this.topology = options.topology ?? buildTopology({ prefix: options.prefix });
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    const maxBatchSize = options.maxBatchSize ?? 64;
    this.batcher = new DeliveryBatcher((batch) => this.handleBatch(batch), {
      parallelism: options.concurrency ?? 4,
      maxBatchSize,
      maxQueued: maxBatchSize * 4,
    });
    this.outbox = options.outbox ?? new OutboxPublisher(options.schema);
    this.inbox = `${quoteSchema(options.schema)}.inbox`;
    this.inboxInsertMany = `INSERT INTO ${this.inbox} (consumer, event_id, event_type) SELECT $1, * FROM unnest($2::uuid[], $3::text[]) ON CONFLICT DO NOTHING RETURNING event_id`;
    this.log = options.logger.child({ context: 'JetStreamTransport' });
    (this as unknown as { logger: LoggerService }).logger = this.log;
  }

  on(): void {
    throw new Error('JetStreamTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.options.nc as T;
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(() => callback(), callback);
  }

  private async start(): Promise<void> {
    const eventTypes = [...this.messageHandlers.entries()]
      .filter(([, h]) => h.isEventHandler)
      .map(([p]) => p);
    const requestPatterns = [...this.messageHandlers.entries()]
      .filter(([, h]) => !h.isEventHandler)
      .map(([p]) => p);
    this.queueKeepAlive = setInterval(() => this.batcher.waiting().forEach((d) => d.msg.working()), 10_000);
    this.queueKeepAlive.unref();
    for (const spec of consumersOf(this.topology, this.options.service)) {
      const consumer = await this.js.consumers.get(spec.stream, spec.durable);
      const messages = await consumer.consume({ max_messages: (this.options.maxBatchSize ?? 64) * 2 });
      this.consumers.push(messages);
      this.pumps.push(
        this.pump(messages).catch((error: unknown) => {
          // Unreachable by design (every delivery's failure is handled); if it happens, say so loudly and let the
          // readiness probe and the orchestrator restart the instance rather than crash-loop on one message.
          this.log.write('fatal', 'message pump stopped', {
            stream: spec.stream,
            err: serializeError(error),
          });
        }),
      );
    }
    if (requestPatterns.length > 0) {
      this.rpcSubscription = this.options.nc.subscribe(
        rpcSubject(this.topology.prefix, `${this.options.service}.>`),
        {
          queue: this.options.service,
          callback: (error, msg) => {
            if (error) {
              this.log.write('error', 'RPC subscription failed', { err: serializeError(error) });
              return;
            }
            const handling = this.answer(msg).finally(() => this.rpcInFlight.delete(handling));
            this.rpcInFlight.add(handling);
          },
        },
      );
    }
    this.log.write('info', 'listening', { eventTypes, requestPatterns, consumers: this.consumers.length });
  }

  /** Stops taking messages, lets the ones in flight finish, hands buffered ones back at once. */
  async close(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    clearInterval(this.queueKeepAlive);
    await this.rpcSubscription?.drain().catch(() => undefined);
    await Promise.all(this.consumers.map((messages) => messages.close().catch(() => undefined)));
    await Promise.all(this.pumps);
    // Not started yet: hand back at once, so another replica takes them without waiting for ack_wait.
    for (const delivery of this.batcher.takeQueued()) delivery.msg.nak();
    await this.batcher.idle();
    await Promise.all([...this.rpcInFlight]);
    this.log.write('info', 'drained');
  }

  private async pump(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      if (this.draining) {
        msg.nak();
        continue;
      }
      const delivery = this.admit(msg);
      if (delivery instanceof PoisonMessageError) await this.deadLetter(msg, delivery.eventType, delivery);
      else if (delivery) await this.batcher.push(delivery);
    }
  }

  /**
   * Reads a message: undefined when this service has no handler for its type (acknowledged at once), an error when
   * it is unreadable or breaks its contract — it would never succeed, so it is not retried.
   */
  private admit(msg: JsMsg): Delivery | PoisonMessageError | undefined {
    let event: CloudEvent;
    try {
      event = validateCloudEvent(JSON.parse(msg.string()));
    } catch (error) {
      return new PoisonMessageError(error instanceof Error ? error.message : String(error));
    }
    // String patterns are stored as they are; a direct look-up spares Nest's pattern parsing per message.
    const handler = this.messageHandlers.get(event.type);
    if (!handler?.isEventHandler) {
      msg.ack();
      return undefined;
    }
    const violations = this.options.validatePayload?.(event.type, event.data) ?? [];
    if (violations.length > 0) {
      const rules = violations.map((v) => `${v.field} ${v.rule}`).join('; ');
      return new PoisonMessageError(
        `${event.type} ${event.id}: payload violates the contract: ${rules}`,
        event.type,
      );
    }
    return { key: event.subject, msg, event, handler };
  }

  /**
   * Handles a batch in one transaction: one inbox insert for all, each handler in order, one commit. If any
   * handler fails, the batch is rolled back and its events are handled one by one, so only the failing one is
   * retried.
   */
  private async handleBatch(batch: Delivery[]): Promise<void> {
    const keepAlive = setInterval(() => batch.forEach((d) => d.msg.working()), 10_000);
    try {
      if (batch.length > 1) {
        try {
          await this.inTransaction(batch);
          for (const delivery of batch) delivery.msg.ack();
          return;
        } catch {
          // fall through: find the culprit one event at a time
        }
      }
      for (const delivery of batch) {
        try {
          await this.inTransaction([delivery]);
          delivery.msg.ack();
        } catch (error) {
          await this.handleFailure(delivery.msg, delivery.event, error).catch((failure: unknown) => {
            this.log.write(
              'error',
              'could not hand a failed event back; JetStream redelivers it after ack_wait',
              {
                eventId: delivery.event.id,
                err: serializeError(failure),
              },
            );
          });
        }
      }
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * One transaction for the batch, as `DataSource.transaction` runs it (commit, or roll back on any error), except
   * that it opens with the inbox insert in the same round trip as START TRANSACTION.
   */
  private async inTransaction(batch: Delivery[]): Promise<void> {
    const queryRunner = this.options.dataSource.createQueryRunner();
    try {
      const fresh = await this.beginWithInbox(queryRunner, batch);
      const manager = queryRunner.manager;
      for (const { event, msg, handler } of batch) {
        // Also drops a second delivery of the same event within this batch. PostgreSQL returns ids in lower case.
        if (!fresh.delete(event.id.toLowerCase())) {
          this.log.write('debug', 'event already handled; acknowledged without effect', {
            eventId: event.id,
            type: event.type,
          });
          continue;
        }
        const context = new EventContext([event, manager, msg.info.deliveryCount, this.outbox]);
        await runWithCorrelation({ correlationId: event.correlationid, causationId: event.id }, async () => {
          const result: unknown = await handler(event, context);
          // Nest's handler proxy gives a promise or an observable; only the latter needs reading to its end.
          if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
        });
      }
      await this.commitOrThrow(queryRunner);
    } catch (error) {
      if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await queryRunner.release();
    }
  }

  /**
   * Commits through the driver and checks what PostgreSQL did: in a transaction a handler aborted by swallowing a
   * database error, COMMIT succeeds with the tag ROLLBACK — the effect and the inbox row are gone, so the events must
   * not be acknowledged.
   */
  private async commitOrThrow(queryRunner: QueryRunner): Promise<void> {
    const client = (await queryRunner.connect()) as { query(sql: string): Promise<{ command?: string }> };
    await queryRunner.broadcaster.broadcast('BeforeTransactionCommit');
    const result = await client.query('COMMIT');
    Object.assign(queryRunner, { isTransactionActive: false, transactionDepth: 0 });
    if (result.command !== 'COMMIT') {
      throw new Error(
        `the transaction was rolled back (COMMIT answered ${result.command ?? 'nothing'}): a handler swallowed a database error`,
      );
    }
    await queryRunner.broadcaster.broadcast('AfterTransactionCommit');
  }

  /**
   * Starts the transaction and inserts the batch's events into the inbox: one simple-protocol round trip with the
   * values as literals (ids and types are checked by `validateCloudEvent`, and quoted all the same). Returns the ids
   * that were not in the inbox yet. The query runner is left in a transaction, as `startTransaction` leaves it.
   */
  private async beginWithInbox(queryRunner: QueryRunner, batch: Delivery[]): Promise<Set<string>> {
    const dataSource = this.options.dataSource;
    if ((dataSource.options as { isolationLevel?: string }).isolationLevel) {
      // A configured isolation level: TypeORM's own start (START TRANSACTION, SET TRANSACTION …), then the insert.
      await queryRunner.startTransaction();
      const rows = await queryRunner.manager.query<{ event_id: string }[]>(this.inboxInsertMany, [
        this.options.service,
        batch.map((d) => d.event.id),
        batch.map((d) => d.event.type),
      ]);
      return new Set(rows.map((row) => row.event_id));
    }
    const client = (await queryRunner.connect()) as { query(sql: string): Promise<unknown> };
    await queryRunner.broadcaster.broadcast('BeforeTransactionStart');
    const consumer = sqlLiteral(this.options.service);
    const values = batch
      .map((d) => `(${consumer}, ${sqlLiteral(d.event.id)}::uuid, ${sqlLiteral(d.event.type)})`)
      .join(', ');
    const sql = `START TRANSACTION; INSERT INTO ${this.inbox} (consumer, event_id, event_type) VALUES ${values} ON CONFLICT DO NOTHING RETURNING event_id`;
    dataSource.logger.logQuery(sql, undefined, queryRunner);
    // Open from here on: should the insert fail, the transaction block is open (and aborted) and must be rolled back.
    Object.assign(queryRunner, { isTransactionActive: true, transactionDepth: 1 });
    const results = (await client.query(sql)) as { rows: { event_id: string }[] }[];
    await queryRunner.broadcaster.broadcast('AfterTransactionStart');
    return new Set((results[1]?.rows ?? []).map((row) => row.event_id));
  }

  private async handleFailure(msg: JsMsg, event: CloudEvent, error: unknown): Promise<void> {
    const attempt = msg.info.deliveryCount;
    if (attempt >= this.retry.maxAttempts) {
      await this.deadLetter(msg, event, error);
      return;
    }
    const delay = redeliveryDelay(this.retry, attempt);
    this.log.write('warn', 'event handler failed; will retry', {
      eventId: event.id,
      type: event.type,
      attempt,
      retryInMs: delay,
      err: serializeError(error),
    });
    msg.nak(delay);
  }

  private async deadLetter(
    msg: JsMsg,
    eventOrType: CloudEvent | string | undefined,
    error: unknown,
  ): Promise<void> {
    const event = typeof eventOrType === 'object' ? eventOrType : undefined;
    const type = event?.type ?? (typeof eventOrType === 'string' ? eventOrType : 'unreadable');
    try {
      const h = natsHeaders();
      h.set(DEAD_LETTER_HEADERS.originalSubject, msg.subject);
      h.set(DEAD_LETTER_HEADERS.originalType, headerValue(type));
      h.set(DEAD_LETTER_HEADERS.consumer, this.options.service);
      h.set(DEAD_LETTER_HEADERS.error, headerValue(describeError(error)).slice(0, 4_000));
      h.set(DEAD_LETTER_HEADERS.attempts, String(msg.info.deliveryCount));
      h.set(DEAD_LETTER_HEADERS.failedAt, new Date().toISOString());
      await this.js.publish(deadLetterSubject(this.topology.prefix, this.options.service, type), msg.data, {
        headers: h,
        msgID: `${this.options.service}-${msg.info.stream}-${msg.info.streamSequence}`,
      });
      msg.term();
      this.log.write('error', 'event moved to the dead-letter stream', {
        eventId: event?.id,
        type,
        attempts: msg.info.deliveryCount,
        err: serializeError(error),
      });
    } catch (publishError) {
      // Never lose it: leave it with JetStream and try again later.
      this.log.write('error', 'dead-lettering failed; message will be redelivered', {
        err: serializeError(publishError),
      });
      msg.nak(redeliveryDelay(this.retry, msg.info.deliveryCount));
    }
  }

  private async answer(msg: Msg): Promise<void> {
    const prefixLength = rpcSubject(this.topology.prefix, '').length;
    const pattern = msg.subject.slice(prefixLength);
    const correlationId = acceptOrCreateCorrelationId(msg.headers?.get(CORRELATION_ID_HEADER));
    const requestKey = acceptRequestKey(msg.headers?.get(REQUEST_KEY_HEADER));
    const reply = await runWithCorrelation(
      { correlationId, causationId: correlationId, ...(requestKey ? { requestKey } : {}) },
      async (): Promise<RpcReply> => {
        const found = this.messageHandlers.get(pattern);
        const handler = found && !found.isEventHandler ? found : undefined;
        if (!handler)
          return {
            ok: false,
            error: { status: 501, title: 'Not Implemented', detail: `no handler for ${pattern}` },
          };
        try {
          const payload: unknown = msg.data.length > 0 ? JSON.parse(msg.string()) : undefined;
          const result: unknown = await handler(payload, undefined);
          const data: unknown = await lastValueFrom(this.transformToObservable(result), {
            defaultValue: null,
          });
          return { ok: true, data };
        } catch (error) {
          return { ok: false, error: this.toProblem(error, pattern) };
        }
      },
    );
    if (msg.reply) msg.respond(JSON.stringify(reply));
  }

  private toProblem(error: unknown, pattern: string): RpcProblem {
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const response = error.getResponse();
      const body =
        typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
      return {
        ...body,
        status,
        title: typeof body['title'] === 'string' ? body['title'] : error.name,
        detail: typeof body['detail'] === 'string' ? body['detail'] : error.message,
      };
    }
    if (isLostDatabaseConnection(error)) {
      // Not a bug in the request: the database went away under it (restart, failover, terminated connection) and its
      // transaction was rolled back. The caller may retry (with the same Idempotency-Key).
      this.log.write('warn', 'request failed: database connection lost', {
        pattern,
        err: serializeError(error),
      });
      return {
        status: 503,
        title: 'Service Unavailable',
        detail: 'The service lost its database connection; please try again.',
      };
    }
    this.log.write('error', 'request handler failed', { pattern, err: serializeError(error) });
    return {
      status: 500,
      title: 'Internal Server Error',
      detail: 'The service could not complete the request.',
    };
  }
}

/** SQLSTATE classes of a connection that ended: 08 (connection exception), 57P01–57P03 (admin shutdown, crash, cannot connect now). */
const LOST_CONNECTION_CODES = /^(08[0-9A-Z]{3}|57P0[1-3])$/;
const LOST_CONNECTION_MESSAGES =
  /Connection terminated|terminating connection|Client has encountered a connection error|ECONNRESET|ECONNREFUSED|QueryRunnerProviderAlreadyReleased|Query runner already released/i;

/** Whether an error means the database connection was lost mid-request (TypeORM wraps the driver's error). */
export function isLostDatabaseConnection(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const candidate = current as {
      code?: unknown;
      name?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    if (typeof candidate.code === 'string' && LOST_CONNECTION_CODES.test(candidate.code)) return true;
    if (typeof candidate.name === 'string' && LOST_CONNECTION_MESSAGES.test(candidate.name)) return true;
    if (typeof candidate.message === 'string' && LOST_CONNECTION_MESSAGES.test(candidate.message))
      return true;
    current = candidate.driverError ?? candidate.cause;
  }
  return false;
}

/** A string as an SQL literal that means the same whatever `standard_conforming_strings` says. */
function sqlLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a NUL character cannot be sent to PostgreSQL');
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/** NATS header values may not contain line breaks (error messages often do: JSON.parse quotes its input). */
function headerValue(text: string): string {
  return text.replace(/[\r\n\u0000]+/g, ' ');
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null) return JSON.stringify(error);
  return String(error);
}
