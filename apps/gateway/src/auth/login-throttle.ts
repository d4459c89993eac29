import { Inject, Injectable } from '@nestjs/common';
import { problem } from '@wandelwerk/contracts';
import { REDIS_CONNECTION, SETTINGS } from '@wandelwerk/platform';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import type { GatewaySettings } from '../config/gateway.settings.js';
import { callRedis } from '../infrastructure/redis/redis-call.js';

/** INCR the counter; the first failure starts the window. Returns the count. */
const RECORD_FAILURE = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

/**
 * Failed logins counted per account and per client address in Redis, in a fixed window
 * (LOGIN_FAILURE_WINDOW_SECONDS). Once either reaches its limit, logins for that account or from that address get
 * 429 with `Retry-After` until the window ends, whatever the password — so guessing is slow even for correct guesses.
 * A successful login clears the account's count, never the address's.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    @Inject(SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  /** Throws 429 when the account or the address has used up its failures. */
  async check(email: string, address: string): Promise<void> {
    const [account, fromAddress] = await callRedis(this.redis, () =>
      this.redis.mget(this.accountKey(email), this.addressKey(address)),
    );
    const accountBlocked = Number(account ?? 0) >= this.settings.LOGIN_MAX_FAILURES_PER_ACCOUNT;
    const addressBlocked = Number(fromAddress ?? 0) >= this.settings.LOGIN_MAX_FAILURES_PER_ADDRESS;
    if (!accountBlocked && !addressBlocked) return;
    const key = accountBlocked ? this.accountKey(email) : this.addressKey(address);
    const ttl = await callRedis(this.redis, () => this.redis.ttl(key));
    const retryAfterSeconds = Math.max(1, ttl);
    throw problem(
      429,
      'auth.too-many-failed-logins',
      {
        de: `Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in ${retryAfterSeconds} Sekunden erneut.`,
        en: `Too many failed logins. Please try again in ${retryAfterSeconds} seconds.`,
      },
      { retryAfterSeconds },
    );
  }

  async recordFailure(email: string, address: string): Promise<void> {
    const window = String(this.settings.LOGIN_FAILURE_WINDOW_SECONDS);
    await callRedis(this.redis, () =>
      Promise.all([
        this.redis.eval(RECORD_FAILURE, 1, this.accountKey(email), window),
        this.redis.eval(RECORD_FAILURE, 1, this.addressKey(address), window),
      ]),
    );
  }

  async recordSuccess(email: string): Promise<void> {
    await callRedis(this.redis, () => this.redis.del(this.accountKey(email)));
  }

  // Hashed, so that Redis holds no e-mail addresses.
  private accountKey(email: string): string {
    const hash = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
    return `${this.settings.REDIS_KEY_PREFIX}:auth:failed-logins:account:${hash}`;
  }

  private addressKey(address: string): string {
    return `${this.settings.REDIS_KEY_PREFIX}:auth:failed-logins:address:${address}`;
  }
}
