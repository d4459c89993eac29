import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { SETTINGS } from '@wandelwerk/platform';
import type { GatewaySettings } from '../config/gateway.settings.js';
import { UsersModule } from '../users/users.module.js';
import { AccessGuard } from './access.guard.js';
import { AccessTokens } from './access-tokens.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { ACCESS_TOKENS, EXTERNAL_TOKEN_VERIFIER } from './auth.tokens.js';
import { LoginThrottle } from './login-throttle.js';
import { OidcTokenVerifier } from './oidc-token.verifier.js';
import { TokenRevocationsModule } from './token-revocations.module.js';

/** Who is asking: sign-in and sessions, and the guard in front of every route. */
@Module({
  imports: [UsersModule, TokenRevocationsModule, DiscoveryModule],
  controllers: [AuthController],
  providers: [
    {
      provide: ACCESS_TOKENS,
      inject: [SETTINGS],
      useFactory: (settings: GatewaySettings) =>
        new AccessTokens(settings.JWT_SECRET, settings.ACCESS_TOKEN_TTL_SECONDS),
    },
    {
      provide: EXTERNAL_TOKEN_VERIFIER,
      inject: [SETTINGS],
      useFactory: (settings: GatewaySettings) =>
        settings.OIDC_ISSUER_URL
          ? new OidcTokenVerifier({
              issuer: settings.OIDC_ISSUER_URL,
              audience: settings.OIDC_AUDIENCE,
              rolesClaim: settings.OIDC_ROLES_CLAIM,
              municipalityClaim: settings.OIDC_MUNICIPALITY_CLAIM,
            })
          : null,
    },
    AuthService,
    LoginThrottle,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
})
export class AuthModule {}
