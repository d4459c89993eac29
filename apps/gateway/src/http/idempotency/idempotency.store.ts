import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { REDIS_CONNECTION } from '@wandelwerk/platform';
import type { Redis } from 'ioredis';
import { callRedis } from '../../infrastructure/redis/redis-call.js';
import { HTTP_CONVENTIONS_OPTIONS, type HttpConventionsOptions } from '../http-conventions.options.js';

/** The first answer to an idempotent request, as it is replayed. */
export type StoredAnswer =
  | {
      kind: 'response';
      status: number;
      /** The handler's JSON result; `empty` when it returned nothing (e.g. 204). */
      body: unknown;
      empty: boolean;
      headers: Record<string, string>;
    }
  | {
      kind: 'problem';
      status: number;
      /** The exception's response body, localized again for whoever asks next. */
      problem: unknown;
    };

type IdempotencyRecord =
  | { state: 'in-flight'; fingerprint: string; token: string; startedAt: string }
  | ({ state: 'done'; fingerprint: string; completedAt: string } & { answer: StoredAnswer });

/** A request that holds its key until it completes or releases it. */
export interface IdempotencyLease {
  readonly redisKey: string;
  /** The exact in-flight record written, so only its owner can complete or release it. */
  readonly inFlight: string;
  readonly fingerprint: string;
}

export type Begin =
  | { outcome: 'acquired'; lease: IdempotencyLease }
  | { outcome: 'replay'; answer: StoredAnswer }
  | { outcome: 'in-flight' }
  | { outcome: 'mismatch' };

// Compare-and-set / compare-and-delete: a request whose lock expired (and was taken over) changes nothing.
const COMPLETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3])) return 1 end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end return 0`;
/**
 * Idempotency records in Redis, one key per scope (`<prefix>:idempotency:<sha256 of user, method, path, key>`):
 * `SET NX` with a lock time marks a request in flight; its answer replaces the mark for IDEMPOTENCY_TTL_SECONDS.
 * When Redis cannot be reached the request is refused with 503 rather than run without protection.
 */
@Injectable()
export class IdempotencyStore {
  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    @Inject(HTTP_CONVENTIONS_OPTIONS) private readonly options: HttpConventionsOptions,
  ) {}

  redisKeyOf(scopeId: string): string {
    return `${this.options.redisKeyPrefix}:idempotency:${scopeId}`;
  }

  async begin(scopeId: string, fingerprint: string): Promise<Begin> {
    const redisKey = this.redisKeyOf(scopeId);
    const inFlight = JSON.stringify({
      state: 'in-flight',
      fingerprint,
      token: randomUUID(),
      startedAt: new Date().toISOString(),
    } satisfies IdempotencyRecord);
    // A record may expire between the failed SET and the GET: then try again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const set = await this.call(() =>
        this.redis.set(redisKey, inFlight, 'PX', this.options.idempotencyLockMs, 'NX'),
      );
      if (set === 'OK') return { outcome: 'acquired', lease: { redisKey, inFlight, fingerprint } };
      const existing = await this.call(() => this.redis.get(redisKey));
      if (existing === null) continue;
      const record = JSON.parse(existing) as IdempotencyRecord;
      if (record.fingerprint !== fingerprint) return { outcome: 'mismatch' };
      if (record.state === 'in-flight') return { outcome: 'in-flight' };
      return { outcome: 'replay', answer: record.answer };
    }
    return { outcome: 'in-flight' };
  }

  /** Keeps the answer (replacing the in-flight mark) for IDEMPOTENCY_TTL_SECONDS. */
  async complete(lease: IdempotencyLease, answer: StoredAnswer): Promise<void> {
    const done = JSON.stringify({
      state: 'done',
      fingerprint: lease.fingerprint,
      completedAt: new Date().toISOString(),
      answer,
    } satisfies IdempotencyRecord);
    await this.call(() =>
      this.redis.eval(COMPLETE, 1, lease.redisKey, lease.inFlight, done, this.options.idempotencyTtlSeconds),
    );
  }

  /** Frees the key (the request failed in a way worth retrying). */
  async release(lease: IdempotencyLease): Promise<void> {
    await this.call(() => this.redis.eval(RELEASE, 1, lease.redisKey, lease.inFlight));
  }

  private call<T>(command: () => Promise<T>): Promise<T> {
    return callRedis(this.redis, command);
  }
}
