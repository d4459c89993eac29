import { ServiceSettings } from '@wandelwerk/config';

/** Settings of the funding service; field names are the environment variables. */
export class FundingSettings extends ServiceSettings {
  override PORT = 3002;
}
