import { Module } from '@nestjs/common';
import { MailTransport } from '../infrastructure/smtp/mail-transport.js';
import { NotificationWriter } from '../recipients/notification-writer.service.js';
import { DeliveryDispatcher } from './delivery-dispatcher.service.js';
import { DeliveryProcessor } from './delivery.processor.js';

/** Writing notifications with their deliveries, and sending them: e-mail over SMTP, signed webhooks. */
@Module({
  providers: [MailTransport, DeliveryDispatcher, DeliveryProcessor, NotificationWriter],
  exports: [NotificationWriter, DeliveryDispatcher, DeliveryProcessor],
})
export class DeliveriesModule {}
