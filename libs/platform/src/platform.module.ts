import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ServiceSettings, NatsSettings } from '@wandelwerk/config';
import { OutboxPublisher, OutboxRelay, OutboxSignal, RpcClient } from '@wandelwerk/messaging';
import type { JsonLogger } from '@wandelwerk/observability';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import type { DatabaseBlueprint } from './database/migrations.js';
import { dataSourceFor } from './database/migrations.js';
import { DEPENDENCY_CHECKS, HealthController } from './health/health.controller.js';
import type { DependencyCheck } from './health/readiness.js';
import { OUTBOX_RELAY, PlatformLifecycle } from './lifecycle/platform-lifecycle.js';
import { ShutdownState } from './lifecycle/shutdown-state.js';
import { BackgroundJobs } from './jobs/background-jobs.js';
import { APP_LOGGER, NATS_CONNECTION, REDIS_CONNECTION, SERVICE_NAME, SETTINGS } from './tokens.js';

export interface PlatformOptions {
  name: string;
  settings: NatsSettings | ServiceSettings;
  nc: NatsConnection;
  logger: JsonLogger;
  database?: DatabaseBlueprint;
  redis?: boolean;
}

function isServiceSettings(settings: NatsSettings | ServiceSettings): settings is ServiceSettings {
  return 'DATABASE_URL' in settings;
}

/** Redis needs only REDIS_URL (the gateway has Redis but no database); BullMQ queues also need QUEUE_PREFIX. */
function hasRedisUrl(settings: NatsSettings): settings is NatsSettings & { REDIS_URL: string } {
  return typeof (settings as { REDIS_URL?: unknown }).REDIS_URL === 'string';
}

/** What every app gets: settings, logger, NATS, and where it uses them PostgreSQL (with outbox) and Redis; health. */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const { settings, nc } = options;
    const providers: Provider[] = [
      { provide: SETTINGS, useValue: settings },
      { provide: SERVICE_NAME, useValue: options.name },
      { provide: NATS_CONNECTION, useValue: nc },
      { provide: APP_LOGGER, useValue: options.logger },
      {
        provide: RpcClient,
        useFactory: () =>
          new RpcClient({ nc, prefix: settings.NATS_PREFIX, timeoutMs: settings.RPC_TIMEOUT_MS }),
      },
      ShutdownState,
      PlatformLifecycle,
    ];
    const checks: ((moduleRef: { dataSource?: DataSource; redis?: Redis }) => DependencyCheck)[] = [
      () => ({ name: 'nats', check: async () => void (await nc.rtt()) }),
    ];
    const imports: DynamicModule[] = [];
    const checkDeps: (symbol | typeof DataSource)[] = [];

    if (options.database) {
      if (!isServiceSettings(settings)) throw new Error(`${options.name}: a database needs DATABASE_URL`);
      const database = options.database;
      imports.push(
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceFor(settings.DATABASE_URL, database).options,
        }),
      );
      providers.push(
        {
          provide: OutboxSignal,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => OutboxSignal.attach(dataSource, database.schema),
        },
        {
          provide: OutboxPublisher,
          inject: [OutboxSignal],
          useFactory: (signal: OutboxSignal) => new OutboxPublisher(database.schema, signal),
        },
        {
          provide: OUTBOX_RELAY,
          inject: [NATS_CONNECTION, OutboxSignal],
          useFactory: (connection: NatsConnection, signal: OutboxSignal) => {
            const relay = new OutboxRelay({
              databaseUrl: settings.DATABASE_URL,
              schema: database.schema,
              js: jetstream(connection),
              prefix: settings.NATS_PREFIX,
              logger: options.logger,
              outboxRetentionDays: settings.OUTBOX_RETENTION_DAYS,
            });
            signal.onLocalSignal(() => relay.wake());
            return relay;
          },
        },
      );
      checks.push(({ dataSource }) => ({
        name: 'postgres',
        check: async () => void (await dataSource!.query('SELECT 1')),
      }));
      checkDeps.push(DataSource);
    }
    const backgroundJobs = Boolean(options.redis) && isServiceSettings(settings);
    if (options.redis) {
      if (!hasRedisUrl(settings)) throw new Error(`${options.name}: Redis needs REDIS_URL`);
      const redisUrl = settings.REDIS_URL;
      providers.push({
        provide: REDIS_CONNECTION,
        // BullMQ needs maxRetriesPerRequest null: commands wait for a reconnect instead of failing.
        useFactory: () => new Redis(redisUrl, { maxRetriesPerRequest: null, connectionName: options.name }),
      });
      if (backgroundJobs) providers.push(BackgroundJobs);
      checks.push(({ redis }) => ({ name: 'redis', check: async () => void (await redis!.ping()) }));
      checkDeps.push(REDIS_CONNECTION);
    }
    providers.push({
      provide: DEPENDENCY_CHECKS,
      inject: checkDeps,
      useFactory: (...deps: unknown[]) => {
        const refs = {
          dataSource: deps.find((d): d is DataSource => d instanceof DataSource),
          redis: deps.find((d): d is Redis => d instanceof Redis),
        };
        return checks.map((make) => make(refs));
      },
    });
    return {
      module: PlatformModule,
      global: true,
      imports,
      controllers: [HealthController],
      providers,
      exports: [
        SETTINGS,
        SERVICE_NAME,
        NATS_CONNECTION,
        APP_LOGGER,
        RpcClient,
        ShutdownState,
        ...(options.database ? [OutboxPublisher, OutboxSignal, OUTBOX_RELAY] : []),
        ...(options.redis ? [REDIS_CONNECTION] : []),
        ...(backgroundJobs ? [BackgroundJobs] : []),
      ],
    };
  }
}
