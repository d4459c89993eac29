import { readConfigOrExit } from '@wandelwerk/config';
import { runService } from '@wandelwerk/platform';
import { ProjectsSettings } from './config/projects.settings.js';
import { projectsBlueprint } from './projects.blueprint.js';

await runService(projectsBlueprint(readConfigOrExit(ProjectsSettings, 'projects')));
