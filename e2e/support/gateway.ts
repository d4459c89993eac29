import type { ActorDto } from '@wandelwerk/contracts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '@wandelwerk/gateway/blueprint';
import { startTestGatewayOn } from '@wandelwerk/gateway/testing';
import { createHmac, randomUUID } from 'node:crypto';
import type { TestDatabase } from '@wandelwerk/testing';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | null;
}

/** What a client does: JSON in and out; a string body goes as it is (e.g. CSV, with its own content type). */
export type Send = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<HttpAnswer>;

export interface TestGateway {
  url: string;
  /** Acts as a test administrator. */
  send: Send;
  /** Acts as the given user (a signed-in account of that role, bound to `municipalityId` for municipalities). */
  sendAs(actor: ActorDto): Send;
  /** Sends no credentials at all. */
  anonymous: Send;
  /** The headers that make a request act as `actor`, for clients other than `send` (e.g. an SSE stream). */
  headersFor(actor: ActorDto): Record<string, string>;
  /** The gateway's own database (accounts, refresh tokens, audit record). */
  db: TestDatabase;
  /** Prefixes every key this gateway writes to Redis (idempotency records, throttling, revoked tokens). */
  redisKeyPrefix: string;
  stop(): Promise<void>;
}

export const TEST_JWT_SECRET = 'e2e-secret-of-the-test-gateway-0123456789';

/**
 * An access token as the gateway issues it after a login (HS256, its issuer and audience), signed synchronously so
 * that tests can build headers inline. Tests of login itself go through /api/v1/auth/login.
 */
export function signAccessToken(actor: ActorDto, secret: string, lifetimeSeconds = 900): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({
    sub: actor.userId,
    role: actor.role,
    mun: actor.municipalityId ?? null,
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    iat: now,
    exp: now + lifetimeSeconds,
    jti: randomUUID(),
  })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** The administrator `send` acts as. */
export const TEST_ADMIN: ActorDto = {
  userId: '0d6a3f3e-5b7c-4d3e-8f4a-1b2c3d4e5f60',
  role: 'admin',
  municipalityId: null,
};

/** The gateway in this process, on the NATS prefix of the services the test started, with its own Redis keys. */
export async function startTestGateway(natsPrefix: string): Promise<TestGateway> {
  const gateway = await startTestGatewayOn(natsPrefix, { JWT_SECRET: TEST_JWT_SECRET });
  const { url, db, settings } = gateway;
  const headersFor = (actor: ActorDto): Record<string, string> => ({
    authorization: `Bearer ${signAccessToken(actor, TEST_JWT_SECRET)}`,
  });
  const anonymous: Send = async (method, path, body, headers = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
    };
  };
  const sendAs =
    (actor: ActorDto): Send =>
    (method, path, body, headers = {}) =>
      anonymous(method, path, body, { ...headersFor(actor), ...headers });
  return {
    url,
    db,
    redisKeyPrefix: settings.REDIS_KEY_PREFIX,
    send: sendAs(TEST_ADMIN),
    sendAs,
    anonymous,
    headersFor,
    stop: () => gateway.stop(),
  };
}
