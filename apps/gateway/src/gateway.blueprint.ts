import type { ServiceBlueprint } from '@wandelwerk/platform';
import type { GatewaySettings } from './config/gateway.settings.js';
import { StatusModule } from './status/status.module.js';

/** The public HTTP API: no database of its own, it asks the services over NATS request/reply. */
export function gatewayBlueprint(settings: GatewaySettings): ServiceBlueprint<GatewaySettings> {
  return { name: 'gateway', settings, modules: [StatusModule], bodyLimitBytes: 1_048_576 };
}
