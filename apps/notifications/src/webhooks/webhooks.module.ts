import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module.js';
import { WebhooksHandler } from './webhooks.handler.js';
import { WebhooksService } from './webhooks.service.js';

/** Standard Webhooks endpoints of the municipalities. */
@Module({ imports: [DeliveriesModule], controllers: [WebhooksHandler], providers: [WebhooksService] })
export class WebhooksModule {}
