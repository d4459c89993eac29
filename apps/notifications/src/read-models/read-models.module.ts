import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module.js';
import { DomainEventConsumer, DomainEventsHandler } from './domain-events.handler.js';
import { ReadModels } from './read-models.service.js';

/** The consumed events: read models, then notifications for whoever they concern. */
@Module({
  imports: [DeliveriesModule],
  controllers: [DomainEventsHandler],
  providers: [ReadModels, DomainEventConsumer],
})
export class ReadModelsModule {}
