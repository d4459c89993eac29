import type { ConsumerConfig, StreamConfig } from '@nats-io/jetstream';
import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { PRODUCING_SERVICES, SUBSCRIPTIONS, type ProducingService } from '@wandelwerk/contracts';

/**
 * The one place where the platform's streams, durable consumers and the dead-letter stream are declared. Everything
 * that creates or addresses them (provisioning, the transport, the relay, the dead-letter tools) derives names from
 * here, so a prefix (per environment or per test run) isolates a whole topology.
 */
export const PRODUCERS = PRODUCING_SERVICES;
export type Producer = ProducingService;
/** Which producers' streams each service reads: the contracts say it once (`SUBSCRIPTIONS`). */
export const CONSUMING_SERVICES = PRODUCING_SERVICES;
export type ConsumingService = ProducingService;

const NANOS_PER_MS = 1_000_000;
export const nanos = (ms: number): number => ms * NANOS_PER_MS;

/** Events stay in a stream this long; consumers' inboxes keep handled ids at least as long. */
export const EVENT_RETENTION_MS = 30 * 24 * 3600_000;
/**
 * The relay republishes a row whose publish succeeded but whose "sent" mark failed on its next rounds; it gives up
 * marking only after this horizon, so JetStream's de-duplication must remember message ids for longer.
 */
export const RELAY_RETRY_HORIZON_MS = 60 * 60_000;
export const DUPLICATE_WINDOW_MS = 2 * RELAY_RETRY_HORIZON_MS;
export const DEAD_LETTER_RETENTION_MS = 90 * 24 * 3600_000;

export interface TopologyOptions {
  /** Letters, digits, `_` and `-` only; empty in production. */
  prefix: string;
  /** How long a delivered, unacknowledged message waits before JetStream redelivers it. */
  ackWaitMs?: number;
}

export interface ConsumerSpec {
  service: ConsumingService;
  stream: string;
  durable: string;
  config: Partial<ConsumerConfig> & { durable_name: string };
}

export interface Topology {
  prefix: string;
  streams: (Partial<StreamConfig> & { name: string; subjects: string[] })[];
  deadLetter: Partial<StreamConfig> & { name: string; subjects: string[] };
  consumers: ConsumerSpec[];
}

const PREFIX_PATTERN = /^[A-Za-z0-9_-]*$/;

export function assertPrefix(prefix: string): void {
  if (!PREFIX_PATTERN.test(prefix))
    throw new Error(`NATS prefix "${prefix}" may contain only letters, digits, _ and -`);
}

/** The NATS subject of an event type (or of any subject token sequence) in a prefixed topology. */
export function subjectOf(prefix: string, type: string): string {
  return prefix ? `${prefix}.${type}` : type;
}

/** Inverse of `subjectOf`. */
export function typeOfSubject(prefix: string, subject: string): string {
  return prefix && subject.startsWith(`${prefix}.`) ? subject.slice(prefix.length + 1) : subject;
}

export function streamNameOf(prefix: string, producer: Producer): string {
  return `${prefix}${producer.toUpperCase()}`;
}

export function deadLetterStreamName(prefix: string): string {
  return `${prefix}DEADLETTER`;
}

export function deadLetterSubject(prefix: string, service: string, type: string): string {
  return subjectOf(prefix, `deadletter.${service}.${type}`);
}

export function rpcSubject(prefix: string, pattern: string): string {
  return subjectOf(prefix, `rpc.${pattern}`);
}

export function buildTopology(options: TopologyOptions): Topology {
  const { prefix } = options;
  assertPrefix(prefix);
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const streams = PRODUCERS.map((producer) => ({
    name: streamNameOf(prefix, producer),
    subjects: [subjectOf(prefix, `${producer}.>`)],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(EVENT_RETENTION_MS),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    num_replicas: 1,
  }));
  const deadLetter = {
    name: deadLetterStreamName(prefix),
    subjects: [subjectOf(prefix, 'deadletter.>')],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(DEAD_LETTER_RETENTION_MS),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    num_replicas: 1,
  };
  const consumers: ConsumerSpec[] = CONSUMING_SERVICES.flatMap((service) =>
    SUBSCRIPTIONS[service].map((producer) => ({
      service,
      stream: streamNameOf(prefix, producer),
      durable: service,
      config: {
        durable_name: service,
        description: `${service} reads ${producer} events`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: subjectOf(prefix, `${producer}.>`),
        ack_wait: nanos(ackWaitMs),
        // Unlimited on the server: the transport counts attempts and moves a message to the dead-letter stream
        // itself, so a crash mid-handling can never make the server silently drop a message.
        max_deliver: -1,
        max_ack_pending: 1000,
      },
    })),
  );
  return { prefix, streams, deadLetter, consumers };
}

export function consumersOf(topology: Topology, service: string): ConsumerSpec[] {
  return topology.consumers.filter((c) => c.service === service);
}
