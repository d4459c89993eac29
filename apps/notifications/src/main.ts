import { readConfigOrExit } from '@wandelwerk/config';
import { runService } from '@wandelwerk/platform';
import { NotificationsSettings } from './config/notifications.settings.js';
import { notificationsBlueprint } from './notifications.blueprint.js';

await runService(notificationsBlueprint(readConfigOrExit(NotificationsSettings, 'notifications')));
