import { messagingTablesMigration } from '@wandelwerk/platform';
import { NOTIFICATIONS_SCHEMA } from '../schema.js';

/** In the order they run; every schema change of the service is a migration here. */
export const NOTIFICATIONS_MIGRATIONS = [messagingTablesMigration(NOTIFICATIONS_SCHEMA)];
