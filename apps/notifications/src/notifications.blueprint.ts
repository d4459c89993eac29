import { validateEventData } from '@wandelwerk/contracts';
import type { ServiceBlueprint } from '@wandelwerk/platform';
import type { NotificationsSettings } from './config/notifications.settings.js';
import { DeliveriesModule } from './deliveries/deliveries.module.js';
import { SchedulesModule } from './digests/schedules.module.js';
import { InAppModule } from './in-app/in-app.module.js';
import { NOTIFICATIONS_MIGRATIONS } from './infrastructure/persistence/migrations/index.js';
import { NOTIFICATIONS_SCHEMA } from './infrastructure/persistence/schema.js';
import { PreferencesModule } from './preferences/preferences.module.js';
import { ReadModelsModule } from './read-models/read-models.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/** How the notifications service is put together, for its entry point, its CLI and its end-to-end tests. */
export function notificationsBlueprint(
  settings: NotificationsSettings,
): ServiceBlueprint<NotificationsSettings> {
  return {
    name: 'notifications',
    settings,
    modules: [
      DeliveriesModule,
      ReadModelsModule,
      InAppModule,
      WebhooksModule,
      PreferencesModule,
      SchedulesModule,
    ],
    database: { schema: NOTIFICATIONS_SCHEMA, entities: [], migrations: NOTIFICATIONS_MIGRATIONS },
    redis: true,
    messaging: { validatePayload: validateEventData },
  };
}

export { NotificationsSettings } from './config/notifications.settings.js';
