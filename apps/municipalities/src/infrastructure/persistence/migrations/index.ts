import { messagingTablesMigration } from '@wandelwerk/platform';
import { MUNICIPALITIES_SCHEMA } from '../schema.js';
import { MunicipalityRegistry1763700000001 } from './1763700000001-municipality-registry.js';

/** In the order they run; every schema change of the service is a migration here. */
export const MUNICIPALITIES_MIGRATIONS = [
  messagingTablesMigration(MUNICIPALITIES_SCHEMA),
  MunicipalityRegistry1763700000001,
];
