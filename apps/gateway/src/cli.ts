import { readConfigOrExit } from '@wandelwerk/config';
import { runServiceCli } from '@wandelwerk/platform';
import { GatewaySettings } from './config/gateway.settings.js';
import { gatewayBlueprint } from './gateway.blueprint.js';

await runServiceCli(
  gatewayBlueprint(readConfigOrExit(GatewaySettings, 'gateway-cli')),
  process.argv.slice(2),
);
