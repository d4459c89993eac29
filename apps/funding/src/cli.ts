import { readConfigOrExit } from '@wandelwerk/config';
import { runServiceCli } from '@wandelwerk/platform';
import { FundingSettings } from './config/funding.settings.js';
import { fundingBlueprint } from './funding.blueprint.js';

await runServiceCli(
  fundingBlueprint(readConfigOrExit(FundingSettings, 'funding-cli')),
  process.argv.slice(2),
);
