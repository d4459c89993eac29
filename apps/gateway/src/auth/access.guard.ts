import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { problem, standardProblem, type Role } from '@wandelwerk/contracts';
import type { FastifyReply } from 'fastify';
import { decodeJwt } from 'jose';
import { AccessTokens, InvalidTokenError, LOCAL_ISSUER, type VerifiedToken } from './access-tokens.js';
import { ACCESS_TOKENS, EXTERNAL_TOKEN_VERIFIER } from './auth.tokens.js';
import type { AuthenticatedRequest } from './current-actor.decorator.js';
import type { ExternalTokenVerifier } from './external-token.verifier.js';
import { PUBLIC_METADATA, ROLES_METADATA } from './roles.decorator.js';
import { TokenRevocations } from './token-revocations.js';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;
/** Longer than any honest token; refused before any parsing. */
const MAX_AUTHORIZATION_LENGTH = 8_192;

/**
 * Authentication and authorisation of every route, deny by default: a route is either `@Public()` or names its
 * roles with `@Roles(...)`; anything else is refused (a route someone forgot to mark is closed, not open).
 * The caller proves who they are with `Authorization: Bearer <access token>` — the gateway's own token, or one of the
 * configured OpenID Connect issuer. No or a bad token: 401 with `WWW-Authenticate: Bearer`; the wrong role: 403.
 * Which records a caller may see within a role (ownership, municipality) the services decide, answering 404.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(ACCESS_TOKENS) private readonly tokens: AccessTokens,
    private readonly revocations: TokenRevocations,
    @Inject(EXTERNAL_TOKEN_VERIFIER) private readonly external: ExternalTokenVerifier | null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // Outside /api only the platform's health and readiness probes, which load balancers call without tokens. Judged by
    // the route that matched, not the raw URL: `/%61pi/v1/users` is routed to `/api/v1/users` as well.
    const route = request.routeOptions.url;
    if (route !== undefined && !route.startsWith('/api/')) return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const token = await this.authenticate(request.headers.authorization, reply);
    request.actor = token.actor;
    request.accessToken = token;

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_METADATA, targets);
    if (!roles?.includes(token.actor.role)) throw standardProblem('forbidden');
    return true;
  }

  private async authenticate(header: string | undefined, reply: FastifyReply): Promise<VerifiedToken> {
    const refuse = (error: string) => {
      void reply.header('www-authenticate', `Bearer realm="wandelwerk", error="${error}"`);
      return error === 'invalid_request'
        ? standardProblem('unauthorized')
        : problem(401, 'auth.invalid-token', {
            de: 'Das Zugriffstoken ist ungültig, abgelaufen oder widerrufen. Bitte melden Sie sich erneut an.',
            en: 'The access token is invalid, expired or revoked. Please sign in again.',
          });
    };
    if (!header) {
      void reply.header('www-authenticate', 'Bearer realm="wandelwerk"');
      throw standardProblem('unauthorized');
    }
    const match = header.length <= MAX_AUTHORIZATION_LENGTH ? BEARER.exec(header) : null;
    if (!match?.[1]) throw refuse('invalid_request');
    const raw = match[1];
    let verified: VerifiedToken;
    try {
      verified = await this.verifierFor(raw)(raw);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw refuse('invalid_token');
      throw error;
    }
    if (await this.revocations.isRevoked(verified)) throw refuse('invalid_token');
    return verified;
  }

  private verifierFor(raw: string): (token: string) => Promise<VerifiedToken> {
    let issuer: unknown;
    try {
      issuer = decodeJwt(raw).iss;
    } catch {
      throw new InvalidTokenError('not a JWT');
    }
    if (issuer === LOCAL_ISSUER) return (token) => this.tokens.verify(token);
    const external = this.external;
    if (external && issuer === external.issuer) return (token) => external.verify(token);
    throw new InvalidTokenError('unknown issuer');
  }
}
