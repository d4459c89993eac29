import { HttpException, type LoggerService } from '@nestjs/common';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
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
  type JsonLogger,
  runWithCorrelation,
  serializeError,
} from '@wandelwerk/observability';
import { lastValueFrom } from 'rxjs';
import type { DataSource } from 'typeorm';
import { OutboxPublisher } from '../outbox/outbox.publisher.js';
import { quoteSchema } from '../outbox/messaging-tables.js';
import { CORRELATION_ID_HEADER, type RpcProblem, type RpcReply } from '../rpc/rpc-protocol.js';
import {
  buildTopology,
  consumersOf,
  deadLetterSubject,
  rpcSubject,
  type Topology,
} from '../topology/topology.js';
import { EventContext } from './event-context.js';
import { KeyedScheduler } from './keyed-scheduler.js';
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
  /** Messages handled at once; events of one aggregate are always handled one after the other. */
  concurrency?: number;
  /** Payload check by the contracts; an event that fails it is poison and goes straight to the dead-letter stream. */
  validatePayload?: PayloadValidator;
}

class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
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
  private readonly scheduler: KeyedScheduler;
  private readonly outbox: OutboxPublisher;
  private readonly inboxInsert: string;
  private readonly log: JsonLogger;
  private readonly consumers: ConsumerMessages[] = [];
  private readonly pumps: Promise<void>[] = [];
  private rpcSubscription: Subscription | undefined;
  private readonly rpcInFlight = new Set<Promise<void>>();
  private draining = false;

  constructor(private readonly options: JetStreamTransportOptions) {
    super();
    this.js = jetstream(options.nc);
    this.topology = options.topology ?? buildTopology({ prefix: options.prefix });
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.scheduler = new KeyedScheduler(options.concurrency ?? 16);
    this.outbox = new OutboxPublisher(options.schema);
    this.inboxInsert = `INSERT INTO ${quoteSchema(options.schema)}.inbox (consumer, event_id, event_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id`;
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
    for (const spec of consumersOf(this.topology, this.options.service)) {
      const consumer = await this.js.consumers.get(spec.stream, spec.durable);
      const messages = await consumer.consume({
        max_messages: Math.max(8, (this.options.concurrency ?? 16) * 2),
      });
      this.consumers.push(messages);
      this.pumps.push(this.pump(messages));
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
    await this.rpcSubscription?.drain().catch(() => undefined);
    await Promise.all(this.consumers.map((messages) => messages.close().catch(() => undefined)));
    await Promise.all(this.pumps);
    await this.scheduler.idle();
    await Promise.all([...this.rpcInFlight]);
    this.log.write('info', 'drained');
  }

  private async pump(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      if (this.draining) {
        msg.nak();
        continue;
      }
      const parsed = this.parseDelivery(msg);
      const key = parsed instanceof PoisonMessageError ? msg.subject : parsed.subject;
      await this.scheduler.schedule(key, () => this.handleDelivery(msg, parsed));
    }
  }

  /** An unreadable message or one that breaks its contract will never succeed: it is not retried. */
  private parseDelivery(msg: JsMsg): CloudEvent | PoisonMessageError {
    try {
      const event = validateCloudEvent(JSON.parse(msg.string()));
      const violations = this.options.validatePayload?.(event.type, event.data) ?? [];
      if (violations.length === 0) return event;
      return new PoisonMessageError(
        `${event.type} ${event.id}: payload violates the contract: ${violations.map((v) => `${v.field} ${v.rule}`).join('; ')}`,
      );
    } catch (error) {
      return new PoisonMessageError(error instanceof Error ? error.message : String(error));
    }
  }

  private async handleDelivery(msg: JsMsg, event: CloudEvent | PoisonMessageError): Promise<void> {
    if (event instanceof PoisonMessageError) {
      await this.deadLetter(msg, undefined, event);
      return;
    }
    const handler = this.getHandlerByPattern(event.type);
    if (!handler) {
      msg.ack(); // this service has no interest in this type
      return;
    }
    const keepAlive = setInterval(() => msg.working(), 10_000);
    try {
      await runWithCorrelation({ correlationId: event.correlationid, causationId: event.id }, () =>
        this.handleInTransaction(event, msg, handler),
      );
      msg.ack();
    } catch (error) {
      await this.handleFailure(msg, event, error);
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async handleInTransaction(
    event: CloudEvent,
    msg: JsMsg,
    handler: NonNullable<ReturnType<Server['getHandlerByPattern']>>,
  ): Promise<void> {
    await this.options.dataSource.transaction(async (manager) => {
      const inserted = await manager.query<unknown[]>(this.inboxInsert, [
        this.options.service,
        event.id,
        event.type,
      ]);
      if (inserted.length === 0) {
        this.log.write('debug', 'event already handled; acknowledged without effect', {
          eventId: event.id,
          type: event.type,
        });
        return;
      }
      const context = new EventContext([event, manager, msg.info.deliveryCount, this.outbox]);
      const result: unknown = await handler(event, context);
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    });
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

  private async deadLetter(msg: JsMsg, event: CloudEvent | undefined, error: unknown): Promise<void> {
    const type = event?.type ?? 'unreadable';
    const h = natsHeaders();
    h.set(DEAD_LETTER_HEADERS.originalSubject, msg.subject);
    h.set(DEAD_LETTER_HEADERS.originalType, type);
    h.set(DEAD_LETTER_HEADERS.consumer, this.options.service);
    h.set(DEAD_LETTER_HEADERS.error, describeError(error).slice(0, 4_000));
    h.set(DEAD_LETTER_HEADERS.attempts, String(msg.info.deliveryCount));
    h.set(DEAD_LETTER_HEADERS.failedAt, new Date().toISOString());
    try {
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
    const reply = await runWithCorrelation(
      { correlationId, causationId: correlationId },
      async (): Promise<RpcReply> => {
        const handler = this.getHandlerByPattern(pattern);
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
    this.log.write('error', 'request handler failed', { pattern, err: serializeError(error) });
    return {
      status: 500,
      title: 'Internal Server Error',
      detail: 'The service could not complete the request.',
    };
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null) return JSON.stringify(error);
  return String(error);
}
