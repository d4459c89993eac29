import { readConfigOrExit } from '@wandelwerk/config';
import { runService } from '@wandelwerk/platform';
import { FundingSettings } from './config/funding.settings.js';
import { fundingBlueprint } from './funding.blueprint.js';

await runService(fundingBlueprint(readConfigOrExit(FundingSettings, 'funding')));
