import { Inject, Injectable } from '@nestjs/common';
import { problem } from '@wandelwerk/contracts';
import { REDIS_CONNECTION, SETTINGS } from '@wandelwerk/platform';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import type { GatewaySettings } from '../config/gateway.settings.js';
import { callRedis } from '../infrastructure/redis/redis-call.js';

/**
 * Counts one login attempt for the account and for the address, in one step: INCR both, start the window on the
 * first, answer both counts and the time left of each window.
 */
const COUNT_ATTEMPT = `
local counts = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[1]) end
  counts[#counts + 1] = count
  counts[#counts + 1] = redis.call('TTL', key)
end
return counts`;

/** A success takes its attempt back from the address (it was no guess) and clears the account's count. */
const FORGIVE = `
redis.call('DEL', KEYS[1])
local left = redis.call('DECR', KEYS[2])
if left <= 0 then redis.call('DEL', KEYS[2]) end
return left`;

/** Who is trying: the account when it exists, else what was typed (normalised), and from where. */
export interface LoginAttempt {
  accountId: string | undefined;
  email: string;
  address: string;
}

/** One spelling per address: Unicode compatibility form, trimmed, lower case. */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

/**
 * Login attempts counted per account and per client address in Redis, in a fixed window (LOGIN_FAILURE_WINDOW_SECONDS).
 * Every attempt is counted BEFORE its password is checked, atomically, so a burst of parallel guesses cannot slip
 * past the limit; a successful one is taken back. Beyond the limit, logins for that account or from that address get
 * 429 with `Retry-After` until the window ends, whatever the password. An existing account is counted by its id, so
 * every spelling of its e-mail address shares one count.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    @Inject(SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  /** Counts the attempt; throws 429 when the account or the address is over its limit. */
  async attempt(attempt: LoginAttempt): Promise<void> {
    const window = String(this.settings.LOGIN_FAILURE_WINDOW_SECONDS);
    const [account, accountTtl, fromAddress, addressTtl] = (await callRedis(this.redis, () =>
      this.redis.eval(COUNT_ATTEMPT, 2, this.accountKey(attempt), this.addressKey(attempt.address), window),
    )) as number[];
    const accountOver = (account ?? 0) > this.settings.LOGIN_MAX_FAILURES_PER_ACCOUNT;
    const addressOver = (fromAddress ?? 0) > this.settings.LOGIN_MAX_FAILURES_PER_ADDRESS;
    if (!accountOver && !addressOver) return;
    const retryAfterSeconds = Math.max(1, (accountOver ? accountTtl : addressTtl) ?? 1);
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

  async succeeded(attempt: LoginAttempt): Promise<void> {
    await callRedis(this.redis, () =>
      this.redis.eval(FORGIVE, 2, this.accountKey(attempt), this.addressKey(attempt.address)),
    );
  }

  // Hashed, so that Redis holds no e-mail addresses.
  private accountKey(attempt: LoginAttempt): string {
    const subject = attempt.accountId ? `id:${attempt.accountId}` : `email:${normalizeEmail(attempt.email)}`;
    const hash = createHash('sha256').update(subject).digest('hex');
    return `${this.settings.REDIS_KEY_PREFIX}:auth:login-attempts:account:${hash}`;
  }

  private addressKey(address: string): string {
    return `${this.settings.REDIS_KEY_PREFIX}:auth:login-attempts:address:${address}`;
  }
}
