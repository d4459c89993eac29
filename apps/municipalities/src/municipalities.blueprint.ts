import { validateEventData } from '@wandelwerk/contracts';
import type { ServiceBlueprint } from '@wandelwerk/platform';
import type { MunicipalitiesSettings } from './config/municipalities.settings.js';
import { MUNICIPALITIES_MIGRATIONS } from './infrastructure/persistence/migrations/index.js';
import { MUNICIPALITIES_SCHEMA } from './infrastructure/persistence/schema.js';

/** How the municipalities service is put together, for its entry point, its CLI and its end-to-end tests. */
export function municipalitiesBlueprint(
  settings: MunicipalitiesSettings,
): ServiceBlueprint<MunicipalitiesSettings> {
  return {
    name: 'municipalities',
    settings,
    modules: [],
    database: { schema: MUNICIPALITIES_SCHEMA, entities: [], migrations: MUNICIPALITIES_MIGRATIONS },
    redis: false,
    messaging: { validatePayload: validateEventData },
  };
}
