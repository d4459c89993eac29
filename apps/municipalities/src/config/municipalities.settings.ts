import { ServiceSettings } from '@wandelwerk/config';

/** Settings of the municipalities service; field names are the environment variables. */
export class MunicipalitiesSettings extends ServiceSettings {
  override PORT = 3003;
}
