import type { DynamicModule, Type } from '@nestjs/common';
import type { ServiceBlueprint } from '@wandelwerk/platform';
import { AuditModule } from './audit/audit.module.js';
import { accessMatrixCommand } from './auth/access-matrix.command.js';
import { AuthModule } from './auth/auth.module.js';
import type { GatewaySettings } from './config/gateway.settings.js';
import { FundingApiModule } from './funding/funding.module.js';
import { configureGatewayHttp } from './http/configure-http.js';
import { HttpConventionsModule } from './http/http-conventions.module.js';
import { GATEWAY_MIGRATIONS } from './infrastructure/persistence/migrations/index.js';
import { GATEWAY_SCHEMA } from './infrastructure/persistence/schema.js';
import { MunicipalitiesApiModule } from './municipalities/municipalities.module.js';
import { NotificationsApiModule } from './notifications/notifications.module.js';
import { ProjectsApiModule } from './projects/projects.module.js';
import { StatusModule } from './status/status.module.js';
import { seedAccountsCommand } from './users/seed-accounts.command.js';
import { UsersModule } from './users/users.module.js';

/** Largest accepted request body: 1 MiB (413 above). */
export const GATEWAY_BODY_LIMIT_BYTES = 1_048_576;

export interface GatewayBlueprintOptions {
  /** Further feature modules (tests add controllers that exercise the conventions). */
  modules?: (Type | DynamicModule)[];
}

/**
 * The public HTTP API. It authenticates and authorises every request and keeps accounts and the audit record in its
 * own schema; the work itself it asks of the services over NATS request/reply.
 */
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
      AuthModule,
      UsersModule,
      AuditModule,
      StatusModule,
      MunicipalitiesApiModule,
      ProjectsApiModule,
      FundingApiModule,
      NotificationsApiModule,
      ...(options.modules ?? []),
    ],
    database: { schema: GATEWAY_SCHEMA, entities: [], migrations: GATEWAY_MIGRATIONS },
    redis: true,
    bodyLimitBytes: GATEWAY_BODY_LIMIT_BYTES,
    trustProxy: settings.TRUST_PROXY,
    commands: { 'seed-accounts': seedAccountsCommand, 'access-matrix': accessMatrixCommand },
    configureHttp: configureGatewayHttp({
      bodyLimitBytes: GATEWAY_BODY_LIMIT_BYTES,
      hstsMaxAgeSeconds: settings.HSTS_MAX_AGE_SECONDS,
      corsOrigins: settings.CORS_ORIGINS,
    }),
  };
}

export { GatewaySettings } from './config/gateway.settings.js';
export { LOCAL_AUDIENCE, LOCAL_ISSUER } from './auth/access-tokens.js';
