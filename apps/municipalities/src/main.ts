import { readConfigOrExit } from '@wandelwerk/config';
import { runService } from '@wandelwerk/platform';
import { MunicipalitiesSettings } from './config/municipalities.settings.js';
import { municipalitiesBlueprint } from './municipalities.blueprint.js';

await runService(municipalitiesBlueprint(readConfigOrExit(MunicipalitiesSettings, 'municipalities')));
