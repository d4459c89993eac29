import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ActorDto, MunicipalityDto, Page, Role } from '@wandelwerk/contracts';
import { FundingSettings, fundingBlueprint } from '@wandelwerk/funding/blueprint';
import { MunicipalitiesSettings, municipalitiesBlueprint } from '@wandelwerk/municipalities/blueprint';
import { NotificationsSettings, notificationsBlueprint } from '@wandelwerk/notifications/blueprint';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { ProjectsSettings, projectsBlueprint } from '@wandelwerk/projects/blueprint';
import type { TestDatabase } from '@wandelwerk/testing';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signAccessToken, startTestGateway, type HttpAnswer, type TestGateway } from './support/gateway.js';

/**
 * A catalogue of hostile input thrown at every operation of the OpenAPI document, as a caller of a role the route
 * allows: wrong types, missing and extra fields, huge strings and bodies, negative and overflowing amounts, SQL
 * injection, `__proto__` keys, bad UUIDs, other tenants' ids, wrong content types, expired and forged tokens.
 * Every answer must be a 4xx problem that gives nothing away, and no service's data may change.
 */

interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  pattern?: string;
  maxLength?: number;
  maximum?: number;
  minimum?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}
interface Operation {
  method: string;
  path: string;
  roles: Role[] | 'public';
  body?: Schema;
  query: string[];
}
interface OpenApi {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, Schema> };
}

const demoCsv = readFileSync(new URL('../data/demo/municipalities.csv', import.meta.url), 'utf8');
const SQL_INJECTION = "x'); DROP TABLE projects.proposal; --";
const HUGE = 'Ä'.repeat(100_000);
const BAD_IDS = ['not-a-uuid', '1 OR 1=1', '..%2F..%2Fetc%2Fpasswd', '%00', `${randomUUID()}x`];
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
/** An anchored pattern without unbounded repetition bounds the length too (e.g. `^[0-9]{8}$`). */
const boundedPattern = (pattern: string | undefined): boolean =>
  pattern !== undefined &&
  pattern.startsWith('^') &&
  pattern.endsWith('$') &&
  !/[*+]|\{\d+,\}/.test(pattern.replace(/\\./g, ''));
/** What an answer must never show a client: stack traces, source paths, SQL, driver errors. */
const LEAKS =
  /\n\s+at |node_modules|\.[jt]s:\d+|\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b|syntax error|relation "|QueryFailedError|TypeError|ReferenceError/;

describe('hostile input at every endpoint (the whole platform in-process on the real infrastructure)', () => {
  const services: TestService[] = [];
  let gateway: TestGateway;
  let api: OpenApi;
  let operations: Operation[];
  const answers: { what: string; answer: HttpAnswer }[] = [];
  let municipalityId: string;
  let fingerprintBefore: Record<string, string>;

  const actorFor = (roles: Role[]): ActorDto => {
    const role = roles.includes('admin') ? 'admin' : roles[0];
    return { userId: randomUUID(), role, municipalityId: role === 'municipality' ? municipalityId : null };
  };
  const resolve = (schema: Schema | undefined): Schema | undefined => {
    if (!schema) return undefined;
    if (schema.$ref) return resolve(api.components.schemas[schema.$ref.split('/').pop()!]);
    if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
    return schema;
  };
  const typeOf = (schema: Schema | undefined): string => {
    const resolved = resolve(schema);
    if (!resolved) return 'unknown';
    const type = Array.isArray(resolved.type) ? resolved.type.find((t) => t !== 'null') : resolved.type;
    return type ?? (resolved.properties ? 'object' : 'unknown');
  };
  /** A value of the wrong JSON type for a property. */
  const wrongType = (schema: Schema): unknown =>
    ({
      string: 12345,
      integer: 'zwölf',
      number: 'zwölf',
      boolean: 'ja',
      array: 'keine Liste',
      object: 'kein Objekt',
    })[typeOf(schema)] ?? { unexpected: true };

  /** Sends and keeps the answer for the checks that apply to all of them. */
  const send = async (
    what: string,
    op: Operation,
    options: {
      path?: string;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
      actor?: ActorDto;
    },
  ): Promise<HttpAnswer> => {
    const actor = options.actor ?? (op.roles === 'public' ? undefined : actorFor(op.roles));
    const headers = {
      ...(actor ? gateway.headersFor(actor) : {}),
      ...(op.method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
      ...options.headers,
    };
    const path = options.path ?? op.path.replace(/\{[^}]+\}/g, () => randomUUID());
    const answer =
      options.raw !== undefined
        ? await gateway.anonymous(op.method, path, options.raw, {
            'content-type': 'application/json',
            ...headers,
          })
        : await gateway.anonymous(op.method, path, op.method === 'GET' ? undefined : options.body, headers);
    answers.push({ what: `${op.method} ${op.path}: ${what}`, answer });
    return answer;
  };

  /** Every row of every table of every service (and the gateway's accounts): what must not change. */
  const fingerprint = async (): Promise<Record<string, string>> => {
    const dbs: [string, TestDatabase][] = [
      ...services.map((s, i): [string, TestDatabase] => [`service${i}`, s.db]),
      ['gateway', gateway.db],
    ];
    const result: Record<string, string> = {};
    for (const [name, db] of dbs) {
      const tables = await db.query<{ schema: string; table: string }>(
        `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables
          WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema', 'public')
            AND table_name NOT IN ('audit_entry', 'migrations')`,
      );
      for (const { schema, table } of tables) {
        const [row] = await db.query<{ digest: string | null }>(
          `SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest FROM "${schema}"."${table}" t`,
        );
        result[`${name}:${schema}.${table}`] = row?.digest ?? 'empty';
      }
    }
    return result;
  };

  beforeAll(async () => {
    const municipalities = await startTestService(MunicipalitiesSettings, municipalitiesBlueprint);
    const prefix = { NATS_PREFIX: municipalities.topo.prefix };
    services.push(
      municipalities,
      await startTestService(ProjectsSettings, projectsBlueprint, prefix),
      await startTestService(FundingSettings, fundingBlueprint, prefix),
      await startTestService(NotificationsSettings, notificationsBlueprint, prefix),
    );
    gateway = await startTestGateway(municipalities.topo.prefix);
    expect(
      (await gateway.send('POST', '/api/v1/municipalities/import', demoCsv, { 'content-type': 'text/csv' }))
        .status,
    ).toBe(200);
    const listed = (await gateway.send('GET', '/api/v1/municipalities?ags=12066304'))
      .body as unknown as Page<MunicipalityDto>;
    municipalityId = listed.items[0].id;

    api = (await gateway.anonymous('GET', '/api/docs-json')).body as unknown as OpenApi;
    operations = Object.entries(api.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => {
        const content = (
          operation['requestBody'] as { content?: Record<string, { schema?: Schema }> } | undefined
        )?.content;
        const parameters = (operation['parameters'] as { in: string; name: string }[] | undefined) ?? [];
        return {
          method: method.toUpperCase(),
          path,
          roles: operation['x-public']
            ? ('public' as const)
            : ((operation['x-roles'] as Role[] | undefined) ?? []),
          ...(content?.['application/json']?.schema ? { body: content['application/json'].schema } : {}),
          query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        };
      }),
    );
    // Let the read models settle before the fingerprint is taken.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    fingerprintBefore = await fingerprint();
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    for (const service of services.reverse()) await service.dispose();
  }, 60_000);

  it('finds the operations and every one names its roles or is public', () => {
    expect(operations.length).toBeGreaterThan(30);
    expect(operations.filter((op) => op.roles !== 'public' && op.roles.length === 0)).toEqual([]);
  });

  it('bounds every string and number a client may send', () => {
    const unbounded: string[] = [];
    const visit = (schema: Schema | undefined, where: string, seen: Set<Schema>): void => {
      const resolved = resolve(schema);
      if (!resolved || seen.has(resolved)) return;
      seen.add(resolved);
      const type = typeOf(resolved);
      if (
        type === 'string' &&
        !resolved.enum &&
        !resolved.format &&
        resolved.maxLength === undefined &&
        !boundedPattern(resolved.pattern)
      )
        unbounded.push(`${where} (string without maxLength)`);
      if ((type === 'integer' || type === 'number') && !resolved.enum && resolved.maximum === undefined)
        unbounded.push(`${where} (number without maximum)`);
      if (type === 'array') visit(resolved.items, `${where}[]`, seen);
      for (const [name, property] of Object.entries(resolved.properties ?? {}))
        visit(property, `${where}.${name}`, new Set(seen));
    };
    for (const op of operations.filter((o) => o.body)) visit(op.body, `${op.method} ${op.path}`, new Set());
    expect(unbounded).toEqual([]);
  });

  it('refuses bad bodies: missing, extra, wrong-typed, huge, negative and overflowing fields, SQL and __proto__', async () => {
    // Signing out takes an optional body: an empty one is a valid request.
    for (const op of operations.filter(
      (o) => o.body && o.roles !== 'public' && o.path !== '/api/v1/auth/logout',
    )) {
      const schema = resolve(op.body)!;
      await send('an empty object', op, { body: {} });
      await send('an unknown field', op, { body: { unexpectedField: 'x' } });
      await send('a list instead of an object', op, { raw: '[1,2,3]' });
      await send('null', op, { raw: 'null' });
      await send('broken JSON', op, { raw: '{"title": ' });
      await send('__proto__ and constructor keys', op, {
        raw: '{"__proto__": {"role": "admin", "polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
      });
      await send('text/plain', op, { raw: 'hallo', headers: { 'content-type': 'text/plain' } });
      await send('a form', op, {
        raw: 'a=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      await send('a body over 1 MiB', op, { raw: `{"x": "${'y'.repeat(1_100_000)}"}` });
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        const type = typeOf(property);
        const named = (answer: HttpAnswer, what: string) => {
          if (answer.status !== 400) return;
          const fields = ((answer.body?.['errors'] as { field: string }[] | undefined) ?? []).map(
            (e) => e.field,
          );
          expect([
            `${op.method} ${op.path} ${what} ${name}`,
            fields.some((f) => f === name || f.startsWith(`${name}.`) || f.startsWith(`${name}[`)),
          ]).toEqual([`${op.method} ${op.path} ${what} ${name}`, true]);
        };
        named(
          await send(`${name} of the wrong type`, op, { body: { [name]: wrongType(property) } }),
          'wrong type of',
        );
        const bounds = resolve(property)!;
        if (type === 'string') {
          const tooLong = bounds.maxLength !== undefined && bounds.maxLength < 500_000;
          const huge = await send(`${name} huge`, op, {
            body: { [name]: tooLong ? 'Ä'.repeat(bounds.maxLength! + 1) : HUGE },
          });
          if (tooLong) named(huge, 'huge');
          await send(`${name} SQL injection`, op, { body: { [name]: SQL_INJECTION } });
        }
        if (type === 'integer' || type === 'number') {
          named(await send(`${name} overflowing`, op, { body: { [name]: 2 ** 64 } }), 'overflowing');
          const negative = await send(`${name} negative`, op, { body: { [name]: -1 } });
          if (bounds.minimum !== undefined && bounds.minimum >= 0) named(negative, 'negative');
          await send(`${name} fractional`, op, { body: { [name]: 0.5 } });
        }
      }
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['role']).toBeUndefined();
  }, 300_000);

  it('refuses bad ids in the path and answers 404 for ids that do not exist', async () => {
    for (const op of operations.filter((o) => /\{[^}]+\}/.test(o.path) && o.roles !== 'public')) {
      for (const bad of BAD_IDS) {
        const answer = await send(`path id ${bad}`, op, {
          path: op.path.replace(/\{[^}]+\}/g, bad),
          body: {},
        });
        expect([op.method, op.path, bad, answer.status]).toEqual([op.method, op.path, bad, 400]);
      }
    }
    for (const op of operations.filter(
      (o) => /\{[^}]+\}/.test(o.path) && o.method === 'GET' && o.roles !== 'public',
    )) {
      const answer = await send('an id nobody has', op, {});
      expect([op.path, answer.status]).toEqual([op.path, 404]);
      // A well-formed UUID that no record can have: not found, or refused where only random (v4) ids are valid.
      const nil = await send('the nil UUID', op, { path: op.path.replace(/\{[^}]+\}/g, NIL_UUID) });
      expect([op.path, [400, 404].includes(nil.status)]).toEqual([op.path, true]);
    }
  }, 120_000);

  it('refuses bad query parameters and clamps page sizes', async () => {
    for (const op of operations.filter((o) => o.method === 'GET' && o.roles !== 'public')) {
      const base = op.path.replace(/\{[^}]+\}/g, () => randomUUID());
      await send('an unknown query parameter', op, { path: `${base}?unexpected=1` });
      await send('a query parameter twice with SQL', op, {
        path: `${base}?${op.query[0] ?? 'x'}=${encodeURIComponent(SQL_INJECTION)}&${op.query[0] ?? 'x'}=2`,
      });
      if (op.query.includes('limit')) {
        await send('limit abc', op, { path: `${base}?limit=abc` });
        await send('a forged cursor', op, { path: `${base}?cursor=eyJhZG1pbiI6dHJ1ZX0` });
        await send('sort by SQL', op, { path: `${base}?sort=${encodeURIComponent('name;DROP TABLE x')}` });
      }
    }
    // Page sizes out of range are clamped to 1..100, not refused (docs/api.md).
    const page = await gateway.send('GET', '/api/v1/municipalities?limit=100000');
    expect(page.status).toBe(200);
    expect((page.body?.['items'] as unknown[]).length).toBeLessThanOrEqual(100);
    expect((await gateway.send('GET', '/api/v1/municipalities?limit=-1')).body).toMatchObject({ limit: 1 });
  }, 120_000);

  it('refuses expired and forged tokens at every route that needs one', async () => {
    const admin: ActorDto = { userId: randomUUID(), role: 'admin', municipalityId: null };
    const expired = signAccessToken(admin, 'e2e-secret-of-the-test-gateway-0123456789', -60);
    const forged = signAccessToken(admin, 'a-secret-the-attacker-made-up-0123456789');
    for (const op of operations.filter((o) => o.roles !== 'public')) {
      for (const [what, token] of [
        ['expired token', expired],
        ['forged token', forged],
      ] as const) {
        const answer = await send(what, op, { headers: { authorization: `Bearer ${token}` }, body: {} });
        expect([op.method, op.path, what, answer.status]).toEqual([op.method, op.path, what, 401]);
      }
    }
  }, 120_000);

  it('answers every hostile request with a 4xx problem that gives nothing away', () => {
    expect(answers.length).toBeGreaterThan(500);
    const wrong = answers
      .filter(
        ({ answer }) =>
          answer.status < 400 ||
          answer.status >= 500 ||
          (answer.body && LEAKS.test(JSON.stringify(answer.body))),
      )
      .map(({ what, answer }) => `${what} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    expect(wrong).toEqual([]);
    const notProblems = answers.filter(
      ({ answer }) => !(answer.headers.get('content-type') ?? '').startsWith('application/problem+json'),
    );
    expect(notProblems.map(({ what }) => what)).toEqual([]);
  });

  it('changed nothing in any service', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await fingerprint()).toEqual(fingerprintBefore);
  });
});
