import type { DynamicModule, Type } from '@nestjs/common';
import type { ServiceBlueprint } from '@wandelwerk/platform';
import type { GatewaySettings } from './config/gateway.settings.js';
import { configureGatewayHttp } from './http/configure-http.js';
import { HttpConventionsModule } from './http/http-conventions.module.js';
import { MunicipalitiesApiModule } from './municipalities/municipalities.module.js';
import { ProjectsApiModule } from './projects/projects.module.js';
import { StatusModule } from './status/status.module.js';

/** Largest accepted request body: 1 MiB (413 above). */
export const GATEWAY_BODY_LIMIT_BYTES = 1_048_576;

export interface GatewayBlueprintOptions {
  /** Further feature modules (tests add controllers that exercise the conventions). */
  modules?: (Type | DynamicModule)[];
}

/** The public HTTP API: no database of its own, it asks the services over NATS request/reply. */
export function gatewayBlueprint(
  settings: GatewaySettings,
  options: GatewayBlueprintOptions = {},
): ServiceBlueprint<GatewaySettings> {
  return {
    name: 'gateway',
    settings,
    modules: [
      HttpConventionsModule.forRoot({
        bodyLimitBytes: GATEWAY_BODY_LIMIT_BYTES,
        redisKeyPrefix: settings.REDIS_KEY_PREFIX,
        idempotencyTtlSeconds: settings.IDEMPOTENCY_TTL_SECONDS,
        // Longer than any request takes (each RPC gives up after RPC_TIMEOUT_MS).
        idempotencyLockMs: Math.max(30_000, settings.RPC_TIMEOUT_MS * 4),
      }),
      StatusModule,
      MunicipalitiesApiModule,
      ProjectsApiModule,
      ...(options.modules ?? []),
    ],
    redis: true,
    bodyLimitBytes: GATEWAY_BODY_LIMIT_BYTES,
    configureHttp: configureGatewayHttp(GATEWAY_BODY_LIMIT_BYTES),
  };
}

export { GatewaySettings } from './config/gateway.settings.js';
