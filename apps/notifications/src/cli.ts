import { readConfigOrExit } from '@wandelwerk/config';
import { runServiceCli } from '@wandelwerk/platform';
import { NotificationsSettings } from './config/notifications.settings.js';
import { notificationsBlueprint } from './notifications.blueprint.js';

await runServiceCli(
  notificationsBlueprint(readConfigOrExit(NotificationsSettings, 'notifications-cli')),
  process.argv.slice(2),
);
