import { messagingTablesMigration, requestOutcomesMigration } from '@wandelwerk/platform';
import { PROJECTS_SCHEMA } from '../schema.js';
import { Projects1764000000001 } from './1764000000001-projects.js';
import { Reporting1764000000002 } from './1764000000002-reporting.js';
import { ProposalYear1764000000003 } from './1764000000003-proposal-year.js';

/** In the order they run; every schema change of the service is a migration here. */
export const PROJECTS_MIGRATIONS = [
  messagingTablesMigration(PROJECTS_SCHEMA),
  Projects1764000000001,
  Reporting1764000000002,
  ProposalYear1764000000003,
  requestOutcomesMigration(PROJECTS_SCHEMA),
];
