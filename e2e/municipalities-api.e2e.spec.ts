import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CooperationDto, ImportReportDto, MunicipalityDto, Page } from '@wandelwerk/contracts';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { startTestGateway, type Send, type TestGateway } from './support/gateway.js';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { MunicipalitiesSettings, municipalitiesBlueprint } from '@wandelwerk/municipalities/blueprint';

const demoCsv = readFileSync(new URL('../data/demo/municipalities.csv', import.meta.url), 'utf8');

describe('municipalities through the gateway (HTTP → NATS → service → PostgreSQL)', () => {
  let municipalities: TestService;
  let gateway: TestGateway;
  let send: Send;

  beforeAll(async () => {
    municipalities = await startTestService(MunicipalitiesSettings, municipalitiesBlueprint);
    gateway = await startTestGateway(municipalities.topo.prefix);
    send = gateway.send;
  }, 40_000);

  afterAll(async () => {
    await gateway.stop();
    await municipalities.dispose();
  });

  it('imports the demo CSV sent as text/csv, then again without changes', async () => {
    const first = await send('POST', '/api/v1/municipalities/import', demoCsv, {
      'content-type': 'text/csv',
    });
    expect(first.status).toBe(200);
    expect(first.body as unknown as ImportReportDto).toMatchObject({ created: 19, rejected: [] });
    const again = await send('POST', '/api/v1/municipalities/import', demoCsv, {
      'content-type': 'text/csv',
    });
    expect(again.body).toMatchObject({ created: 0, unchanged: 19 });
  });

  it('looks a municipality up by AGS', async () => {
    const { status, body } = await send('GET', '/api/v1/municipalities?ags=12066304');
    expect(status).toBe(200);
    expect((body as unknown as Page<MunicipalityDto>).items.map((m) => m.name)).toEqual(['Senftenberg']);
  });

  it('creates once per Idempotency-Key, replays the first answer, and refuses the key with another body', async () => {
    const key = randomUUID();
    const data = {
      ags: '12071999',
      name: 'Probeort',
      officialName: 'Probeort',
      district: 'Spree-Neiße',
      state: 'Brandenburg',
    };
    const first = await send('POST', '/api/v1/municipalities', data, { 'idempotency-key': key });
    const second = await send('POST', '/api/v1/municipalities', data, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotency-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    const other = await send(
      'POST',
      '/api/v1/municipalities',
      { ...data, name: 'Anders' },
      { 'idempotency-key': key },
    );
    expect(other.status).toBe(422);
    const listed = await send('GET', '/api/v1/municipalities?ags=12071999');
    expect(listed.body?.['items']).toHaveLength(1);
  });

  it('answers bad input with a problem naming every field, in German or English', async () => {
    const bad = { ags: '7', name: 42, officialName: 'x', district: 'y', state: 'z', hacker: true };
    const german = await send('POST', '/api/v1/municipalities', bad);
    expect(german.status).toBe(400);
    expect(german.headers.get('content-type')).toContain('application/problem+json');
    expect((german.body?.['errors'] as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'ags',
      'hacker',
      'name',
    ]);
    const english = await send('POST', '/api/v1/municipalities', bad, {
      'accept-language': 'en-GB,en;q=0.9',
    });
    expect(english.body?.['title']).not.toEqual(german.body?.['title']);
  });

  it('answers 404 for an unknown municipality and 400 for an id that is no UUID', async () => {
    const missing = await send('GET', `/api/v1/municipalities/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body?.['code']).toBe('municipality.not-found');
    expect((await send('GET', '/api/v1/municipalities/12066304')).status).toBe(400);
  });

  it('runs the RWK Westlausitz as a cooperation, and Schipkau joins', async () => {
    const ids = await Promise.all(
      ['12062140', '12066112', '12066176', '12066296', '12066304', '12066285'].map(
        async (ags) =>
          ((await send('GET', `/api/v1/municipalities?ags=${ags}`)).body as unknown as Page<MunicipalityDto>)
            .items[0].id,
      ),
    );
    const schipkau = ids.pop()!;
    const created = await send('POST', '/api/v1/cooperations', {
      name: 'RWK Westlausitz',
      kind: 'regional-growth-core',
      memberIds: ids,
      startDate: '2024-11-07',
    });
    expect(created.status).toBe(201);
    const rwk = created.body as unknown as CooperationDto;
    const joined = await send('POST', `/api/v1/cooperations/${rwk.id}/members`, {
      municipalityId: schipkau,
      startDate: '2025-02-03',
    });
    expect(joined.status).toBe(200);
    expect((joined.body as unknown as CooperationDto).memberships).toHaveLength(6);
    await expect(municipalities.outbox('municipalities.cooperation.member-joined.v1')).resolves.toHaveLength(
      1,
    );
  });

  it('adds a contact to a municipality', async () => {
    const senftenberg = (
      (await send('GET', '/api/v1/municipalities?ags=12066304')).body as unknown as Page<MunicipalityDto>
    ).items[0];
    const added = await send('POST', `/api/v1/municipalities/${senftenberg.id}/contacts`, {
      fullName: 'Katrin Lehmann',
      role: 'Wirtschaftsförderung',
      email: 'wirtschaft@senftenberg.de',
      language: 'de',
    });
    expect(added.status).toBe(201);
    const listed = await send('GET', `/api/v1/municipalities/${senftenberg.id}/contacts?limit=500`);
    expect(listed.body).toEqual({ items: [added.body], nextCursor: null, limit: 100 });
  });
});
