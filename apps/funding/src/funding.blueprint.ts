import { validateEventData } from '@wandelwerk/contracts';
import type { ServiceBlueprint } from '@wandelwerk/platform';
import type { FundingSettings } from './config/funding.settings.js';
import { FUNDING_MIGRATIONS } from './infrastructure/persistence/migrations/index.js';
import { FUNDING_SCHEMA } from './infrastructure/persistence/schema.js';

/** How the funding service is put together, for its entry point, its CLI and its end-to-end tests. */
export function fundingBlueprint(settings: FundingSettings): ServiceBlueprint<FundingSettings> {
  return {
    name: 'funding',
    settings,
    modules: [],
    database: { schema: FUNDING_SCHEMA, entities: [], migrations: FUNDING_MIGRATIONS },
    redis: true,
    messaging: { validatePayload: validateEventData },
  };
}

export { FundingSettings } from './config/funding.settings.js';
