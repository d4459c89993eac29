import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  Module,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Msg, Subscription } from '@nats-io/transport-node';
import {
  CursorPageQueryDto,
  decodeCursor,
  parseSort,
  problem,
  SortQuery,
  toPage,
  validateCommand,
  type CursorPosition,
  type Page,
  type ProblemDetails,
  type SortKey,
} from '@wandelwerk/contracts';
import { RpcClient, rpcSubject } from '@wandelwerk/messaging';
import { createTestTopology, type TestTopology } from '@wandelwerk/messaging/testing';
import { testSettings } from '@wandelwerk/testing';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type { FastifyReply } from 'fastify';
import { Redis } from 'ioredis';
import { Public } from '../auth/roles.decorator.js';
import { startTestGatewayApp, type TestGatewayApp } from '../testing/test-gateway.js';
import { AcceptsCsv } from './csv-body.js';
import { Idempotent } from './idempotency/idempotent.decorator.js';
import { ApiPageResponse, ApiProblemResponses } from './openapi/api-responses.decorator.js';
import { UuidParam } from './uuid-param.decorator.js';

// ---------------------------------------------------------------------------------------------------------------
// A resource as the engineers adding controllers write one, exercising every convention.

class PartnerDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('4')
  municipalityId!: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 10_000 })
  @IsInt()
  @Min(0)
  @Max(10_000)
  costShareBasisPoints!: number;
}

class CreateProbeDto {
  @ApiProperty({ minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID('4')
  leadMunicipalityId!: string;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'euro cents' })
  @IsInt()
  @Min(0)
  amountCents!: number;

  @ApiProperty({ type: () => [PartnerDto] })
  @IsArray()
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  @Type(() => PartnerDto)
  partners!: PartnerDto[];

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

class ProbeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'integer' }) amountCents!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

const SORTABLE = ['name', 'createdAt'];

class ListProbesQuery extends CursorPageQueryDto {
  @SortQuery(SORTABLE, 'name')
  sort: string = 'name';

  @ApiPropertyOptional({ maxLength: 50, description: 'Filter: name' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  name?: string;
}

class ImportProbesDto {
  @ApiProperty({ maxLength: 1_000_000 })
  @IsString()
  @Length(1, 1_000_000)
  csv!: string;
}

class FindProbeCommand {
  @IsUUID('4')
  id!: string;
}

const KNOWN_ID = randomUUID();
const NAMES = ['Forst (Lausitz)', 'Cottbus', 'Guben', 'Spremberg'];
// 130 items, many sharing a name and a creation time: the id has to break the ties.
const DATA: ProbeDto[] = Array.from({ length: 130 }, (_unused, i) => ({
  id: randomUUID(),
  name: NAMES[i % NAMES.length],
  amountCents: i * 100,
  createdAt: new Date(Date.UTC(2026, 0, 1 + (i % 7))).toISOString(),
}));

function compare(a: ProbeDto, b: ProbeDto, sort: readonly SortKey[]): number {
  for (const key of sort) {
    const x = a[key.field as keyof ProbeDto];
    const y = b[key.field as keyof ProbeDto];
    if (x !== y) return (x < y ? -1 : 1) * (key.direction === 'asc' ? 1 : -1);
  }
  if (a.id === b.id) return 0;
  const last = sort[sort.length - 1]?.direction ?? 'asc';
  return (a.id < b.id ? -1 : 1) * (last === 'asc' ? 1 : -1);
}

const positionOf =
  (sort: readonly SortKey[]) =>
  (row: ProbeDto): CursorPosition => ({
    values: sort.map((key) => row[key.field as keyof ProbeDto]),
    id: row.id,
  });

let creations = 0;
let flakyAttempts = 0;

// Public: these probes test the HTTP conventions, not authentication.
@Public()
@Controller('api/v1/probes')
class ProbesController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @Idempotent()
  @ApiCreatedResponse({ type: ProbeDto })
  async create(
    @Body() dto: CreateProbeDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProbeDto> {
    if (dto.name === 'slow') await new Promise((resolve) => setTimeout(resolve, 400));
    if (dto.name === 'taken') {
      throw problem(
        409,
        'probe.name-taken',
        { de: 'Der Name „taken“ ist vergeben.', en: 'The name "taken" is taken.' },
        { currentState: 'registered', allowedTransitions: ['rename'] },
      );
    }
    if (dto.name === 'flaky' && flakyAttempts++ === 0) throw new Error('database on fire');
    creations++;
    const probe = {
      id: randomUUID(),
      name: dto.name,
      amountCents: dto.amountCents,
      createdAt: new Date().toISOString(),
    };
    void reply.header('location', `/api/v1/probes/${probe.id}`);
    return probe;
  }

  @Post('import')
  @HttpCode(200)
  @Idempotent()
  @AcceptsCsv()
  import(@Body() dto: ImportProbesDto): { rows: number; firstLine: string } {
    const lines = dto.csv.split(/\r?\n/).filter((line) => line.length > 0);
    return { rows: lines.length - 1, firstLine: lines[0] ?? '' };
  }

  @Get()
  @ApiPageResponse(ProbeDto)
  list(@Query() query: ListProbesQuery): Page<ProbeDto> {
    const sort = parseSort(query.sort, SORTABLE) as SortKey[];
    const after = query.cursor ? decodeCursor(query.cursor, sort) : null;
    const ordered = DATA.filter((row) => query.name === undefined || row.name === query.name).sort((a, b) =>
      compare(a, b, sort),
    );
    // What a keyset query does in SQL: everything strictly after the cursor's position.
    const anchor = after ? ({ ...afterRow(after, sort), id: after.id } as ProbeDto) : undefined;
    const start = anchor ? ordered.findIndex((row) => compare(row, anchor, sort) > 0) : 0;
    const rows = start < 0 ? [] : ordered.slice(start, start + query.limit + 1);
    return toPage(rows, query.limit, sort, positionOf(sort));
  }

  @Get('search')
  search(@Query('q') q: string): { q: string } {
    return { q };
  }

  @Get('unavailable')
  unavailable(): Promise<unknown> {
    return this.rpc.request('municipalities.probe.nobody-listens', {});
  }

  @Get('slow-service')
  slowService(): Promise<unknown> {
    return this.rpc.request('municipalities.probe.hang', {});
  }

  @Get('bug')
  bug(): never {
    throw new Error('secret: postgres://admin:hunter2@10.0.0.5/wandelwerk');
  }

  @Get('unchecked/:raw')
  unchecked(@Param('raw') raw: string): Promise<unknown> {
    return this.rpc.request('municipalities.probe.find', { id: raw, extra: true });
  }

  @Get(':id')
  @ApiProblemResponses(404)
  find(@UuidParam('id') id: string): Promise<unknown> {
    return this.rpc.request('municipalities.probe.find', { id });
  }

  @Post(':id/endorse')
  @HttpCode(200)
  @ApiProblemResponses(409)
  endorse(@UuidParam('id') id: string): Promise<unknown> {
    return this.rpc.request('municipalities.probe.endorse', { id });
  }
}

function afterRow(after: CursorPosition, sort: readonly SortKey[]): Partial<ProbeDto> {
  return Object.fromEntries(sort.map((key, index) => [key.field, after.values[index]]));
}

@Module({ controllers: [ProbesController] })
class ProbesModule {}

/** A service's side of request/reply as the JetStream transport answers it (`{ ok, data }` / `{ ok, error }`). */
function respond(msg: Msg, work: () => unknown): void {
  try {
    msg.respond(JSON.stringify({ ok: true, data: work() }));
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    const body = error.getResponse() as Record<string, unknown>;
    msg.respond(JSON.stringify({ ok: false, error: { ...body, status: error.getStatus() } }));
  }
}

// ---------------------------------------------------------------------------------------------------------------

describe('the gateway’s API conventions (in-process gateway, real Redis and NATS)', () => {
  let topo: TestTopology;
  let gateway: TestGatewayApp;
  let url: string;
  let redis: Redis;
  let keyPrefix: string;
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    topo = await createTestTopology();
    keyPrefix = topo.prefix;
    // The municipalities service, as far as these tests need it.
    subscriptions.push(
      topo.nc.subscribe(rpcSubject(topo.prefix, 'municipalities.probe.find'), {
        queue: 'municipalities',
        callback: (_error, msg) =>
          respond(msg, () => {
            const command = validateCommand(FindProbeCommand, msg.json());
            if (command.id === KNOWN_ID) return { id: KNOWN_ID, name: 'Cottbus' };
            throw problem(
              404,
              'municipality.not-found',
              {
                de: `Die Gemeinde ${command.id} gibt es nicht.`,
                en: `There is no municipality ${command.id}.`,
              },
              { municipalityId: command.id },
            );
          }),
      }),
      topo.nc.subscribe(rpcSubject(topo.prefix, 'municipalities.probe.endorse'), {
        queue: 'municipalities',
        callback: (_error, msg) =>
          respond(msg, () => {
            throw problem(
              409,
              'project.transition-not-allowed',
              {
                de: 'Ein Entwurf kann nicht befürwortet werden; er muss zuerst eingereicht werden.',
                en: 'A draft cannot be endorsed; it has to be submitted first.',
              },
              { currentState: 'draft', allowedTransitions: ['submit', 'withdraw'] },
            );
          }),
      }),
      // Takes the request and never answers.
      topo.nc.subscribe(rpcSubject(topo.prefix, 'municipalities.probe.hang'), { queue: 'municipalities' }),
    );
    await topo.nc.flush();
    gateway = await startTestGatewayApp(
      { REDIS_KEY_PREFIX: keyPrefix, RPC_TIMEOUT_MS: '500' },
      { modules: [ProbesModule], topo },
    );
    url = gateway.url;
    redis = new Redis(testSettings().REDIS_URL);
  }, 30_000);

  afterAll(async () => {
    await gateway?.stop();
    for (const subscription of subscriptions) subscription.unsubscribe();
    await redis?.quit();
    await topo?.dispose();
  });

  const call = async (
    path: string,
    init: RequestInit & { json?: unknown; language?: string; key?: string } = {},
  ) => {
    const headers = new Headers(init.headers);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    if (init.language) headers.set('accept-language', init.language);
    if (init.key !== undefined) headers.set('idempotency-key', init.key);
    const response = await fetch(`${url}${path}`, {
      ...init,
      headers,
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      // A problem, or whatever else the route answers (tests look at the members they expect).
      body: (text.length > 0 && /json/.test(response.headers.get('content-type') ?? '')
        ? JSON.parse(text)
        : { text }) as ProblemDetails,
    };
  };

  const validProbe = (name = 'Gründerzentrum Lauchhammer') => ({
    name,
    leadMunicipalityId: randomUUID(),
    amountCents: 125_000_00,
    partners: [
      { municipalityId: randomUUID(), costShareBasisPoints: 6_000 },
      { municipalityId: randomUUID(), costShareBasisPoints: 4_000 },
    ],
  });

  const fieldsOf = (body: ProblemDetails) => (body.errors ?? []).map(({ field, rule }) => ({ field, rule }));

  describe('the existing API', () => {
    it('still answers GET /api/v1/status, and is ready with NATS and Redis', async () => {
      const status = await call('/api/v1/status');
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ status: 'degraded' });
      expect(status.body['services']).toHaveLength(4);
      const ready = await call('/health/ready');
      expect(ready.body).toMatchObject({
        status: 'ready',
        checks: { nats: { status: 'up' }, redis: { status: 'up' } },
      });
    });
  });

  describe('problem details', () => {
    it('answers an unknown route with application/problem+json in German by default', async () => {
      const response = await call('/api/v1/nothing-here', { headers: { 'x-correlation-id': 'it-corr-1' } });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(response.headers.get('content-language')).toBe('de');
      expect(response.headers.get('x-correlation-id')).toBe('it-corr-1');
      expect(response.body).toEqual({
        type: 'about:blank',
        title: 'Nicht gefunden',
        status: 404,
        detail: 'Die angeforderte Ressource wurde nicht gefunden.',
        instance: '/api/v1/nothing-here',
        correlationId: 'it-corr-1',
        code: 'not-found',
      });
    });

    it.each([
      ['en', 'en'],
      ['en-GB,en;q=0.9', 'en'],
      ['fr, en;q=0.5', 'en'],
      ['fr', 'de'],
      ['de;q=0.9, en;q=0.8', 'de'],
      ['en;q=0.1, de;q=0.2', 'de'],
    ])('answers Accept-Language %j in %s', async (header, language) => {
      const response = await call('/api/v1/nothing-here', { language: header });
      expect(response.headers.get('content-language')).toBe(language);
      expect(response.body['title']).toBe(language === 'en' ? 'Not Found' : 'Nicht gefunden');
    });

    it('gives every problem the request’s correlation id', async () => {
      const response = await call('/api/v1/nothing-here');
      expect(response.body['correlationId']).toBe(response.headers.get('x-correlation-id'));
      expect(response.body['correlationId']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('passes a service’s problem through with its code, type, texts and extensions', async () => {
      const id = randomUUID();
      const german = await call(`/api/v1/probes/${id}`);
      expect(german.status).toBe(404);
      expect(german.body).toEqual({
        type: 'https://wandelwerk.de/problems/municipality.not-found',
        title: 'Nicht gefunden',
        status: 404,
        detail: `Die Gemeinde ${id} gibt es nicht.`,
        instance: `/api/v1/probes/${id}`,
        correlationId: german.headers.get('x-correlation-id'),
        code: 'municipality.not-found',
        municipalityId: id,
      });
      const english = await call(`/api/v1/probes/${id}`, { language: 'en' });
      expect(english.body).toMatchObject({ title: 'Not Found', detail: `There is no municipality ${id}.` });
      expect(english.body).not.toHaveProperty('messages');
      const found = await call(`/api/v1/probes/${KNOWN_ID}`);
      expect(found).toMatchObject({ status: 200, body: { id: KNOWN_ID } });
    });

    it('answers a refused transition with 409, the current state and the allowed next steps', async () => {
      const response = await call(`/api/v1/probes/${randomUUID()}/endorse`, {
        method: 'POST',
        language: 'en',
      });
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({
        type: 'https://wandelwerk.de/problems/project.transition-not-allowed',
        title: 'Conflict',
        detail: 'A draft cannot be endorsed; it has to be submitted first.',
        code: 'project.transition-not-allowed',
        currentState: 'draft',
        allowedTransitions: ['submit', 'withdraw'],
      });
    });

    it('passes a service’s payload validation (validateCommand) on with every field', async () => {
      const response = await call('/api/v1/probes/unchecked/not-a-uuid', { language: 'en' });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'validation-failed', title: 'Validation failed' });
      expect(response.body['errors']).toEqual([
        { field: 'extra', rule: 'unknownField', message: 'is not a known field' },
        { field: 'id', rule: 'isUuid', message: 'must be a UUID' },
      ]);
    });

    it('answers 503 when no service instance listens, 504 when it does not answer in time', async () => {
      const unavailable = await call('/api/v1/probes/unavailable');
      expect(unavailable.status).toBe(503);
      expect(unavailable.body).toMatchObject({
        type: 'about:blank',
        code: 'service-unavailable',
        title: 'Dienst nicht verfügbar',
      });
      const timeout = await call('/api/v1/probes/slow-service', { language: 'en' });
      expect(timeout.status).toBe(504);
      expect(timeout.body).toMatchObject({ code: 'gateway-timeout', title: 'Gateway Timeout' });
    });

    it('answers a bug with 500 and nothing of its internals', async () => {
      const response = await call('/api/v1/probes/bug');
      expect(response.status).toBe(500);
      expect(response.body).toMatchObject({
        type: 'about:blank',
        code: 'internal-error',
        title: 'Interner Fehler',
      });
      const text = JSON.stringify(response.body);
      for (const secret of ['hunter2', 'postgres', 'secret', 'Error', 'at '])
        expect(text).not.toContain(secret);
    });
  });

  describe('validation', () => {
    it('accepts a valid body and answers 201 with Location', async () => {
      const response = await call('/api/v1/probes', { method: 'POST', json: validProbe() });
      expect(response.status).toBe(201);
      expect(response.headers.get('location')).toBe(`/api/v1/probes/${String(response.body['id'])}`);
    });

    it('names every offending field: wrong types, missing, unknown, nested by path', async () => {
      const { amountCents: _missing, ...withoutAmount } = validProbe();
      const response = await call('/api/v1/probes', {
        method: 'POST',
        json: {
          ...withoutAmount,
          name: 42,
          leadMunicipalityId: 'not-a-uuid',
          admin: true,
          partners: [
            { municipalityId: randomUUID(), costShareBasisPoints: 6_000, role: 'lead' },
            { municipalityId: randomUUID(), costShareBasisPoints: 10_001 },
            'nonsense',
          ],
        },
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        type: 'https://wandelwerk.de/problems/validation-failed',
        title: 'Ungültige Angaben',
        status: 400,
        detail: '7 Angaben der Anfrage sind ungültig; siehe errors.',
        instance: '/api/v1/probes',
        code: 'validation-failed',
      });
      expect(fieldsOf(response.body)).toEqual([
        { field: 'admin', rule: 'unknownField' },
        { field: 'name', rule: 'isString' },
        { field: 'leadMunicipalityId', rule: 'isUuid' },
        { field: 'amountCents', rule: 'isDefined' },
        { field: 'partners[0].role', rule: 'unknownField' },
        { field: 'partners[1].costShareBasisPoints', rule: 'max' },
        { field: 'partners[2]', rule: 'isObject' },
      ]);
      expect(response.body.errors?.[5]?.message).toBe('darf höchstens 10000 sein');
    });

    it('words field messages in English when asked', async () => {
      const response = await call('/api/v1/probes', {
        method: 'POST',
        language: 'en',
        json: { ...validProbe(), amountCents: -1, name: '' },
      });
      expect(response.body['errors']).toEqual([
        { field: 'name', rule: 'isLength', message: 'must be 1 to 100 characters long' },
        { field: 'amountCents', rule: 'min', message: 'must not be less than 0' },
      ]);
      expect(response.body['detail']).toBe('2 fields of the request are invalid; see errors.');
    });

    it('refuses __proto__ and constructor keys, naming them', async () => {
      const body = JSON.stringify(validProbe()).replace(
        '"partners":[{',
        '"__proto__":{"isAdmin":true},"partners":[{"constructor":{"prototype":{"polluted":true}},',
      );
      const response = await call('/api/v1/probes', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect(fieldsOf(response.body)).toEqual([
        { field: '__proto__', rule: 'forbiddenKey' },
        { field: 'partners[0].constructor', rule: 'forbiddenKey' },
      ]);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it.each([
      ['a list', '[]', 'isObject'],
      ['a string', '"hello"', 'isObject'],
      ['null', 'null', 'isObject'],
    ])('refuses a body that is %s', async (_what, body, rule) => {
      const response = await call('/api/v1/probes', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect(fieldsOf(response.body)).toEqual([{ field: '(body)', rule }]);
    });

    it('refuses a missing body and malformed JSON', async () => {
      const missing = await call('/api/v1/probes', { method: 'POST' });
      expect(missing.status).toBe(400);
      expect(fieldsOf(missing.body)).toEqual([{ field: '(body)', rule: 'isDefined' }]);
      const malformed = await call('/api/v1/probes', {
        method: 'POST',
        body: '{"name": "x",',
        headers: { 'content-type': 'application/json' },
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({
        type: 'https://wandelwerk.de/problems/invalid-json',
        code: 'invalid-json',
      });
    });

    it.each([
      ['text/plain', JSON.stringify(validProbe())],
      ['application/x-www-form-urlencoded', 'name=x&amountCents=1'],
      ['application/xml', '<probe/>'],
      ['multipart/form-data; boundary=x', '--x--'],
    ])('answers 415 for a %s body', async (contentType, body) => {
      const response = await call('/api/v1/probes', {
        method: 'POST',
        body,
        headers: { 'content-type': contentType },
      });
      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({
        type: 'about:blank',
        code: 'unsupported-media-type',
        status: 415,
      });
    });

    it('takes a text/csv body only on routes with @AcceptsCsv(), as { csv }', async () => {
      const csv = '\uFEFFags;name\n12066304;Senftenberg\n12066320;Schwarzheide\n';
      const imported = await call('/api/v1/probes/import', {
        method: 'POST',
        body: csv,
        headers: { 'content-type': 'text/csv; charset=utf-8' },
      });
      expect(imported).toMatchObject({ status: 200, body: { rows: 2, firstLine: 'ags;name' } });
      const asJson = await call('/api/v1/probes/import', { method: 'POST', json: { csv: 'ags\n1\n' } });
      expect(asJson.body).toEqual({ rows: 1, firstLine: 'ags' });
      const headerOnly = await call('/api/v1/probes/import', {
        method: 'POST',
        body: 'x',
        headers: { 'content-type': 'text/csv' },
      });
      expect(headerOnly.body).toEqual({ rows: 0, firstLine: 'x' });
      const elsewhere = await call('/api/v1/probes', {
        method: 'POST',
        body: csv,
        headers: { 'content-type': 'text/csv' },
      });
      expect(elsewhere.status).toBe(415);
      expect(elsewhere.body).toMatchObject({ code: 'unsupported-media-type' });
    });

    it('answers 415 for a body without Content-Type', async () => {
      const response = await call('/api/v1/probes', {
        method: 'POST',
        body: new TextEncoder().encode(JSON.stringify(validProbe())),
      });
      expect(response.status).toBe(415);
    });

    it('answers 413 for a body over 1 MiB, and takes one just under it', async () => {
      const huge = await call('/api/v1/probes', {
        method: 'POST',
        language: 'en',
        json: { ...validProbe(), note: 'x'.repeat(1_048_576) },
      });
      expect(huge.status).toBe(413);
      expect(huge.body).toMatchObject({
        code: 'payload-too-large',
        detail: 'The request body is too large; at most 1 MiB are allowed.',
      });
      const big = await call('/api/v1/probes', {
        method: 'POST',
        json: { ...validProbe(), note: 'x'.repeat(1_000_000) },
      });
      expect(big.status).toBe(400);
      expect(fieldsOf(big.body)).toEqual([{ field: 'note', rule: 'maxLength' }]);
    });

    it('refuses unknown query parameters, also on routes without a query DTO', async () => {
      const create = await call('/api/v1/probes?debug=1', { method: 'POST', json: validProbe() });
      expect(create.status).toBe(400);
      expect(fieldsOf(create.body)).toEqual([{ field: 'debug', rule: 'unknownField' }]);
      const list = await call('/api/v1/probes?limit=5&admin=true');
      expect(fieldsOf(list.body)).toEqual([{ field: 'admin', rule: 'unknownField' }]);
      expect((await call('/api/v1/probes/search?q=Forst')).body).toEqual({ q: 'Forst' });
      const search = await call('/api/v1/probes/search?q=Forst&limit=1');
      expect(fieldsOf(search.body)).toEqual([{ field: 'limit', rule: 'unknownField' }]);
      const status = await call('/api/v1/status?verbose=1');
      expect(fieldsOf(status.body)).toEqual([{ field: 'verbose', rule: 'unknownField' }]);
      const hostile = await call('/api/v1/probes?__proto__=1');
      expect(fieldsOf(hostile.body)).toEqual([{ field: '__proto__', rule: 'forbiddenKey' }]);
    });

    it('refuses a path id that is not a UUID, naming it', async () => {
      const response = await call('/api/v1/probes/12345/endorse', { method: 'POST' });
      expect(response.status).toBe(400);
      expect(fieldsOf(response.body)).toEqual([{ field: 'id', rule: 'isUuid' }]);
    });
  });

  describe('lists', () => {
    const page = async (query: string) => {
      const response = await call(`/api/v1/probes${query}`);
      expect(response.status).toBe(200);
      return response.body as unknown as Page<ProbeDto>;
    };

    it('has 20 items by default and clamps the limit to 1..100', async () => {
      const first = await page('');
      expect(first.items).toHaveLength(20);
      expect(first.limit).toBe(20);
      expect(typeof first.nextCursor).toBe('string');
      const clamped = await page('?limit=1000');
      expect(clamped.items).toHaveLength(100);
      expect(clamped.limit).toBe(100);
      expect((await page('?limit=0')).items).toHaveLength(1);
      const bad = await call('/api/v1/probes?limit=many');
      expect(bad.status).toBe(400);
      expect(fieldsOf(bad.body)).toEqual([{ field: 'limit', rule: 'isInt' }]);
    });

    it.each(['name', '-createdAt,name', 'createdAt,-name'])(
      'walks every item exactly once in a stable order with sort=%s',
      async (sort) => {
        const seen: ProbeDto[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const query: string = `?limit=7&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`;
          const current = await page(query);
          seen.push(...current.items);
          cursor = current.nextCursor;
          pages++;
        } while (cursor && pages < 50);
        const keys = parseSort(sort, SORTABLE) as SortKey[];
        expect(seen.map((p) => p.id)).toEqual([...DATA].sort((a, b) => compare(a, b, keys)).map((p) => p.id));
        expect(pages).toBe(Math.ceil(DATA.length / 7));
      },
    );

    it('filters, and ends with nextCursor null', async () => {
      const forst = await page('?name=Forst%20(Lausitz)&limit=100');
      expect(forst.items.every((p) => p.name === 'Forst (Lausitz)')).toBe(true);
      expect(forst.items).toHaveLength(33);
      expect(forst.nextCursor).toBeNull();
    });

    it('refuses a tampered cursor, a cursor of another sort order, and an unknown sort field', async () => {
      const { nextCursor } = await page('?limit=3');
      const decoded = JSON.parse(Buffer.from(nextCursor!, 'base64url').toString()) as Record<string, unknown>;
      const tampered = Buffer.from(JSON.stringify({ ...decoded, k: ['Aaaa'] })).toString('base64url');
      for (const cursor of [tampered, `${nextCursor!.slice(0, -2)}xx`, 'not base64!', 'e30']) {
        const response = await call(`/api/v1/probes?cursor=${encodeURIComponent(cursor)}`);
        expect(response.status).toBe(400);
        expect(fieldsOf(response.body)).toEqual([{ field: 'cursor', rule: 'isCursor' }]);
      }
      const otherSort = await call(`/api/v1/probes?sort=-name&cursor=${nextCursor}`);
      expect(otherSort.status).toBe(400);
      expect(fieldsOf(otherSort.body)).toEqual([{ field: 'cursor', rule: 'cursorMismatch' }]);
      const unknownSort = await call('/api/v1/probes?sort=password', { language: 'en' });
      expect(unknownSort.body['errors']).toEqual([
        {
          field: 'sort',
          rule: 'isSort',
          message:
            'must be a comma-separated sort order of name, createdAt, descending with a leading -, at most 3 fields',
        },
      ]);
    });
  });

  describe('Idempotency-Key', () => {
    const post = (key: string | undefined, json: unknown, language?: string) =>
      call('/api/v1/probes', {
        method: 'POST',
        json,
        ...(key !== undefined ? { key } : {}),
        ...(language ? { language } : {}),
      });

    it('returns the first answer for the same key and body, and creates nothing new', async () => {
      const key = randomUUID();
      const body = validProbe();
      const before = creations;
      const first = await post(key, body);
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotency-replayed')).toBeNull();
      // Same body in another key order and formatting.
      const reordered = await call('/api/v1/probes', {
        method: 'POST',
        key,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(Object.fromEntries(Object.entries(body).reverse()), null, 2),
      });
      expect(reordered.status).toBe(201);
      expect(reordered.body).toEqual(first.body);
      expect(reordered.headers.get('idempotency-replayed')).toBe('true');
      expect(reordered.headers.get('location')).toBe(first.headers.get('location'));
      expect(creations).toBe(before + 1);
    });

    it('keeps the answer 24 hours in Redis, under the gateway’s key prefix', async () => {
      await post(randomUUID(), validProbe());
      const keys = await redis.keys(`${keyPrefix}:idempotency:*`);
      expect(keys.length).toBeGreaterThan(0);
      const ttl = await redis.ttl(keys[0]);
      expect(ttl).toBeGreaterThan(86_000);
      expect(ttl).toBeLessThanOrEqual(86_400);
    });

    it('answers 422 for the same key with another body', async () => {
      const key = randomUUID();
      const first = await post(key, validProbe('Erster'));
      const before = creations;
      const other = await post(key, validProbe('Zweiter'), 'en');
      expect(other.status).toBe(422);
      expect(other.body).toMatchObject({
        type: 'https://wandelwerk.de/problems/idempotency-key-reused',
        code: 'idempotency-key-reused',
        title: 'Idempotency-Key already used',
      });
      expect(creations).toBe(before);
      expect(first.status).toBe(201);
    });

    it('answers 409 while a request with the same key is still running', async () => {
      const key = randomUUID();
      const body = validProbe('slow');
      const before = creations;
      const running = post(key, body);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const concurrent = await post(key, body);
      expect(concurrent.status).toBe(409);
      expect(concurrent.body).toMatchObject({ code: 'idempotency-key-in-use' });
      expect(concurrent.headers.get('retry-after')).toBe('1');
      expect((await running).status).toBe(201);
      const after = await post(key, body);
      expect(after.status).toBe(201);
      expect(after.headers.get('idempotency-replayed')).toBe('true');
      expect(creations).toBe(before + 1);
    });

    it('scopes keys per route', async () => {
      const key = randomUUID();
      expect((await post(key, validProbe())).status).toBe(201);
      const elsewhere = await call(`/api/v1/probes/${randomUUID()}/endorse`, { method: 'POST', key });
      expect(elsewhere.status).toBe(409);
      expect(elsewhere.body['code']).toBe('project.transition-not-allowed');
    });

    it('keeps a 4xx answer and replays it, in the language of whoever asks', async () => {
      const key = randomUUID();
      const body = validProbe('taken');
      const first = await post(key, body);
      expect(first.status).toBe(409);
      expect(first.body).toMatchObject({
        code: 'probe.name-taken',
        detail: 'Der Name „taken“ ist vergeben.',
      });
      const replay = await post(key, body, 'en');
      expect(replay.status).toBe(409);
      expect(replay.headers.get('idempotency-replayed')).toBe('true');
      expect(replay.body).toMatchObject({
        code: 'probe.name-taken',
        detail: 'The name "taken" is taken.',
        currentState: 'registered',
        allowedTransitions: ['rename'],
      });
    });

    it('does not keep a 5xx answer: the retry runs again', async () => {
      const key = randomUUID();
      const body = validProbe('flaky');
      const before = creations;
      expect((await post(key, body)).status).toBe(500);
      const retry = await post(key, body);
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotency-replayed')).toBeNull();
      expect(creations).toBe(before + 1);
    });

    it('does not keep a refusal by validation: the corrected body may use the same key', async () => {
      const key = randomUUID();
      expect((await post(key, { ...validProbe(), amountCents: 'lots' })).status).toBe(400);
      const corrected = await post(key, validProbe());
      expect(corrected.status).toBe(201);
      expect(corrected.headers.get('idempotency-replayed')).toBeNull();
    });

    it.each([
      ['too long', 'k'.repeat(201)],
      ['not ASCII', 'schlüssel'],
      ['empty', ''],
    ])('refuses a key that is %s', async (_what, key) => {
      const response = await call('/api/v1/probes', {
        method: 'POST',
        json: validProbe(),
        headers: { 'idempotency-key': Buffer.from(key, 'utf8').toString('latin1') },
      });
      expect(response.status).toBe(400);
      expect(fieldsOf(response.body)).toEqual([{ field: 'Idempotency-Key', rule: 'idempotencyKey' }]);
    });

    it('creates each time without a key', async () => {
      const before = creations;
      const body = validProbe();
      await post(undefined, body);
      await post(undefined, body);
      expect(creations).toBe(before + 2);
    });
  });

  describe('OpenAPI', () => {
    let document: unknown;
    /** The member at a path of the document (undefined where there is none). */
    const at = (...path: string[]): unknown =>
      path.reduce<unknown>(
        (node, step) =>
          typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[step] : undefined,
        document,
      );
    const keysAt = (...path: string[]): string[] => Object.keys(at(...path) ?? {});

    beforeAll(async () => {
      const response = await call('/api/docs-json');
      expect(response.status).toBe(200);
      document = response.body;
    });

    it('is OpenAPI 3.1 of the public API only', () => {
      expect(at('openapi')).toBe('3.1.0');
      expect(at('info')).toMatchObject({ title: 'Wandelwerk API', version: '1' });
      expect(keysAt('paths').every((path) => path.startsWith('/api/'))).toBe(true);
      expect(keysAt('paths')).toContain('/api/v1/status');
    });

    it('describes the problem details once, as a shared schema, for every error answer', () => {
      expect(keysAt('components', 'schemas', 'ProblemDetails', 'properties')).toEqual(
        expect.arrayContaining([
          'type',
          'title',
          'status',
          'detail',
          'instance',
          'correlationId',
          'code',
          'errors',
        ]),
      );
      expect(at('components', 'schemas', 'ProblemDetails', 'required')).toEqual([
        'type',
        'title',
        'status',
        'detail',
      ]);
      expect(at('components', 'schemas', 'FieldError', 'required')).toEqual(['field', 'rule', 'message']);
      expect(at('paths', '/api/v1/probes', 'post', 'responses', '400')).toEqual({
        $ref: '#/components/responses/ValidationFailed',
      });
      expect(keysAt('components', 'responses', 'ValidationFailed', 'content')).toEqual([
        'application/problem+json',
      ]);
      expect(
        at(
          'paths',
          '/api/v1/probes/{id}',
          'get',
          'responses',
          '404',
          'content',
          'application/problem+json',
          'schema',
        ),
      ).toEqual({ $ref: '#/components/schemas/ProblemDetails' });
    });

    it('documents the Idempotency-Key header and its answers on idempotent routes only', () => {
      const create = (...path: string[]) => at('paths', '/api/v1/probes', 'post', ...path);
      expect(create('parameters')).toContainEqual(
        expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
      );
      expect(create('responses', '409')).toEqual({ $ref: '#/components/responses/IdempotencyKeyInUse' });
      expect(create('responses', '422')).toEqual({ $ref: '#/components/responses/IdempotencyKeyReused' });
      expect(create('responses', '201', 'headers')).toHaveProperty(['Idempotency-Replayed']);
      expect(create('responses', '413')).toEqual({ $ref: '#/components/responses/PayloadTooLarge' });
      const endorse = at('paths', '/api/v1/probes/{id}/endorse', 'post', 'parameters') as { name: string }[];
      expect(endorse.map((parameter) => parameter.name)).toEqual(['id']);
      expect(at('paths', '/api/v1/probes/{id}/endorse', 'post', 'responses', '409')).toBeDefined();
      expect(at('paths', '/api/v1/probes/{id}/endorse', 'post', 'responses', '422')).toBeUndefined();
    });

    it('documents a CSV body as text next to JSON', () => {
      expect(
        at('paths', '/api/v1/probes/import', 'post', 'requestBody', 'content', 'text/csv', 'schema'),
      ).toEqual({
        type: 'string',
        description: 'CSV, UTF-8',
      });
      expect(
        at('paths', '/api/v1/probes/import', 'post', 'requestBody', 'content', 'application/json', 'schema'),
      ).toEqual({ $ref: '#/components/schemas/ImportProbesDto' });
    });

    it('documents list queries and pages', () => {
      const parameters = at('paths', '/api/v1/probes', 'get', 'parameters') as { name: string; in: string }[];
      expect(parameters.map((p) => `${p.in}:${p.name}`)).toEqual(
        expect.arrayContaining(['query:limit', 'query:cursor', 'query:sort', 'query:name']),
      );
      const page = (...path: string[]) =>
        at(
          'paths',
          '/api/v1/probes',
          'get',
          'responses',
          '200',
          'content',
          'application/json',
          'schema',
          ...path,
        );
      expect(page('properties', 'nextCursor', 'type')).toEqual(['string', 'null']);
      expect(page('properties', 'items', 'items')).toEqual({ $ref: '#/components/schemas/ProbeDto' });
    });

    it('is valid: every reference resolves, no OpenAPI 3.0 leftovers, schemas compile as JSON Schema 2020-12', async () => {
      const references: string[] = [];
      const walk = (node: unknown): void => {
        if (Array.isArray(node)) return node.forEach(walk);
        if (typeof node !== 'object' || node === null) return;
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') references.push(value);
          expect(key).not.toBe('nullable');
          walk(value);
        }
      };
      walk(document);
      expect(references.length).toBeGreaterThan(10);
      for (const reference of references) {
        expect([reference, at(...reference.replace(/^#\//, '').split('/')) !== undefined]).toEqual([
          reference,
          true,
        ]);
      }
      const operations = Object.values(
        (at('paths') ?? {}) as Record<string, Record<string, unknown>>,
      ).flatMap(
        (item) => Object.values(item) as { operationId: string; responses: Record<string, object> }[],
      );
      const operationIds = operations.map((operation) => operation.operationId);
      expect(new Set(operationIds).size).toBe(operationIds.length);
      for (const response of operations.flatMap((operation) => Object.values(operation.responses))) {
        expect(
          '$ref' in response || typeof (response as { description?: unknown }).description === 'string',
        ).toBe(true);
      }
      // JSON Schema 2020-12 is the dialect of OpenAPI 3.1 schemas (Ajv comes with the AsyncAPI tooling).
      const { Ajv2020 } = (await import('ajv/dist/2020.js')) as unknown as {
        Ajv2020: new (options: object) => {
          addSchema(schema: object, key: string): void;
          addKeyword(keyword: string): void;
          getSchema(key: string): unknown;
        };
      };
      const ajv = new Ajv2020({ strict: true, validateFormats: false });
      for (const keyword of ['example', 'xml', 'externalDocs', 'discriminator']) ajv.addKeyword(keyword);
      const schemas = JSON.parse(
        JSON.stringify(at('components', 'schemas')).replaceAll('#/components/schemas/', '#/$defs/'),
      ) as object;
      ajv.addSchema({ $defs: schemas }, 'openapi');
      for (const name of keysAt('components', 'schemas')) {
        expect(ajv.getSchema(`openapi#/$defs/${name}`)).toBeDefined();
      }
    });

    it('is served as YAML too', async () => {
      const yaml = await fetch(`${url}/api/docs-yaml`);
      expect(yaml.status).toBe(200);
      expect(await yaml.text()).toContain('openapi: 3.1.0');
    });
  });
});
