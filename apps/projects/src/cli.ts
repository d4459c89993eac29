import { readConfigOrExit } from '@wandelwerk/config';
import { runServiceCli } from '@wandelwerk/platform';
import { ProjectsSettings } from './config/projects.settings.js';
import { projectsBlueprint } from './projects.blueprint.js';

await runServiceCli(
  projectsBlueprint(readConfigOrExit(ProjectsSettings, 'projects-cli')),
  process.argv.slice(2),
);
