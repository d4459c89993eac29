import { Module } from '@nestjs/common';
import { TokenRevocationsModule } from '../auth/token-revocations.module.js';
import { LiveNotifications } from './live-notifications.service.js';
import { NotificationsController } from './notifications.controller.js';
import { PreferencesController } from './preferences.controller.js';
import { WebhooksController } from './webhooks.controller.js';

/** Notifications' public API: the inbox and its live stream, webhooks, preferences; the service does the work. */
@Module({
  imports: [TokenRevocationsModule],
  controllers: [NotificationsController, WebhooksController, PreferencesController],
  providers: [LiveNotifications],
})
export class NotificationsApiModule {}
