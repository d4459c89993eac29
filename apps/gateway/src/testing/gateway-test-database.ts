import { migrateDatabase } from '@wandelwerk/platform';
import { createTestDatabase, type TestDatabase } from '@wandelwerk/testing';
import { GATEWAY_MIGRATIONS } from '../infrastructure/persistence/migrations/index.js';
import { GATEWAY_SCHEMA } from '../infrastructure/persistence/schema.js';

/** A database of its own for a test's gateway, with the gateway's schema migrated. */
export async function createGatewayTestDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  await migrateDatabase(db.url, { schema: GATEWAY_SCHEMA, entities: [], migrations: GATEWAY_MIGRATIONS });
  return db;
}
