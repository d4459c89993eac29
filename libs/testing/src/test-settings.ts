import { IsIn, Matches } from 'class-validator';
import { readConfig } from '@wandelwerk/config';

/** Where integration tests find the machine's servers; every test makes its own database and stream names there. */
export class TestSettings {
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  TEST_DATABASE_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

  @Matches(/^nats:\/\/\S+$/, { message: 'must be a nats:// URL' })
  NATS_URL = 'nats://127.0.0.1:4222';

  @Matches(/^redis:\/\/\S+$/, { message: 'must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
  TEST_LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' = 'fatal';
}

let cached: TestSettings | undefined;
export function testSettings(): TestSettings {
  cached ??= readConfig(TestSettings, 'tests');
  return cached;
}
