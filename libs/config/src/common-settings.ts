import { Type } from 'class-transformer';
import { IsIn, IsString, Matches, ValidateBy } from 'class-validator';

/** A whole number within bounds, with one message an operator can act on. */
export function IntSetting(min: number, max: number, unit = ''): PropertyDecorator {
  return ValidateBy({
    name: 'intSetting',
    validator: {
      validate: (value: unknown) =>
        Number.isInteger(value) && (value as number) >= min && (value as number) <= max,
      defaultMessage: () => `must be a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`,
    },
  });
}

const POSTGRES_URL = /^postgres(ql)?:\/\/[^\s]+$/;
const NATS_URL = /^(nats|tls):\/\/[^\s,]+(,(nats|tls):\/\/[^\s,]+)*$/;
const REDIS_URL = /^rediss?:\/\/[^\s]+$/;
/** Stream names and subject tokens must not contain NATS wildcards, dots or white space. */
const NAME_PREFIX = /^[A-Za-z0-9_-]*$/;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Settings every Wandelwerk process shares. Field names are the environment variables. */
export class CommonSettings {
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  @IsString()
  @Matches(/^[a-z][a-z0-9-]*$/, { message: 'must be a lower-case name' })
  INSTANCE_NAME = 'local';
}

export class HttpSettings extends CommonSettings {
  @Type(() => Number)
  @IntSetting(0, 65535)
  PORT = 0;

  @IsString()
  HOST = '127.0.0.1';

  @Type(() => Number)
  @IntSetting(100, 600_000, 'milliseconds')
  SHUTDOWN_GRACE_MS = 15_000;
}

export class NatsSettings extends HttpSettings {
  @Matches(NATS_URL, { message: 'must be a nats:// URL (several separated by commas)' })
  NATS_URL = 'nats://127.0.0.1:4222';

  /** Prefixes streams, durable consumers and subjects, so that test runs and environments never share them. */
  @Matches(NAME_PREFIX, { message: 'may contain only letters, digits, _ and -' })
  NATS_PREFIX = '';

  @Type(() => Number)
  @IntSetting(50, 120_000, 'milliseconds')
  RPC_TIMEOUT_MS = 5_000;
}

export class ServiceSettings extends NatsSettings {
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/wandelwerk';

  @Matches(REDIS_URL, { message: 'must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefixes every BullMQ key in Redis, so environments and test runs sharing a Redis never see each other's jobs. */
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'may contain only letters, digits, _ and - (1 to 40)' })
  QUEUE_PREFIX = 'wandelwerk';

  @Type(() => Number)
  @IntSetting(1, 100)
  EVENT_MAX_ATTEMPTS = 5;

  @Type(() => Number)
  /** Transactions handling events at the same time, per instance (each handles up to 64 queued events at once). */
  @IntSetting(1, 64)
  EVENT_CONCURRENCY = 4;

  @Type(() => Number)
  @IntSetting(1, 365, 'days')
  OUTBOX_RETENTION_DAYS = 7;
}
