import { IntSetting, NatsSettings } from '@wandelwerk/config';
import { Type } from 'class-transformer';
import { Matches } from 'class-validator';

/** Settings of the gateway; field names are the environment variables. */
export class GatewaySettings extends NatsSettings {
  override PORT = 3000;

  /** Redis for the idempotency records of `Idempotency-Key` requests. */
  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefixes every key the gateway writes to Redis, so environments and test runs sharing a Redis never meet. */
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'may contain only letters, digits, _ and - (1 to 40)' })
  REDIS_KEY_PREFIX = 'wandelwerk';

  /** How long the answer to an `Idempotency-Key` request is kept and replayed (24 h). */
  @Type(() => Number)
  @IntSetting(60, 604_800, 'seconds')
  IDEMPOTENCY_TTL_SECONDS = 86_400;
}
