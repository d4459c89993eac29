import { validateEventData } from '@wandelwerk/contracts';
import type { ServiceBlueprint } from '@wandelwerk/platform';
import type { ProjectsSettings } from './config/projects.settings.js';
import { PROJECTS_MIGRATIONS } from './infrastructure/persistence/migrations/index.js';
import { PROJECTS_SCHEMA } from './infrastructure/persistence/schema.js';
import { ProposalsModule } from './proposals/proposals.module.js';
import { ReadModelsModule } from './read-models/read-models.module.js';
import { ReportingModule } from './reporting/reporting.module.js';

/** How the projects service is put together, for its entry point, its CLI and its end-to-end tests. */
export function projectsBlueprint(settings: ProjectsSettings): ServiceBlueprint<ProjectsSettings> {
  return {
    name: 'projects',
    settings,
    modules: [ReadModelsModule, ProposalsModule, ReportingModule],
    database: { schema: PROJECTS_SCHEMA, entities: [], migrations: PROJECTS_MIGRATIONS },
    redis: true,
    messaging: { validatePayload: validateEventData },
  };
}

export { ProjectsSettings } from './config/projects.settings.js';
