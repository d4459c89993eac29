import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { NatsSettings } from '@wandelwerk/config';
import { NotificationCreatedEvent, type CloudEvent } from '@wandelwerk/contracts';
import { subjectOf } from '@wandelwerk/messaging';
import { NATS_CONNECTION, SETTINGS } from '@wandelwerk/platform';
import { Subject, type Observable } from 'rxjs';

/**
 * New notifications as they are created, for the SSE stream. The notifications service publishes
 * `notifications.notification.created.v1` through its outbox once the notification is committed; JetStream keeps it,
 * and the same NATS message reaches this plain (core) subscription too, so the gateway needs no consumer, database or
 * inbox of its own. Live pushes are best effort (a gateway that was disconnected misses some); the list is the
 * record.
 */
@Injectable()
export class LiveNotifications implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly created = new Subject<CloudEvent<NotificationCreatedEvent>>();
  private readonly closing = new Subject<void>();
  private subscription: Subscription | undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SETTINGS) private readonly settings: NatsSettings,
  ) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(
      subjectOf(this.settings.NATS_PREFIX, NotificationCreatedEvent.type),
      {
        callback: (error, msg) => {
          if (error) return;
          try {
            this.created.next(msg.json<CloudEvent<NotificationCreatedEvent>>());
          } catch {
            // Not JSON: nothing to push.
          }
        },
      },
    );
  }

  get events(): Observable<CloudEvent<NotificationCreatedEvent>> {
    return this.created.asObservable();
  }

  /** Emits once when the gateway shuts down: open streams end, so the HTTP server can close without waiting. */
  get shutdown(): Observable<void> {
    return this.closing.asObservable();
  }

  beforeApplicationShutdown(): void {
    this.closing.next();
    this.closing.complete();
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    this.created.complete();
  }
}
