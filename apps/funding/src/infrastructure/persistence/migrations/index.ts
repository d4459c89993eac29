import { messagingTablesMigration } from '@wandelwerk/platform';
import { FUNDING_SCHEMA } from '../schema.js';

/** In the order they run; every schema change of the service is a migration here. */
export const FUNDING_MIGRATIONS = [messagingTablesMigration(FUNDING_SCHEMA)];
