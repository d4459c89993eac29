import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What ties a log line, an event and a job back to the request that started it all. */
export interface CorrelationScope {
  correlationId: string;
  /** Id of the event or request being handled, the cause of whatever is emitted now. */
  causationId?: string | undefined;
  /**
   * The client's idempotency key (scoped to the caller and route, hashed) of the request being served, so that a
   * service can recognise a retried command whose first answer was lost (e.g. a 504 after the commit).
   */
  requestKey?: string | undefined;
}

const storage = new AsyncLocalStorage<CorrelationScope>();

export const CORRELATION_HEADER = 'x-correlation-id';
const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

export function runWithCorrelation<T>(scope: CorrelationScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentCorrelation(): CorrelationScope | undefined {
  return storage.getStore();
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/** The idempotency key of the client request being served, if it sent one (see CorrelationScope.requestKey). */
export function currentRequestKey(): string | undefined {
  return storage.getStore()?.requestKey;
}

const REQUEST_KEY_PATTERN = /^[0-9a-f]{64}$/;

/** A request key as the gateway makes them (a SHA-256 in hex), or nothing. */
export function acceptRequestKey(candidate: unknown): string | undefined {
  return typeof candidate === 'string' && REQUEST_KEY_PATTERN.test(candidate) ? candidate : undefined;
}

/** Accepts a caller's id when it is safe to log and forward; otherwise starts a new one. */
export function acceptOrCreateCorrelationId(candidate: unknown): string {
  return typeof candidate === 'string' && CORRELATION_ID_PATTERN.test(candidate) ? candidate : randomUUID();
}
