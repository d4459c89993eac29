/** Options of the gateway's HTTP conventions (from the blueprint and the settings). */
export interface HttpConventionsOptions {
  /** Largest accepted request body (Fastify's bodyLimit); named in the 413 problem. */
  bodyLimitBytes: number;
  /** Prefix of the gateway's Redis keys. */
  redisKeyPrefix: string;
  /** How long an idempotent answer is kept. */
  idempotencyTtlSeconds: number;
  /** How long a request in flight holds its Idempotency-Key (a crashed gateway does not block it for longer). */
  idempotencyLockMs: number;
}

export const HTTP_CONVENTIONS_OPTIONS = Symbol('HTTP_CONVENTIONS_OPTIONS');
