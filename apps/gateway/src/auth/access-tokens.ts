import type { ActorDto, Role } from '@wandelwerk/contracts';
import { ROLES } from '@wandelwerk/contracts';
import { jwtVerify, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';

/** `iss` of the gateway's own access tokens. */
export const LOCAL_ISSUER = 'wandelwerk-gateway';
/** `aud` of the gateway's own access tokens. */
export const LOCAL_AUDIENCE = 'wandelwerk-api';

/** An access token the gateway accepted: who it speaks for, and what revocation needs. */
export interface VerifiedToken {
  actor: ActorDto;
  /** Token id: logout puts it on the deny list until it expires. */
  jti: string;
  /** Issued at and expiry, in seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
  issuer: string;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresAt: number;
}

/** A user or municipality id as tokens carry them (versions 1 to 8). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Thrown for every token that is not acceptable; the guard answers 401 without saying why. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

/** The gateway's own short-lived access tokens: HS256 JWTs with the user, role and municipality. */
export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(actor: ActorDto): Promise<IssuedAccessToken> {
    const jti = randomUUID();
    const issuedAt = Math.floor(this.now() / 1000);
    const expiresAt = issuedAt + this.ttlSeconds;
    const token = await new SignJWT({ role: actor.role, mun: actor.municipalityId ?? null })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(actor.userId)
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(jti)
      .sign(this.key);
    return { token, jti, expiresAt };
  }

  async verify(token: string): Promise<VerifiedToken> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        algorithms: ['HS256'],
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      throw new InvalidTokenError(error instanceof Error ? error.message : 'invalid token');
    }
    const { sub, role, mun, jti, iat, exp } = payload;
    if (typeof sub !== 'string' || !UUID.test(sub)) throw new InvalidTokenError('sub is not a user id');
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role))
      throw new InvalidTokenError('role is not a role');
    const municipalityId = typeof mun === 'string' && UUID.test(mun) ? mun : null;
    if ((role === 'municipality') !== (municipalityId !== null))
      throw new InvalidTokenError('municipality binding does not match the role');
    return {
      actor: { userId: sub, role: role as Role, municipalityId },
      jti: String(jti),
      issuedAt: Number(iat),
      expiresAt: Number(exp),
      issuer: LOCAL_ISSUER,
    };
  }
}
