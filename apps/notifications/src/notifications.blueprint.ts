import { validateEventData } from '@wandelwerk/contracts';
import type { ServiceBlueprint } from '@wandelwerk/platform';
import type { NotificationsSettings } from './config/notifications.settings.js';
import { NOTIFICATIONS_MIGRATIONS } from './infrastructure/persistence/migrations/index.js';
import { NOTIFICATIONS_SCHEMA } from './infrastructure/persistence/schema.js';

/** How the notifications service is put together, for its entry point, its CLI and its end-to-end tests. */
export function notificationsBlueprint(
  settings: NotificationsSettings,
): ServiceBlueprint<NotificationsSettings> {
  return {
    name: 'notifications',
    settings,
    modules: [],
    database: { schema: NOTIFICATIONS_SCHEMA, entities: [], migrations: NOTIFICATIONS_MIGRATIONS },
    redis: true,
    messaging: { validatePayload: validateEventData },
  };
}

export { NotificationsSettings } from './config/notifications.settings.js';
