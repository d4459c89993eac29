import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NatsConnection } from '@nats-io/transport-node';
import type { NatsSettings, ServiceSettings } from '@wandelwerk/config';
import {
  connectNats,
  OutboxPublisher,
  JetStreamTransport,
  RethrowErrorsFilter,
  type PayloadValidator,
} from '@wandelwerk/messaging';
import { JsonLogger, serializeError } from '@wandelwerk/observability';
import type { NestMicroservice } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import type { DatabaseBlueprint } from './database/migrations.js';
import { installCorrelationAndAccessLog } from './http/correlation.hook.js';
import { ShutdownState } from './lifecycle/shutdown-state.js';
import { PlatformModule } from './platform.module.js';
import { systemPingHandler } from './system/system-ping.handler.js';

export interface ServiceBlueprint<S extends NatsSettings> {
  name: string;
  settings: S;
  /** The app's feature modules. */
  modules: (Type | DynamicModule)[];
  database?: DatabaseBlueprint;
  redis?: boolean;
  /** Attach the JetStream transport: the app's `@EventPattern` and `@MessagePattern` handlers receive messages. */
  messaging?: {
    validatePayload?: PayloadValidator;
    concurrency?: number;
    maxAttempts?: number;
    retryBaseDelayMs?: number;
  };
  /** Operator commands of the app's CLI besides `migrate` (e.g. an import), run without serving anything. */
  commands?: Record<string, ServiceCommand>;
  /** Largest accepted request body. */
  bodyLimitBytes?: number;
  /** Behind reverse proxies: how many hops, or which addresses, to believe about the client (Fastify's trustProxy). */
  trustProxy?: boolean | number | string;
  /** Adjust the HTTP app before it listens (global pipes, filters, OpenAPI). */
  configureHttp?: (app: NestFastifyApplication) => void | Promise<void>;
}

export interface ServiceCommand {
  usage: string;
  /** Runs with the app built but not listening; returns what to print. */
  run(app: NestFastifyApplication, args: string[]): Promise<string>;
}

export interface ServiceApp {
  app: NestFastifyApplication;
  logger: JsonLogger;
  nc: NatsConnection;
  /** Starts the message transport and the HTTP server; returns the bound URL. */
  start(): Promise<string>;
  /** Drains: stops taking requests and messages, finishes what is in flight, closes connections. */
  stop(): Promise<void>;
}

/** A number of proxies becomes a function of the hop (Fastify takes addresses, CIDR lists or a function). */
function trustProxyOption(
  trust: ServiceBlueprint<NatsSettings>['trustProxy'],
): boolean | string | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust ?? false;
}

/** Builds a service the same way for production and for in-process end-to-end tests. */
export async function createServiceApp<S extends NatsSettings>(
  blueprint: ServiceBlueprint<S>,
): Promise<ServiceApp> {
  const { settings, name } = blueprint;
  const logger = new JsonLogger(name, settings.LOG_LEVEL, process.stdout, {
    instance: settings.INSTANCE_NAME,
  });
  const nc = await connectNats({ url: settings.NATS_URL, name: `${name}-${settings.INSTANCE_NAME}` });

  @Module({})
  class ServiceRootModule {}
  const root: DynamicModule = {
    module: ServiceRootModule,
    imports: [
      PlatformModule.forRoot({
        name,
        settings,
        nc,
        logger,
        ...(blueprint.database ? { database: blueprint.database } : {}),
        ...(blueprint.redis ? { redis: true } : {}),
      }),
      ...blueprint.modules,
    ],
    controllers: blueprint.messaging ? [systemPingHandler(name)] : [],
  };
  const app = await NestFactory.create<NestFastifyApplication>(
    root,
    new FastifyAdapter({
      bodyLimit: blueprint.bodyLimitBytes ?? 1_048_576,
      logger: false,
      trustProxy: trustProxyOption(blueprint.trustProxy),
    }),
    { logger, bufferLogs: false, abortOnError: false },
  );
  installCorrelationAndAccessLog(app.getHttpAdapter().getInstance(), logger);
  await blueprint.configureHttp?.(app);

  if (blueprint.messaging) {
    if (!blueprint.database)
      throw new Error(`${name}: the message transport needs the service's database (inbox)`);
    const service = settings as unknown as ServiceSettings;
    const transport = new JetStreamTransport({
      service: name,
      nc,
      dataSource: app.get(DataSource),
      schema: blueprint.database.schema,
      prefix: settings.NATS_PREFIX,
      logger,
      outbox: app.get(OutboxPublisher),
      concurrency: blueprint.messaging.concurrency ?? service.EVENT_CONCURRENCY,
      retry: {
        maxAttempts: blueprint.messaging.maxAttempts ?? service.EVENT_MAX_ATTEMPTS,
        ...(blueprint.messaging.retryBaseDelayMs
          ? { baseDelayMs: blueprint.messaging.retryBaseDelayMs }
          : {}),
      },
      ...(blueprint.messaging.validatePayload
        ? { validatePayload: blueprint.messaging.validatePayload }
        : {}),
    });
    // The filter must be in place before Nest wraps the handlers (registerListeners), hence the deferred start;
    // the app itself has already run the init hooks.
    const microservice = app.connectMicroservice(
      { strategy: transport },
      { inheritAppConfig: false, deferInitialization: true },
    ) as NestMicroservice;
    microservice.useGlobalFilters(new RethrowErrorsFilter());
    microservice.registerListeners();
    microservice.setIsInitialized(true);
    microservice.setIsInitHookCalled(true);
  }

  let stopping: Promise<void> | undefined;
  return {
    app,
    logger,
    nc,
    async start() {
      await app.startAllMicroservices();
      await app.listen({ port: settings.PORT, host: settings.HOST });
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      logger.write('info', `${name} is up`, { url });
      return url;
    },
    stop() {
      stopping ??= (async () => {
        app.get(ShutdownState).draining = true;
        await app.close();
        logger.write('info', `${name} stopped`);
      })();
      return stopping;
    },
  };
}

/**
 * The entry point of every app: start, then on SIGTERM or SIGINT drain and exit 0 (exit 1 if draining takes longer
 * than SHUTDOWN_GRACE_MS, so an orchestrator is never left waiting).
 */
export async function runService<S extends NatsSettings>(
  blueprint: ServiceBlueprint<S>,
): Promise<INestApplication> {
  const service = await createServiceApp(blueprint);
  const onSignal = (signal: NodeJS.Signals): void => {
    service.logger.write('info', `received ${signal}; draining`);
    const timer = setTimeout(() => {
      service.logger.write(
        'error',
        `drain took longer than ${blueprint.settings.SHUTDOWN_GRACE_MS} ms; exiting`,
      );
      process.exit(1);
    }, blueprint.settings.SHUTDOWN_GRACE_MS);
    timer.unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        service.logger.write('error', 'shutdown failed', { err: serializeError(error) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    await service.start();
  } catch (error) {
    service.logger.write('fatal', `${blueprint.name} could not start`, { err: serializeError(error) });
    await service.stop().catch(() => undefined);
    process.exit(1);
  }
  return service.app;
}
