import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { OutboxRelay } from '@wandelwerk/messaging';
import { serializeError, type JsonLogger } from '@wandelwerk/observability';
import type { Redis } from 'ioredis';
import { BackgroundJobs } from '../jobs/background-jobs.js';
import { APP_LOGGER, NATS_CONNECTION, REDIS_CONNECTION } from '../tokens.js';

export const OUTBOX_RELAY = Symbol('OUTBOX_RELAY');

/**
 * Starts the outbox relay with the app and, at shutdown (after Nest has stopped the HTTP server and the message
 * transport and let their work in flight finish), publishes what that work wrote, then closes the connections.
 */
@Injectable()
export class PlatformLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(APP_LOGGER) private readonly logger: JsonLogger,
    @Optional() @Inject(OUTBOX_RELAY) private readonly relay?: OutboxRelay,
    @Optional() @Inject(REDIS_CONNECTION) private readonly redis?: Redis,
    @Optional() private readonly jobs?: BackgroundJobs,
  ) {}

  onApplicationBootstrap(): void {
    this.relay?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.relay) {
      await this.relay.waitUntilIdle(3_000).catch((error: unknown) =>
        this.logger.write('warn', 'outbox not empty at shutdown; the next start publishes the rest', {
          err: serializeError(error),
        }),
      );
      await this.relay.stop();
    }
    await this.jobs?.closeQueues().catch(() => undefined);
    await this.redis?.quit().catch(() => undefined);
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => undefined);
  }
}
