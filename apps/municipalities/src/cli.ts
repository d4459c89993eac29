import { readConfigOrExit } from '@wandelwerk/config';
import { runServiceCli } from '@wandelwerk/platform';
import { MunicipalitiesSettings } from './config/municipalities.settings.js';
import { municipalitiesBlueprint } from './municipalities.blueprint.js';

await runServiceCli(
  municipalitiesBlueprint(readConfigOrExit(MunicipalitiesSettings, 'municipalities-cli')),
  process.argv.slice(2),
);
