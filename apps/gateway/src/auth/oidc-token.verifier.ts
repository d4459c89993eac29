import { ProblemException, ROLES, standardProblem, type Role } from '@wandelwerk/contracts';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { createHash } from 'node:crypto';
import { InvalidTokenError, UUID, type VerifiedToken } from './access-tokens.js';
import type { ExternalTokenVerifier } from './external-token.verifier.js';

export interface OidcOptions {
  issuer: string;
  /** Required `aud`; empty accepts any audience. */
  audience: string;
  /** Dotted path of the roles claim, e.g. `realm_access.roles` (Keycloak). */
  rolesClaim: string;
  /** Dotted path of the municipality id claim. */
  municipalityClaim: string;
}

/** When a user has several Wandelwerk roles at the issuer, the one with the most rights counts. */
const ROLE_PRECEDENCE: readonly Role[] = ['admin', 'funding_officer', 'program_manager', 'municipality'];
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export function claimAt(payload: Record<string, unknown>, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The role a token's claim grants: a known role, the strongest if several, or null. */
export function roleFromClaim(claim: unknown): Role | null {
  const values = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
  const known = new Set(values.filter((v): v is Role => (ROLES as readonly unknown[]).includes(v)));
  return ROLE_PRECEDENCE.find((role) => known.has(role)) ?? null;
}

/**
 * The user id of an external subject: the `sub` itself when it is a UUID (Keycloak's are), otherwise a stable UUID
 * derived from issuer and subject, so the same person always acts as the same user.
 */
export function userIdOf(issuer: string, subject: string): string {
  if (UUID.test(subject)) return subject.toLowerCase();
  const hex = createHash('sha256').update(`${issuer}\n${subject}`).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Verifies bearer tokens of an OpenID Connect issuer (e.g. a Keycloak realm) against the keys it publishes (JWKS,
 * found through its discovery document, cached and refreshed by jose when a new key id appears), and maps its claims
 * to a Wandelwerk actor.
 */
export class OidcTokenVerifier implements ExternalTokenVerifier {
  readonly issuer: string;
  private keys: Promise<JWTVerifyGetKey> | undefined;

  constructor(private readonly options: OidcOptions) {
    this.issuer = options.issuer;
  }

  async verify(token: string): Promise<VerifiedToken> {
    const keys = await this.jwks();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.issuer,
        algorithms: ASYMMETRIC,
        requiredClaims: ['sub', 'exp'],
        ...(this.options.audience ? { audience: this.options.audience } : {}),
      }));
    } catch (error) {
      if (error instanceof ProblemException) throw error;
      throw new InvalidTokenError(error instanceof Error ? error.message : 'invalid token');
    }
    const role = roleFromClaim(claimAt(payload, this.options.rolesClaim));
    if (!role) throw new InvalidTokenError('the token grants no Wandelwerk role');
    const municipalityClaim = claimAt(payload, this.options.municipalityClaim);
    const municipalityId =
      role === 'municipality' && typeof municipalityClaim === 'string' && UUID.test(municipalityClaim)
        ? municipalityClaim.toLowerCase()
        : null;
    if (role === 'municipality' && !municipalityId)
      throw new InvalidTokenError('a municipality token names no municipality');
    const now = Math.floor(Date.now() / 1000);
    return {
      actor: { userId: userIdOf(this.issuer, String(payload['sub'])), role, municipalityId },
      jti:
        typeof payload['jti'] === 'string'
          ? payload['jti']
          : createHash('sha256').update(token).digest('hex'),
      issuedAt: typeof payload['iat'] === 'number' ? payload['iat'] : now,
      expiresAt: Number(payload['exp']),
      issuer: this.issuer,
    };
  }

  /** The issuer's key set, from its discovery document; a failed discovery is retried on the next request. */
  private jwks(): Promise<JWTVerifyGetKey> {
    this.keys ??= this.discover().catch((error: unknown) => {
      this.keys = undefined;
      throw error;
    });
    return this.keys;
  }

  private async discover(): Promise<JWTVerifyGetKey> {
    const url = `${this.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let document: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch {
      throw standardProblem('service-unavailable');
    }
    if (document.issuer !== this.issuer || typeof document.jwks_uri !== 'string')
      throw standardProblem('service-unavailable');
    const remote = createRemoteJWKSet(new URL(document.jwks_uri), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
    });
    // jose fails alike for a key the set lacks and for a set it could not fetch (refused, timed out, not 200, not a
    // key set). Only the first is the token's fault; the second is the issuer's outage: 503, so that clients retry
    // instead of signing their users out.
    return async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
          throw error;
        throw standardProblem('service-unavailable');
      }
    };
  }
}
