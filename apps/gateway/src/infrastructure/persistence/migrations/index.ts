import { messagingTablesMigration } from '@wandelwerk/platform';
import { GATEWAY_SCHEMA } from '../schema.js';
import { Accounts1764100000001 } from './1764100000001-accounts.js';

/** In the order they run; every schema change of the gateway is a migration here. */
export const GATEWAY_MIGRATIONS = [messagingTablesMigration(GATEWAY_SCHEMA), Accounts1764100000001];
