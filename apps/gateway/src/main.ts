import { readConfigOrExit } from '@wandelwerk/config';
import { runService } from '@wandelwerk/platform';
import { GatewaySettings } from './config/gateway.settings.js';
import { gatewayBlueprint } from './gateway.blueprint.js';

await runService(gatewayBlueprint(readConfigOrExit(GatewaySettings, 'gateway')));
