import { messagingTablesMigration, requestOutcomesMigration } from '@wandelwerk/platform';
import { FUNDING_SCHEMA } from '../schema.js';
import { Funding1765000000001 } from './1765000000001-funding.js';
import { FundingReports1765000000002 } from './1765000000002-funding-reports.js';

/** In the order they run; every schema change of the service is a migration here. */
export const FUNDING_MIGRATIONS = [
  messagingTablesMigration(FUNDING_SCHEMA),
  Funding1765000000001,
  FundingReports1765000000002,
  requestOutcomesMigration(FUNDING_SCHEMA),
];
