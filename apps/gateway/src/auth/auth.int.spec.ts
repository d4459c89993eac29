import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { ActorDto } from '@wandelwerk/contracts';
import type { ServiceApp } from '@wandelwerk/platform';
import { testSettings, uniqueName, type TestDatabase } from '@wandelwerk/testing';
import { Redis } from 'ioredis';
import { SignJWT, UnsecuredJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { startTestGatewayApp, type TestGatewayApp } from '../testing/test-gateway.js';
import { AccessTokens, LOCAL_AUDIENCE, LOCAL_ISSUER } from './access-tokens.js';
import { accessMatrix, accessMatrixTable } from './access-matrix.js';
import { readFileSync } from 'node:fs';

const SECRET = 'auth-int-spec-secret-0123456789abcdef';
const PASSWORD = 'Lausitz-Strukturwandel-2038';
const ORIGIN = 'https://app.wandelwerk.example';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** The gateway in this process with its own database, Redis keys and NATS prefix (no services behind it). */
describe('authentication, sessions, accounts and the audit record (real PostgreSQL and Redis)', () => {
  let gateway: TestGatewayApp;
  let db: TestDatabase;
  let service: ServiceApp;
  let url: string;
  let redis: Redis;
  let prefix: string;
  const tokens = new AccessTokens(SECRET, 900);
  const admin: ActorDto = { userId: randomUUID(), role: 'admin', municipalityId: null };

  const call = async (
    method: string,
    path: string,
    options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
  const tokenOf = async (actor: ActorDto) => (await tokens.issue(actor)).token;
  const login = (email: string, password = PASSWORD) =>
    call('POST', '/api/v1/auth/login', { body: { email, password } });
  const createAccount = async (
    role: 'program_manager' | 'funding_officer' | 'admin',
    email = uniqueEmail(),
  ) => {
    const created = await call('POST', '/api/v1/users', {
      token: await tokenOf(admin),
      body: { email, displayName: `Konto ${email}`, role, password: PASSWORD },
    });
    expect(created.status).toBe(201);
    return { id: String(created.body['id']), email };
  };
  const uniqueEmail = () => `${uniqueName('user')}@wandelwerk.example`;

  beforeAll(async () => {
    gateway = await startTestGatewayApp({
      JWT_SECRET: SECRET,
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '6',
      CORS_ORIGINS: ORIGIN,
      HSTS_MAX_AGE_SECONDS: '31536000',
    });
    ({ url, db, service } = gateway);
    prefix = gateway.settings.REDIS_KEY_PREFIX;
    redis = new Redis(testSettings().REDIS_URL);
  }, 30_000);

  afterAll(async () => {
    await gateway?.stop();
    await redis?.quit();
  });

  // Every test starts with no failed logins counted (they all come from 127.0.0.1).
  beforeEach(async () => {
    const keys = await redis.keys(`${prefix}:auth:login-attempts:*`);
    if (keys.length > 0) await redis.del(...keys);
  });

  describe('login', () => {
    it('gives a working access token and a refresh token for the right password', async () => {
      const account = await createAccount('program_manager');
      const signedIn = await login(account.email.toUpperCase());
      expect(signedIn.status).toBe(200);
      expect(signedIn.body).toMatchObject({
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        user: { id: account.id, role: 'program_manager', municipalityId: null },
      });
      expect(signedIn.headers.get('cache-control')).toBe('no-store');
      const me = await call('GET', '/api/v1/auth/me', { token: String(signedIn.body['accessToken']) });
      expect(me).toMatchObject({ status: 200, body: { id: account.id, role: 'program_manager' } });
    });

    it('answers a wrong password and an unknown account alike, without saying which', async () => {
      const account = await createAccount('funding_officer');
      const wrong = await login(account.email, 'not-the-password-at-all');
      const unknown = await login(uniqueEmail());
      for (const answer of [wrong, unknown]) {
        expect(answer.status).toBe(401);
        expect(answer.body).toMatchObject({ code: 'auth.invalid-credentials' });
        expect(answer.body).not.toHaveProperty('accessToken');
      }
      expect(wrong.body['detail']).toBe(unknown.body['detail']);
    });

    it('refuses a deactivated account', async () => {
      const account = await createAccount('program_manager');
      const off = await call('PATCH', `/api/v1/users/${account.id}`, {
        token: await tokenOf(admin),
        body: { active: false },
      });
      expect(off).toMatchObject({ status: 200, body: { active: false } });
      expect((await login(account.email)).status).toBe(401);
    });

    it('locks an account after too many failures, even for the right password, with Retry-After', async () => {
      const account = await createAccount('program_manager');
      for (let i = 0; i < 3; i++) expect((await login(account.email, 'wrong-password-123')).status).toBe(401);
      const locked = await login(account.email);
      expect(locked.status).toBe(429);
      expect(locked.body).toMatchObject({ code: 'auth.too-many-failed-logins' });
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another account from the same address is not locked yet.
      const other = await createAccount('program_manager');
      expect((await login(other.email)).status).toBe(200);
    });

    it('counts a burst of parallel guesses before checking any of them', async () => {
      const account = await createAccount('program_manager');
      const answers = await Promise.all(
        Array.from({ length: 12 }, () => login(account.email, 'parallel-guess-123')),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses.filter((s) => s === 401)).toHaveLength(3);
      expect(statuses.filter((s) => s === 429)).toHaveLength(9);
    });

    it('counts every spelling of an account’s e-mail address as that account', async () => {
      const account = await createAccount('funding_officer', `${uniqueName('ilse')}@wandelwerk.example`);
      for (let i = 0; i < 3; i++) expect((await login(account.email, 'wrong-password-123')).status).toBe(401);
      // PostgreSQL's lower() turns the dotted capital İ into i; the account is found, and it is locked.
      const variant = account.email.replace('i', 'İ');
      expect((await login(variant)).status).toBe(429);
      expect((await login(` ${account.email.toUpperCase()} `)).status).toBe(429);
    });

    it('refuses an address after too many failures across accounts', async () => {
      for (let i = 0; i < 6; i++) expect((await login(uniqueEmail(), 'guessing-passwords')).status).toBe(401);
      const account = await createAccount('funding_officer');
      expect((await login(account.email)).status).toBe(429);
    });
  });

  describe('tokens', () => {
    it('refuses requests without a token with 401 and WWW-Authenticate: Bearer', async () => {
      const answer = await call('GET', '/api/v1/users');
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    });

    const forged: [string, () => Promise<string>][] = [
      [
        'signed with another secret',
        () =>
          new SignJWT({ role: 'admin', mun: null })
            .setProtectedHeader({ alg: 'HS256' })
            .setSubject(admin.userId)
            .setIssuer(LOCAL_ISSUER)
            .setAudience(LOCAL_AUDIENCE)
            .setIssuedAt()
            .setExpirationTime('10m')
            .setJti(randomUUID())
            .sign(new TextEncoder().encode('another-secret-of-an-attacker-000000')),
      ],
      [
        'unsigned (alg none)',
        () =>
          Promise.resolve(
            new UnsecuredJWT({ role: 'admin', mun: null, jti: randomUUID() })
              .setSubject(admin.userId)
              .setIssuer(LOCAL_ISSUER)
              .setAudience(LOCAL_AUDIENCE)
              .setIssuedAt()
              .setExpirationTime('10m')
              .encode(),
          ),
      ],
      [
        'expired',
        async () => (await new AccessTokens(SECRET, 60, () => Date.now() - 3_600_000).issue(admin)).token,
      ],
      [
        'for another audience',
        () =>
          new SignJWT({ role: 'admin', mun: null })
            .setProtectedHeader({ alg: 'HS256' })
            .setSubject(admin.userId)
            .setIssuer(LOCAL_ISSUER)
            .setAudience('some-other-api')
            .setIssuedAt()
            .setExpirationTime('10m')
            .setJti(randomUUID())
            .sign(new TextEncoder().encode(SECRET)),
      ],
      [
        'with a role that does not exist',
        () =>
          new SignJWT({ role: 'superuser', mun: null })
            .setProtectedHeader({ alg: 'HS256' })
            .setSubject(admin.userId)
            .setIssuer(LOCAL_ISSUER)
            .setAudience(LOCAL_AUDIENCE)
            .setIssuedAt()
            .setExpirationTime('10m')
            .setJti(randomUUID())
            .sign(new TextEncoder().encode(SECRET)),
      ],
      ['that is not a JWT', () => Promise.resolve('abc.def.ghi')],
      [
        'of an issuer nobody configured',
        async () => {
          const token = await new SignJWT({ role: 'admin' })
            .setProtectedHeader({ alg: 'HS256' })
            .setSubject(admin.userId)
            .setIssuer('https://evil.example')
            .setExpirationTime('10m')
            .sign(new TextEncoder().encode(SECRET));
          return token;
        },
      ],
    ];
    it.each(forged)('refuses a token %s with 401', async (_name, make) => {
      const answer = await call('GET', '/api/v1/users', { token: await make() });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_(token|request)"/);
      expect(JSON.stringify(answer.body)).not.toMatch(/signature|jwt|stack/i);
    });

    it('refuses a malformed Authorization header and a huge one', async () => {
      for (const header of [
        'Basic YWRtaW46YWRtaW4=',
        'Bearer',
        'Bearer a.b',
        `Bearer ${'a'.repeat(10_000)}.b.c`,
      ]) {
        const answer = await call('GET', '/api/v1/users', { headers: { authorization: header } });
        expect(answer.status).toBe(401);
      }
    });

    it('answers 403 to a valid token of a role the route does not allow', async () => {
      const officer = await tokenOf({ userId: randomUUID(), role: 'funding_officer', municipalityId: null });
      const answer = await call('GET', '/api/v1/users', { token: officer });
      expect(answer).toMatchObject({ status: 403, body: { status: 403 } });
    });
  });

  describe('sessions', () => {
    it('rotates the refresh token; using a replaced one revokes the whole session', async () => {
      const account = await createAccount('funding_officer');
      const first = (await login(account.email)).body;
      const second = await call('POST', '/api/v1/auth/refresh', {
        body: { refreshToken: first['refreshToken'] },
      });
      expect(second.status).toBe(200);
      expect(second.body['refreshToken']).not.toBe(first['refreshToken']);
      expect(
        (await call('GET', '/api/v1/auth/me', { token: String(second.body['accessToken']) })).status,
      ).toBe(200);

      const replay = await call('POST', '/api/v1/auth/refresh', {
        body: { refreshToken: first['refreshToken'] },
      });
      expect(replay).toMatchObject({ status: 401, body: { code: 'auth.invalid-refresh-token' } });
      // The thief's replay ended the session for the legitimate holder of the newer token as well.
      const after = await call('POST', '/api/v1/auth/refresh', {
        body: { refreshToken: second.body['refreshToken'] },
      });
      expect(after.status).toBe(401);
      const [row] = await db.query<{ reasons: string[] }>(
        `SELECT array_agg(DISTINCT revoked_reason) AS reasons FROM gateway.refresh_token t
           JOIN gateway.user_account u ON u.id = t.user_id WHERE u.email = $1`,
        [account.email],
      );
      expect(row?.reasons.sort()).toEqual(['reuse-detected', 'rotated']);
    });

    it('logout ends the access token and the refresh token at once', async () => {
      const account = await createAccount('program_manager');
      const pair = (await login(account.email)).body;
      const token = String(pair['accessToken']);
      const out = await call('POST', '/api/v1/auth/logout', {
        token,
        body: { refreshToken: pair['refreshToken'] },
      });
      expect(out.status).toBe(204);
      expect((await call('GET', '/api/v1/auth/me', { token })).status).toBe(401);
      const refresh = await call('POST', '/api/v1/auth/refresh', {
        body: { refreshToken: pair['refreshToken'] },
      });
      expect(refresh.status).toBe(401);
    });

    it('a change of role ends every session of the account', async () => {
      const account = await createAccount('funding_officer');
      const pair = (await login(account.email)).body;
      // Tokens are compared to the second; the change must come after the token's second.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const changed = await call('PATCH', `/api/v1/users/${account.id}`, {
        token: await tokenOf(admin),
        body: { role: 'program_manager' },
      });
      expect(changed).toMatchObject({ status: 200, body: { role: 'program_manager', version: 2 } });
      expect((await call('GET', '/api/v1/auth/me', { token: String(pair['accessToken']) })).status).toBe(401);
      const refresh = await call('POST', '/api/v1/auth/refresh', {
        body: { refreshToken: pair['refreshToken'] },
      });
      expect(refresh.status).toBe(401);
      const again = await login(account.email);
      expect(again.body['user']).toMatchObject({ role: 'program_manager' });
    });
  });

  describe('accounts', () => {
    it('names the field and the rule of bad account data and writes nothing', async () => {
      const token = await tokenOf(admin);
      const before = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM gateway.user_account`);
      const bad = await call('POST', '/api/v1/users', {
        token,
        body: { email: 'not-an-address', displayName: '', role: 'emperor', password: 'short' },
      });
      expect(bad.status).toBe(400);
      const fields = (bad.body['errors'] as { field: string }[]).map((e) => e.field).sort();
      expect(fields).toEqual(['displayName', 'email', 'password', 'role']);
      const unbound = await call('POST', '/api/v1/users', {
        token,
        body: { email: uniqueEmail(), displayName: 'Gemeinde', role: 'municipality', password: PASSWORD },
      });
      expect(unbound.status).toBe(400);
      expect(unbound.body['errors']).toEqual([expect.objectContaining({ field: 'municipalityId' })]);
      const after = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM gateway.user_account`);
      expect(after[0]?.n).toBe(before[0]?.n);
    });

    it('refuses a second account with the same e-mail address, whatever its case', async () => {
      const account = await createAccount('program_manager');
      const again = await call('POST', '/api/v1/users', {
        token: await tokenOf(admin),
        body: {
          email: account.email.toUpperCase(),
          displayName: 'Doppelt',
          role: 'admin',
          password: PASSWORD,
        },
      });
      expect(again).toMatchObject({ status: 409, body: { code: 'user.email-taken' } });
    });

    it('never shows a password hash', async () => {
      const account = await createAccount('program_manager');
      const read = await call('GET', `/api/v1/users/${account.id}`, { token: await tokenOf(admin) });
      expect(read.body).toMatchObject({ id: account.id, hasPassword: true });
      expect(JSON.stringify(read.body)).not.toMatch(/argon2|password_hash|passwordHash/);
      const [row] = await db.query<{ password_hash: string }>(
        `SELECT password_hash FROM gateway.user_account WHERE id = $1`,
        [account.id],
      );
      expect(row?.password_hash).toMatch(/^\$argon2id\$/);
    });
  });

  describe('audit record', () => {
    it('records who changed what, refused and failed attempts included, and only admins read it', async () => {
      const account = await createAccount('program_manager');
      await login(account.email, 'wrong-password-xyz');
      const signedIn = await login(account.email);
      const managerToken = String(signedIn.body['accessToken']);
      await call('POST', '/api/v1/users', {
        token: managerToken,
        body: { email: uniqueEmail(), displayName: 'x', role: 'admin', password: PASSWORD },
      });

      const adminToken = await tokenOf(admin);
      const created = await call('GET', `/api/v1/audit?resourceId=${account.id}`, { token: adminToken });
      expect(created.status).toBe(200);
      expect(created.body['items']).toEqual([
        expect.objectContaining({
          userId: admin.userId,
          role: 'admin',
          method: 'POST',
          route: '/api/v1/users',
          resourceType: 'users',
          resourceId: account.id,
          status: 201,
          outcome: 'succeeded',
          address: expect.stringMatching(/127\.0\.0\.1/),
          at: expect.stringMatching(/Z$/),
        }),
      ]);
      const byManager = await call('GET', `/api/v1/audit?userId=${account.id}`, { token: adminToken });
      expect(byManager.body['items']).toEqual([
        expect.objectContaining({ route: '/api/v1/users', status: 403, outcome: 'refused' }),
        expect.objectContaining({ route: '/api/v1/auth/login', status: 200, outcome: 'succeeded' }),
      ]);
      const failedLogins = await call('GET', '/api/v1/audit?resourceType=auth&outcome=refused&limit=100', {
        token: adminToken,
      });
      expect(failedLogins.body['items']).toContainEqual(
        expect.objectContaining({ route: '/api/v1/auth/login', status: 401, userId: null }),
      );
      expect((await call('GET', '/api/v1/audit', { token: managerToken })).status).toBe(403);

      // A percent-encoded path reaches the same handler, and the same record.
      const sneaky = await call('POST', '/%61pi/v1/users', {
        token: adminToken,
        body: { email: uniqueEmail(), displayName: 'Umweg', role: 'program_manager', password: PASSWORD },
      });
      expect(sneaky.status).toBe(201);
      const recorded = await call('GET', `/api/v1/audit?resourceId=${String(sneaky.body['id'])}`, {
        token: adminToken,
      });
      expect(recorded.body['items']).toEqual([
        expect.objectContaining({
          route: '/api/v1/users',
          resourceType: 'users',
          status: 201,
          userId: admin.userId,
        }),
      ]);
    });
  });

  describe('headers', () => {
    it('sets the security headers on answers and errors alike', async () => {
      for (const answer of [await call('GET', '/api/v1/status'), await call('GET', '/api/v1/users')]) {
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
        expect(answer.headers.get('x-frame-options')).toBe('DENY');
        expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(answer.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
        expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      }
    });

    it('allows the configured browser origin and no other (CORS)', async () => {
      const preflight = (origin: string) =>
        fetch(`${url}/api/v1/users`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,content-type',
          },
        });
      const allowed = await preflight(ORIGIN);
      expect(allowed.status).toBeLessThan(300);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
      const other = await preflight('https://evil.example');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  it('lets only the public routes through without a token (every route of the OpenAPI document)', async () => {
    const document = (await call('GET', '/api/docs-json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const open: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations)) {
        const concrete = path.replace(/\{[^}]+\}/g, randomUUID());
        const answer = await call(method.toUpperCase(), concrete, method === 'get' ? {} : { body: {} });
        if (answer.status !== 401) open.push(`${method.toUpperCase()} ${path} → ${answer.status}`);
      }
    }
    expect(open.sort()).toEqual([
      'GET /api/v1/status → 200',
      'POST /api/v1/auth/login → 400',
      'POST /api/v1/auth/refresh → 400',
    ]);
  });

  it('names who may call every route, and docs/security.md shows exactly that matrix', () => {
    const routes = accessMatrix(service.app);
    expect(routes.filter((route) => route.access === 'unmarked')).toEqual([]);
    const docs = readFileSync(new URL('../../../../docs/security.md', import.meta.url), 'utf8');
    const documented = /<!-- access-matrix:start -->\n([\s\S]*?)\n<!-- access-matrix:end -->/.exec(docs)?.[1];
    // On a mismatch: `node apps/gateway/dist/cli.js access-matrix` prints the table to paste.
    expect(documented).toBe(accessMatrixTable(routes));
  });
});
