import { validateEventData } from '@wandelwerk/contracts';
import type { ServiceBlueprint } from '@wandelwerk/platform';
import { ContactEntity } from './contacts/contact.entity.js';
import { ContactsModule } from './contacts/contacts.module.js';
import { CooperationEntity, CooperationMembershipEntity } from './cooperations/cooperation.entity.js';
import { CooperationsModule } from './cooperations/cooperations.module.js';
import { MunicipalityEntity } from './municipalities/municipality.entity.js';
import { MunicipalitiesModule } from './municipalities/municipalities.module.js';
import { importCommand } from './municipalities/import/import.command.js';
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
    modules: [MunicipalitiesModule, ContactsModule, CooperationsModule],
    database: {
      schema: MUNICIPALITIES_SCHEMA,
      entities: [MunicipalityEntity, ContactEntity, CooperationEntity, CooperationMembershipEntity],
      migrations: MUNICIPALITIES_MIGRATIONS,
    },
    redis: false,
    messaging: { validatePayload: validateEventData },
    commands: { import: importCommand },
  };
}

export { MunicipalitiesSettings } from './config/municipalities.settings.js';
