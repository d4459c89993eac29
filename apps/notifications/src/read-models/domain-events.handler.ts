import { Controller, Inject, Injectable } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EVENT_CATALOGUE, type CloudEvent } from '@wandelwerk/contracts';
import type { EventContext } from '@wandelwerk/messaging';
import type { JsonLogger } from '@wandelwerk/observability';
import { APP_LOGGER, SETTINGS } from '@wandelwerk/platform';
import type { NotificationsSettings } from '../config/notifications.settings.js';
import { planNotification } from '../recipients/notification-plan.js';
import { NotificationWriter } from '../recipients/notification-writer.service.js';
import { ReadModels } from './read-models.service.js';

/** Every event of the services notifications reads (the catalogue says which: all but its own). */
export const CONSUMED_EVENT_TYPES: readonly string[] = EVENT_CATALOGUE.filter((d) =>
  d.consumers.includes('notifications'),
).map((d) => d.type);

/**
 * One event, in the inbox transaction: keep the read models, then notify whoever the event concerns. An event whose
 * recipients include the owner of a proposal not seen yet (its projects events still on their way) is handed back
 * to the transport (ProposalNotYetKnown), which redelivers it with a growing delay; only its last attempt goes out
 * without the owner rather than to the dead-letter stream, since the municipalities must hear of it either way.
 */
@Injectable()
export class DomainEventConsumer {
  constructor(
    private readonly readModels: ReadModels,
    private readonly writer: NotificationWriter,
    @Inject(SETTINGS) private readonly settings: NotificationsSettings,
    @Inject(APP_LOGGER) private readonly logger: JsonLogger,
  ) {}

  async consume(event: CloudEvent, ctx: EventContext): Promise<number> {
    await this.readModels.apply(ctx.manager, event);
    const last = ctx.attempt >= this.settings.EVENT_MAX_ATTEMPTS;
    const lookups = this.readModels.lookups(ctx.manager);
    const plan = await planNotification(
      event,
      last
        ? {
            ...lookups,
            proposal: async (proposalId) => {
              const known = await lookups.proposal(proposalId);
              if (!known)
                this.logger.write('warn', 'owner of the proposal still unknown; notified without the owner', {
                  eventId: event.id,
                  type: event.type,
                  proposalId,
                  attempt: ctx.attempt,
                });
              return known;
            },
          }
        : lookups,
      { unknownProposal: last ? 'without-owner' : 'retry' },
    );
    if (!plan) return 0;
    // Webhooks receive the event itself, as published.
    return this.writer.write(ctx.manager, event, plan, JSON.stringify(event));
  }
}

/**
 * The `@EventPattern` of each consumed type, made from the catalogue so that a new event type is consumed (and at
 * least feeds the read models) without another hand-written method.
 */
@Controller()
export class DomainEventsHandler {
  constructor(readonly consumer: DomainEventConsumer) {}
}

for (const type of CONSUMED_EVENT_TYPES) {
  const name = `handle ${type}`;
  const prototype = DomainEventsHandler.prototype as unknown as Record<string, unknown>;
  Object.defineProperty(prototype, name, {
    value: async function (this: DomainEventsHandler, event: CloudEvent, ctx: EventContext): Promise<void> {
      await this.consumer.consume(event, ctx);
    },
    writable: true,
    configurable: true,
  });
  Payload()(prototype, name, 0);
  Ctx()(prototype, name, 1);
  EventPattern<string>(type)(prototype, name, Object.getOwnPropertyDescriptor(prototype, name)!);
}
