import { Inject, Injectable } from '@nestjs/common';
import { REDIS_CONNECTION, SETTINGS } from '@wandelwerk/platform';
import type { Redis } from 'ioredis';
import type { GatewaySettings } from '../config/gateway.settings.js';
import { callRedis } from '../infrastructure/redis/redis-call.js';
import type { VerifiedToken } from './access-tokens.js';

/**
 * Access tokens are stateless and short-lived; these Redis keys end them early: a logout denies its token id until the
 * token would expire, and a change to an account (role, municipality, deactivation, new password) denies every
 * token issued to that user before the change.
 */
@Injectable()
export class TokenRevocations {
  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    @Inject(SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  async isRevoked(token: VerifiedToken): Promise<boolean> {
    const [denied, validAfter] = await callRedis(this.redis, () =>
      this.redis.mget(this.jtiKey(token.jti), this.userKey(token.actor.userId)),
    );
    return denied !== null || (validAfter !== null && token.issuedAt < Number(validAfter));
  }

  async revokeToken(token: VerifiedToken): Promise<void> {
    const ttl = Math.max(1, token.expiresAt - Math.floor(Date.now() / 1000));
    await callRedis(this.redis, () => this.redis.set(this.jtiKey(token.jti), '1', 'EX', ttl));
  }

  /** Tokens issued before the next full second stop working (token times have whole seconds). */
  async revokeUser(userId: string): Promise<void> {
    const now = Math.floor(Date.now() / 1000) + 1;
    await callRedis(this.redis, () =>
      this.redis.set(this.userKey(userId), String(now), 'EX', this.settings.ACCESS_TOKEN_TTL_SECONDS + 60),
    );
  }

  private jtiKey(jti: string): string {
    return `${this.settings.REDIS_KEY_PREFIX}:auth:denied-token:${jti}`;
  }

  private userKey(userId: string): string {
    return `${this.settings.REDIS_KEY_PREFIX}:auth:user-tokens-valid-after:${userId}`;
  }
}
