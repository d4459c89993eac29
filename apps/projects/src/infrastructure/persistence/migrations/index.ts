import { messagingTablesMigration } from '@wandelwerk/platform';
import { PROJECTS_SCHEMA } from '../schema.js';

/** In the order they run; every schema change of the service is a migration here. */
export const PROJECTS_MIGRATIONS = [messagingTablesMigration(PROJECTS_SCHEMA)];
