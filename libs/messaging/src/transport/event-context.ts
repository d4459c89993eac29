import { BaseRpcContext } from '@nestjs/microservices';
import type { CloudEvent } from '@wandelwerk/contracts';
import type { EntityManager } from 'typeorm';
import type { OutboxPublisher, OutgoingEvent } from '../outbox/outbox.publisher.js';

type EventContextArgs = [CloudEvent, EntityManager, number, OutboxPublisher];

/**
 * What an `@EventPattern` handler gets as `@Ctx()`: the transaction in which its effect, the inbox record of the
 * event and any events it emits commit together.
 */
export class EventContext extends BaseRpcContext<EventContextArgs> {
  get event(): CloudEvent {
    return this.args[0];
  }

  /** Write the handler's effect through this manager: it is the inbox transaction. */
  get manager(): EntityManager {
    return this.args[1];
  }

  /** 1 on the first delivery. */
  get attempt(): number {
    return this.args[2];
  }

  /** Emits an event caused by the one being handled, in the same transaction. */
  publish<TData>(event: OutgoingEvent<TData>): Promise<CloudEvent<TData>> {
    return this.args[3].publish(this.manager, { causationId: this.event.id, ...event });
  }
}
