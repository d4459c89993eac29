import type { DynamicModule, Type } from '@nestjs/common';
import { loadConfig } from '@wandelwerk/config';
import { createTestTopology, type TestTopology } from '@wandelwerk/messaging/testing';
import { createServiceApp, migrateDatabase, type ServiceApp } from '@wandelwerk/platform';
import { createTestDatabase, testSettings, uniqueName, type TestDatabase } from '@wandelwerk/testing';
import { Redis } from 'ioredis';
import { GatewaySettings } from '../config/gateway.settings.js';
import { gatewayBlueprint } from '../gateway.blueprint.js';
import { GATEWAY_MIGRATIONS } from '../infrastructure/persistence/migrations/index.js';
import { GATEWAY_SCHEMA } from '../infrastructure/persistence/schema.js';

/** A database of its own for a test's gateway, with the gateway's schema migrated. */
export async function createGatewayTestDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  await migrateDatabase(db.url, { schema: GATEWAY_SCHEMA, entities: [], migrations: GATEWAY_MIGRATIONS });
  return db;
}

/** A gateway started for a test: stop() also deletes its Redis keys and its database. */
export interface TestGatewayInstance {
  service: ServiceApp;
  url: string;
  db: TestDatabase;
  settings: GatewaySettings;
  /** Stops the gateway, deletes its Redis keys and its database (and the NATS topology it made, if any). */
  stop(): Promise<void>;
}

export interface TestGatewayApp extends TestGatewayInstance {
  topo: TestTopology;
}

/**
 * The gateway in this process on a database, NATS prefix and Redis key prefix of its own, with `settings` on top of
 * those (e.g. JWT_SECRET, OIDC_ISSUER_URL, a private REDIS_URL) and further modules (test controllers). A test that must
 * subscribe to the prefix before the gateway starts passes its own `topo`.
 */
export async function startTestGatewayApp(
  settings: Record<string, string> = {},
  options: { modules?: (Type | DynamicModule)[]; topo?: TestTopology } = {},
): Promise<TestGatewayApp> {
  const topo = options.topo ?? (await createTestTopology());
  const gateway = await launch(topo.prefix, settings, options.modules ?? []);
  return {
    ...gateway,
    topo,
    async stop() {
      await gateway.stop();
      if (!options.topo) await topo.dispose();
    },
  };
}

/** The gateway in front of services a test started on `natsPrefix` (end-to-end tests), with its own database and keys. */
export function startTestGatewayOn(
  natsPrefix: string,
  settings: Record<string, string> = {},
): Promise<TestGatewayInstance> {
  return launch(natsPrefix, settings, []);
}

async function launch(
  natsPrefix: string,
  settings: Record<string, string>,
  modules: (Type | DynamicModule)[],
): Promise<TestGatewayInstance> {
  const db = await createGatewayTestDatabase();
  const prefix = uniqueName('gw');
  const loaded = loadConfig(
    GatewaySettings,
    {
      DATABASE_URL: db.url,
      NATS_URL: testSettings().NATS_URL,
      REDIS_URL: testSettings().REDIS_URL,
      NATS_PREFIX: natsPrefix,
      REDIS_KEY_PREFIX: prefix,
      QUEUE_PREFIX: prefix,
      PORT: '0',
      LOG_LEVEL: testSettings().TEST_LOG_LEVEL,
      ...settings,
    },
    'gateway',
  );
  const service = await createServiceApp(gatewayBlueprint(loaded, { modules }));
  const url = await service.start();
  return {
    service,
    url,
    db,
    settings: loaded,
    async stop() {
      await service.stop();
      const redis = new Redis(loaded.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        const keys = await redis.keys(`${loaded.REDIS_KEY_PREFIX}:*`);
        if (keys.length > 0) await redis.del(...keys);
      } catch {
        // A test that stopped its private Redis has nothing left to clean.
      } finally {
        redis.disconnect();
      }
      await db.drop();
    },
  };
}
