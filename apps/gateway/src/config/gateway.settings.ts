import { NatsSettings } from '@wandelwerk/config';

/** Settings of the gateway; field names are the environment variables. */
export class GatewaySettings extends NatsSettings {
  override PORT = 3000;
}
