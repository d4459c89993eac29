import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Subscription } from '@nats-io/transport-node';
import { FUNDING_RPC, type ActorDto } from '@wandelwerk/contracts';
import { rpcSubject } from '@wandelwerk/messaging';
import {
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JWK,
} from 'jose';
import { createHash, createPublicKey, randomBytes, randomUUID, type JsonWebKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { errors as oidcErrors, type Configuration } from 'oidc-provider';
import { startTestGatewayApp, type TestGatewayApp } from '../testing/test-gateway.js';
import { userIdOf } from './oidc-token.verifier.js';

/*
 * A real OpenID provider (panva's oidc-provider, OpenID certified) runs in this process on 127.0.0.1 and plays the
 * Keycloak realm: its users carry `realm_access.roles` and `municipality_id` in their access tokens. Tokens are
 * obtained as a browser-based client would: the authorization-code flow with PKCE, signed in through the provider's
 * development login and consent pages (driven over HTTP with a cookie jar), then the code exchanged at the token
 * endpoint with a resource indicator (RFC 8707) for the Wandelwerk API, which the provider answers with an
 * RS256-signed JWT access token (RFC 9068) whose `aud` is `wandelwerk-api`.
 */

const API_RESOURCE = 'https://api.wandelwerk.example';
const API_AUDIENCE = 'wandelwerk-api';
const OTHER_RESOURCE = 'https://other.example';
const CLIENT_ID = 'wandelwerk-web';
const CLIENT_SECRET = 'oidc-int-spec-client-secret-0123456789';
const REDIRECT_URI = 'http://127.0.0.1/callback';

interface IssuerAccount {
  /** The `sub`; Keycloak's are UUIDs. */
  sub: string;
  roles: string[];
  municipalityId?: string;
}

const MUNICIPALITY_ID = randomUUID();
const ACCOUNTS = {
  officer: { sub: randomUUID(), roles: ['offline_access', 'uma_authorization', 'funding_officer'] },
  municipality: { sub: randomUUID(), roles: ['municipality'], municipalityId: MUNICIPALITY_ID },
  municipalityWithoutClaim: { sub: randomUUID(), roles: ['municipality'] },
  noWandelwerkRole: { sub: randomUUID(), roles: ['offline_access', 'uma_authorization'] },
  adminAndManager: { sub: randomUUID(), roles: ['program_manager', 'admin'] },
  // A subject that is no UUID (e.g. an LDAP-federated user of another product).
  ldapManager: { sub: 'ldap:erika.mustermann', roles: ['program_manager'] },
} satisfies Record<string, IssuerAccount>;

async function signingKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

/** The public half of a JWK as the issuer publishes it. */
function publicJwk({ kty, n, e, kid, alg, use }: JWK): JWK {
  return { kty, n, e, kid, alg, use };
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/**
 * The issuer: an oidc-provider behind a server of our own, so that the provider can be replaced with one holding other
 * keys (rotation) at the same URL, and the server stopped and started on the same port (outage).
 */
class TestIssuer {
  /** Requests for the key set, to see when the gateway refetches it. */
  jwksRequests = 0;
  /** Lifetime of the next access tokens. */
  accessTokenTtlSeconds = 300;
  private provider!: Provider;
  private readonly server: Server;
  private port = 0;

  private constructor(private keys: JWK[]) {
    this.server = createServer((request, response) => {
      if (request.url?.startsWith('/jwks')) this.jwksRequests += 1;
      void this.provider.callback()(request, response);
    });
  }

  static async start(): Promise<TestIssuer> {
    const issuer = new TestIssuer([await signingKey()]);
    await issuer.listen();
    issuer.provider = issuer.createProvider();
    return issuer;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The key id new tokens are signed with. */
  get currentKid(): string {
    return this.keys[0].kid!;
  }

  get publicKeys(): JWK[] {
    return this.keys.map(publicJwk);
  }

  /** The private key new tokens are signed with (to forge tokens under another issuer's name). */
  get signingKey(): JWK {
    return this.keys[0];
  }

  get up(): boolean {
    return this.server.listening;
  }

  /** Listens on the port it had before (or a free one the first time). */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Down: the port refuses connections. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Signs with a new key from now on and publishes it beside the old one, as Keycloak does after a rotation. */
  async rotate(): Promise<void> {
    this.keys = [await signingKey(), ...this.keys];
    this.provider = this.createProvider();
  }

  /** An access token of the account, for the Wandelwerk API unless another resource is named. */
  async accessToken(account: IssuerAccount, resource = API_RESOURCE): Promise<string> {
    return (await this.signIn(account, resource)).access_token;
  }

  async idToken(account: IssuerAccount): Promise<string> {
    return (await this.signIn(account, API_RESOURCE)).id_token;
  }

  /** The authorization-code flow with PKCE, as a browser and the client's backend would go through it. */
  private async signIn(
    account: IssuerAccount,
    resource: string,
  ): Promise<{ access_token: string; id_token: string }> {
    const cookies = new Map<string, string>();
    const go = async (path: string, form?: Record<string, string>) => {
      const response = await fetch(new URL(path, this.url), {
        method: form ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
      });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair = ''] = cookie.split(';');
        const at = pair.indexOf('=');
        cookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
      return response;
    };
    const verifier = base64url(randomBytes(32));
    let response = await go(
      `/auth?${new URLSearchParams({
        client_id: CLIENT_ID,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'openid wandelwerk',
        resource,
        code_challenge: base64url(createHash('sha256').update(verifier).digest()),
        code_challenge_method: 'S256',
        state: randomUUID(),
      }).toString()}`,
    );
    let code: string | null = null;
    for (let hop = 0; hop < 10 && !code; hop += 1) {
      const location = response.headers.get('location');
      if (!location) {
        // The login or consent page: submit its form as the user would.
        const page = await response.text();
        const action = /action="([^"]+)"/.exec(page)?.[1];
        const prompt = /name="prompt" value="([^"]+)"/.exec(page)?.[1];
        if (!action || !prompt)
          throw new Error(`unexpected page from the issuer (${response.status}): ${page}`);
        response = await go(
          action,
          prompt === 'login' ? { prompt, login: account.sub, password: 'any' } : { prompt },
        );
        continue;
      }
      const target = new URL(location, this.url);
      if (location.startsWith(REDIRECT_URI)) {
        code = target.searchParams.get('code');
        if (!code) throw new Error(`the issuer refused: ${location}`);
      } else {
        response = await go(target.pathname + target.search);
      }
    }
    if (!code) throw new Error('the sign-in did not come back with a code');
    const token = await fetch(`${this.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
        resource,
      }).toString(),
    });
    const body = (await token.json()) as { access_token: string; id_token: string };
    if (token.status !== 200) throw new Error(`token endpoint: ${token.status} ${JSON.stringify(body)}`);
    return body;
  }

  private createProvider(): Provider {
    const accounts = new Map<string, IssuerAccount>(Object.values(ACCOUNTS).map((a) => [a.sub, a]));
    const configuration: Configuration = {
      clients: [
        {
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          redirect_uris: [REDIRECT_URI],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      jwks: { keys: this.keys },
      cookies: { keys: ['oidc-int-spec-cookie-key'] },
      findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
      features: {
        devInteractions: { enabled: true },
        resourceIndicators: {
          enabled: true,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, resource) => {
            if (resource !== API_RESOURCE && resource !== OTHER_RESOURCE)
              throw new oidcErrors.InvalidTarget();
            return {
              scope: 'wandelwerk',
              audience: resource === API_RESOURCE ? API_AUDIENCE : 'other-api',
              accessTokenFormat: 'jwt',
              accessTokenTTL: this.accessTokenTtlSeconds,
              jwt: { sign: { alg: 'RS256' } },
            };
          },
        },
      },
      // Keycloak-like claims: realm roles and a user attribute mapped into the access token.
      extraTokenClaims: (_ctx, token) => {
        const account = 'accountId' in token ? accounts.get(token.accountId) : undefined;
        if (!account) return undefined;
        return {
          realm_access: { roles: account.roles },
          ...(account.municipalityId ? { municipality_id: account.municipalityId } : {}),
        };
      },
    };
    return new Provider(this.url, configuration);
  }
}

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * The gateway's clock as jose reads it for its key-set cache (`Date.now`), moved forward instead of waiting: jose
 * fetches the issuer's keys again for an unknown key id at most every 30 s, and refreshes them after 10 min. The skew
 * only grows (jose's cache must not see time run back) and applies only while the gateway answers a request: the
 * issuer signs its tokens at the real time, and token lifetimes are checked against `new Date()`, which it leaves alone.
 */
const clock = { skewMs: 0, ahead: false };
const realNow = Date.now.bind(Date);

function advanceClock(ms: number): void {
  clock.skewMs += ms;
}

async function call(url: string, path: string, token?: string, method = 'GET'): Promise<Answer> {
  clock.ahead = true;
  try {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
      },
      ...(method === 'GET' ? {} : { body: '{}' }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  } finally {
    clock.ahead = false;
  }
}

beforeAll(() => {
  // oidc-provider's notes on its development defaults (in-memory storage, built-in login pages) are expected here.
  const warn = console.warn.bind(console);
  jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).startsWith('oidc-provider WARNING')) warn(...args);
  });
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + (clock.ahead ? clock.skewMs : 0));
});

afterAll(() => {
  jest.restoreAllMocks();
});

/** An in-process gateway trusting the issuer, with its own database, Redis keys and NATS prefix. */
function startGateway(issuerUrl: string): Promise<TestGatewayApp> {
  return startTestGatewayApp({
    RPC_TIMEOUT_MS: '1000',
    OIDC_ISSUER_URL: issuerUrl,
    OIDC_AUDIENCE: API_AUDIENCE,
  });
}

function expectUnauthorized(answer: Answer): void {
  expect(answer).toMatchObject({ status: 401, body: { status: 401, code: 'auth.invalid-token' } });
  expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
}

describe('OpenID Connect: tokens of a real issuer through the gateway (real PostgreSQL, Redis and NATS)', () => {
  let issuer: TestIssuer;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let budgetSubscription: Subscription;
  const budgetCallers: ActorDto[] = [];

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    gateway = await startGateway(issuer.url);
    // The funding service, as far as the budget read needs it: says who asked.
    budgetSubscription = gateway.topo.nc.subscribe(rpcSubject(gateway.topo.prefix, FUNDING_RPC.budget), {
      queue: 'funding',
      callback: (_error, msg) => {
        const { actor, id } = msg.json<{ actor: ActorDto; id: string }>();
        budgetCallers.push(actor);
        msg.respond(JSON.stringify({ ok: true, data: { programmeId: id, years: [] } }));
      },
    });
    await gateway.topo.nc.flush();
  }, 60_000);

  afterAll(async () => {
    budgetSubscription?.unsubscribe();
    await gateway?.stop();
    await issuer?.stop();
  });

  describe('accepts the issuer’s tokens and maps them to the right actor', () => {
    it('a funding officer: /auth/me shows the subject, the role and no municipality', async () => {
      const token = await issuer.accessToken(ACCOUNTS.officer);
      expect(decodeJwt(token)).toMatchObject({ iss: issuer.url, aud: API_AUDIENCE });
      expect(await call(gateway.url, '/api/v1/auth/me', token)).toMatchObject({
        status: 200,
        body: { id: ACCOUNTS.officer.sub, role: 'funding_officer', municipalityId: null },
      });
    });

    it('a funding officer may read a budget (the service is told who asks) but not the accounts (403)', async () => {
      const token = await issuer.accessToken(ACCOUNTS.officer);
      const programmeId = randomUUID();
      const budget = await call(gateway.url, `/api/v1/funding/programmes/${programmeId}/budget`, token);
      expect(budget).toMatchObject({ status: 200, body: { programmeId } });
      expect(budgetCallers.at(-1)).toEqual({
        userId: ACCOUNTS.officer.sub,
        role: 'funding_officer',
        municipalityId: null,
      });
      expect(await call(gateway.url, '/api/v1/users', token)).toMatchObject({
        status: 403,
        body: { status: 403 },
      });
    });

    it('a municipality user acts for the municipality of their claim', async () => {
      const token = await issuer.accessToken(ACCOUNTS.municipality);
      expect(await call(gateway.url, '/api/v1/auth/me', token)).toMatchObject({
        status: 200,
        body: { id: ACCOUNTS.municipality.sub, role: 'municipality', municipalityId: MUNICIPALITY_ID },
      });
    });

    it('of several Wandelwerk roles the strongest counts (admin may list the accounts)', async () => {
      const token = await issuer.accessToken(ACCOUNTS.adminAndManager);
      expect(await call(gateway.url, '/api/v1/auth/me', token)).toMatchObject({
        status: 200,
        body: { id: ACCOUNTS.adminAndManager.sub, role: 'admin' },
      });
      expect((await call(gateway.url, '/api/v1/users', token)).status).toBe(200);
    });

    it('a subject that is no UUID becomes the same stable user id on every sign-in', async () => {
      const first = await call(
        gateway.url,
        '/api/v1/auth/me',
        await issuer.accessToken(ACCOUNTS.ldapManager),
      );
      const second = await call(
        gateway.url,
        '/api/v1/auth/me',
        await issuer.accessToken(ACCOUNTS.ldapManager),
      );
      expect(first).toMatchObject({
        status: 200,
        body: { id: userIdOf(issuer.url, ACCOUNTS.ldapManager.sub), role: 'program_manager' },
      });
      expect(second.body['id']).toBe(first.body['id']);
    });
  });

  describe('refuses with 401', () => {
    it('a municipality token that names no municipality', async () => {
      expectUnauthorized(
        await call(
          gateway.url,
          '/api/v1/auth/me',
          await issuer.accessToken(ACCOUNTS.municipalityWithoutClaim),
        ),
      );
    });

    it('a token without a Wandelwerk role', async () => {
      expectUnauthorized(
        await call(gateway.url, '/api/v1/auth/me', await issuer.accessToken(ACCOUNTS.noWandelwerkRole)),
      );
    });

    it('an expired token', async () => {
      issuer.accessTokenTtlSeconds = 1;
      let token: string;
      try {
        token = await issuer.accessToken(ACCOUNTS.officer);
      } finally {
        issuer.accessTokenTtlSeconds = 300;
      }
      const { exp } = decodeJwt(token);
      // Until the second of `exp` has begun: from then on the token has expired.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp! * 1000 - Date.now()) + 50));
      expectUnauthorized(await call(gateway.url, '/api/v1/auth/me', token));
    });

    it('a token for another audience, and the ID token of a user', async () => {
      const other = await issuer.accessToken(ACCOUNTS.officer, OTHER_RESOURCE);
      expect(decodeJwt(other)).toMatchObject({ iss: issuer.url, aud: 'other-api' });
      expectUnauthorized(await call(gateway.url, '/api/v1/auth/me', other));
      const idToken = await issuer.idToken(ACCOUNTS.officer);
      expect(decodeJwt(idToken)).toMatchObject({ iss: issuer.url, aud: CLIENT_ID });
      expectUnauthorized(await call(gateway.url, '/api/v1/auth/me', idToken));
    });

    it('a token signed by another key under the issuer’s key id, and one of another issuer', async () => {
      const genuine = await issuer.accessToken(ACCOUNTS.officer);
      const header = decodeProtectedHeader(genuine);
      const forged = await new SignJWT(decodeJwt(genuine))
        .setProtectedHeader({ ...header, alg: 'RS256' })
        .sign(await importJWK(await signingKey(), 'RS256'));
      expectUnauthorized(await call(gateway.url, '/api/v1/auth/me', forged));

      const stranger = await TestIssuer.start();
      try {
        const foreign = await stranger.accessToken(ACCOUNTS.officer);
        expect(decodeJwt(foreign).iss).toBe(stranger.url);
        expectUnauthorized(await call(gateway.url, '/api/v1/auth/me', foreign));
        // The stranger's token claiming to be from our issuer: its key id is unknown there.
        const impostor = await new SignJWT({ ...decodeJwt(foreign), iss: issuer.url })
          .setProtectedHeader(decodeProtectedHeader(foreign) as { alg: string })
          .sign(await importJWK(stranger.signingKey, 'RS256'));
        expectUnauthorized(await call(gateway.url, '/api/v1/auth/me', impostor));
      } finally {
        await stranger.stop();
      }
    });

    it('a token with alg HS256 "signed" with the issuer’s public key (algorithm confusion)', async () => {
      const genuine = await issuer.accessToken(ACCOUNTS.officer);
      const { kid } = decodeProtectedHeader(genuine);
      const published = issuer.publicKeys.find((key) => key.kid === kid)!;
      const pem = await exportSPKI(createPublicKey({ key: published as JsonWebKey, format: 'jwk' }));
      for (const secret of [pem, JSON.stringify(published), published.n!]) {
        const confused = await new SignJWT(decodeJwt(genuine))
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: kid! })
          .sign(new TextEncoder().encode(secret));
        expectUnauthorized(await call(gateway.url, '/api/v1/auth/me', confused));
      }
    });

    it('tokens under unknown key ids without fetching the issuer’s keys for each of them', async () => {
      const genuine = await issuer.accessToken(ACCOUNTS.officer);
      // Past the cooldown an unknown key id may fetch the key set once; then not again for a while.
      advanceClock(31_000);
      const before = issuer.jwksRequests;
      for (let i = 0; i < 5; i += 1) {
        const forged = await new SignJWT(decodeJwt(genuine))
          .setProtectedHeader({ alg: 'RS256', kid: randomUUID() })
          .sign(await importJWK(await signingKey(), 'RS256'));
        expectUnauthorized(await call(gateway.url, '/api/v1/auth/me', forged));
      }
      expect(issuer.jwksRequests - before).toBeLessThanOrEqual(1);
    });
  });

  it('ends an issuer’s token at logout, like one of its own', async () => {
    const token = await issuer.accessToken(ACCOUNTS.municipality);
    expect((await call(gateway.url, '/api/v1/auth/me', token)).status).toBe(200);
    expect((await call(gateway.url, '/api/v1/auth/logout', token, 'POST')).status).toBe(204);
    expectUnauthorized(await call(gateway.url, '/api/v1/auth/me', token));
  });

  it('guards a route reached through a percent-encoded path like any other', async () => {
    // The router decodes `%61` to `a`: this is GET /api/v1/users.
    const encoded = '/%61pi/v1/users';
    expect((await call(gateway.url, encoded)).status).toBe(401);
    expect((await call(gateway.url, encoded, await issuer.accessToken(ACCOUNTS.officer))).status).toBe(403);
    expect(
      (await call(gateway.url, encoded, await issuer.accessToken(ACCOUNTS.adminAndManager))).status,
    ).toBe(200);
  });

  it('accepts tokens signed with a new key after the issuer rotated its keys, and those of the old key', async () => {
    const old = await issuer.accessToken(ACCOUNTS.officer);
    expect((await call(gateway.url, '/api/v1/auth/me', old)).status).toBe(200);
    const oldKid = issuer.currentKid;

    await issuer.rotate();
    const rotated = await issuer.accessToken(ACCOUNTS.officer);
    expect(decodeProtectedHeader(rotated).kid).toBe(issuer.currentKid);
    expect(issuer.currentKid).not.toBe(oldKid);
    const jwks = (await (await fetch(`${issuer.url}/jwks`)).json()) as { keys: JWK[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual([issuer.currentKid, oldKid]);

    advanceClock(31_000); // past jose's refetch cooldown
    expect(await call(gateway.url, '/api/v1/auth/me', rotated)).toMatchObject({
      status: 200,
      body: { id: ACCOUNTS.officer.sub, role: 'funding_officer' },
    });
    expect((await call(gateway.url, '/api/v1/auth/me', old)).status).toBe(200);
  });
});

describe('OpenID Connect: the issuer unreachable', () => {
  let issuer: TestIssuer;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let token: string;

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    token = await issuer.accessToken(ACCOUNTS.officer);
    await issuer.stop();
    gateway = await startGateway(issuer.url);
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await issuer?.stop().catch(() => undefined);
  });

  it('answers 503 problem details while the issuer is down at the first request, and recovers when it is up', async () => {
    const down = await call(gateway.url, '/api/v1/auth/me', token);
    expect(down).toMatchObject({ status: 503, body: { status: 503, code: 'service-unavailable' } });
    expect(down.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(down.headers.get('www-authenticate')).toBeNull();

    await issuer.listen();
    expect(await call(gateway.url, '/api/v1/auth/me', token)).toMatchObject({
      status: 200,
      body: { id: ACCOUNTS.officer.sub, role: 'funding_officer' },
    });
  });

  it('keeps accepting tokens with the keys it has while the issuer is down, and answers 503 once they are due for a refresh', async () => {
    if (!issuer.up) await issuer.listen();
    expect((await call(gateway.url, '/api/v1/auth/me', token)).status).toBe(200);
    await issuer.stop();
    expect((await call(gateway.url, '/api/v1/auth/me', token)).status).toBe(200);

    advanceClock(11 * 60_000); // past jose's 10 min key-set cache
    const stale = await call(gateway.url, '/api/v1/auth/me', token);
    expect(stale).toMatchObject({ status: 503, body: { status: 503, code: 'service-unavailable' } });

    await issuer.listen();
    expect((await call(gateway.url, '/api/v1/auth/me', token)).status).toBe(200);
  });
});
