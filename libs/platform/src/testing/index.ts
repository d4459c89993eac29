import type { NatsSettings, ServiceSettings } from '@wandelwerk/config';
import { loadConfig } from '@wandelwerk/config';
import type { CloudEvent } from '@wandelwerk/contracts';
import { RpcClient } from '@wandelwerk/messaging';
import { createTestTopology, type TestTopology } from '@wandelwerk/messaging/testing';
import { createTestDatabase, testSettings, uniqueName, type TestDatabase } from '@wandelwerk/testing';
import { migrateDatabase } from '../database/migrations.js';
import { createServiceApp, type ServiceApp, type ServiceBlueprint } from '../service-app.js';

export interface TestService {
  service: ServiceApp;
  db: TestDatabase;
  topo: TestTopology;
  rpc: RpcClient;
  url: string;
  /** The events the service wrote to its outbox, oldest first (optionally of one type). */
  outbox<T = unknown>(type?: string): Promise<CloudEvent<T>[]>;
  dispose(): Promise<void>;
}

/**
 * A service as it runs in production — its blueprint, migrated schema, JetStream transport, relay — in this process,
 * on its own database, NATS prefix and Redis key prefix, for integration tests of its features.
 */
export async function startTestService<S extends NatsSettings>(
  settingsClass: new () => S,
  blueprintOf: (settings: S) => ServiceBlueprint<S>,
  overrides: Record<string, string> = {},
): Promise<TestService> {
  const db = await createTestDatabase();
  const topo = await createTestTopology();
  const settings = loadConfig(
    settingsClass,
    {
      DATABASE_URL: db.url,
      NATS_URL: testSettings().NATS_URL,
      REDIS_URL: testSettings().REDIS_URL,
      NATS_PREFIX: topo.prefix,
      QUEUE_PREFIX: uniqueName('wwtest'),
      LOG_LEVEL: testSettings().TEST_LOG_LEVEL,
      PORT: '0',
      ...overrides,
    },
    'test',
  );
  const blueprint = blueprintOf(settings);
  if (blueprint.database)
    await migrateDatabase((settings as unknown as ServiceSettings).DATABASE_URL, blueprint.database);
  const service = await createServiceApp(blueprint);
  const url = await service.start();
  const schema = blueprint.database?.schema;
  return {
    service,
    db,
    topo,
    url,
    rpc: new RpcClient({ nc: topo.nc, prefix: topo.prefix, timeoutMs: 10_000 }),
    async outbox<T>(type?: string) {
      if (!schema) return [];
      const rows = await db.query<{ payload: CloudEvent<T> }>(
        `SELECT payload FROM "${schema}".outbox ${type ? 'WHERE type = $1' : ''} ORDER BY seq`,
        type ? [type] : [],
      );
      return rows.map((row) => row.payload);
    },
    async dispose() {
      await service.stop();
      await topo.dispose();
      await db.drop();
    },
  };
}
