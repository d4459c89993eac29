import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  MUNICIPALITIES_RPC,
  SYSTEM_ACTOR,
  type ContactDto,
  type CooperationDto,
  type ImportReportDto,
  type MunicipalityDto,
  type Page,
} from '@wandelwerk/contracts';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { readFileSync } from 'node:fs';
import { MunicipalitiesSettings } from './config/municipalities.settings.js';
import { municipalitiesBlueprint } from './municipalities.blueprint.js';

const demoCsv = readFileSync(new URL('../../../data/demo/municipalities.csv', import.meta.url), 'utf8');
const admin = { userId: '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f70', role: 'admin' as const };

/** The municipalities service with its real database, JetStream transport and outbox, asked as the gateway asks. */
describe('municipalities service', () => {
  let t: TestService;
  const call = <T>(pattern: string, payload: unknown): Promise<T> => t.rpc.request<T>(pattern, payload);
  const byAgs = async (ags: string): Promise<MunicipalityDto> =>
    (await call<Page<MunicipalityDto>>(MUNICIPALITIES_RPC.list, { query: { ags, limit: 20, sort: 'name' } }))
      .items[0];

  beforeAll(async () => {
    t = await startTestService(MunicipalitiesSettings, municipalitiesBlueprint);
  }, 30_000);

  afterAll(async () => {
    await t.dispose();
  });

  describe('import', () => {
    it('registers the real demo data once, with one event per municipality', async () => {
      const report = await call<ImportReportDto>(MUNICIPALITIES_RPC.import, {
        actor: SYSTEM_ACTOR,
        csv: demoCsv,
      });
      expect(report).toEqual({
        layout: 'wandelwerk',
        rows: 19,
        created: 19,
        updated: 0,
        unchanged: 0,
        rejected: [],
      });
      const events = await t.outbox<{ ags: string; region: string | null }>(
        'municipalities.municipality.registered.v1',
      );
      expect(events).toHaveLength(19);
      expect(events.find((e) => e.data.ags === '03154028')?.data.region).toBe('helmstedter-revier');
    });

    it('is idempotent: the same file again changes nothing and emits nothing', async () => {
      const before = (await t.outbox()).length;
      const report = await call<ImportReportDto>(MUNICIPALITIES_RPC.import, {
        actor: SYSTEM_ACTOR,
        csv: demoCsv,
      });
      expect(report).toMatchObject({ created: 0, updated: 0, unchanged: 19 });
      expect(await t.outbox()).toHaveLength(before);
    });

    it('updates what changed, reports every bad row with its reason, and writes nothing of the bad rows', async () => {
      const csv = [
        'ags,name,official_name,district,state,region',
        '12066304,Senftenberg,"Senftenberg/Zły Komorow, Stadt",Oberspreewald-Lausitz,Brandenburg,Lausitz',
        '12071372,Spremberg,"Spremberg/Grodk, Stadt",Spree-Neiße,Brandenburg,Mitteldeutsches Revier',
        '99999999,Nirgendwo,Nirgendwo,X,Y,',
        '12066999,Neu,Neu,Oberspreewald-Lausitz,Brandenburg,Atlantis',
      ].join('\n');
      const report = await call<ImportReportDto>(MUNICIPALITIES_RPC.import, { actor: SYSTEM_ACTOR, csv });
      expect(report).toMatchObject({ rows: 4, created: 0, updated: 1, unchanged: 1 });
      expect(report.rejected.map((r) => [r.line, r.ags])).toEqual([
        [4, '99999999'],
        [5, '12066999'],
      ]);
      expect((await byAgs('12071372')).region).toBe('mitteldeutsches-revier');
      const updated = await t.outbox<{ changedFields: string[] }>('municipalities.municipality.updated.v1');
      expect(updated.at(-1)?.data.changedFields).toEqual(['region']);
    });

    it('reads a Destatis directory extract and keeps the stored region', async () => {
      const csv = [
        'Satzart;Textkennzeichen;Land;RB;Kreis;VB;Gem;Gemeindename',
        '10;;12;;;;;Brandenburg',
        '40;44;12;0;66;;;Oberspreewald-Lausitz',
        '60;63;12;0;66;5001;304;Senftenberg/Zły Komorow, Stadt',
        '60;64;12;0;66;0000;280;Ruhland, Stadt',
      ].join('\n');
      const report = await call<ImportReportDto>(MUNICIPALITIES_RPC.import, { actor: SYSTEM_ACTOR, csv });
      expect(report).toMatchObject({ layout: 'destatis-gv', rows: 2, created: 1, updated: 1, rejected: [] });
      const senftenberg = await byAgs('12066304');
      expect(senftenberg).toMatchObject({ name: 'Senftenberg/Zły Komorow', region: 'lausitz' });
    });

    it('refuses a file it cannot read as a whole, with a problem in German and English', async () => {
      await expect(
        call(MUNICIPALITIES_RPC.import, { actor: SYSTEM_ACTOR, csv: 'foo;bar\n1;2' }),
      ).rejects.toMatchObject({
        status: 400,
        response: expect.objectContaining({ code: 'municipality.import-unreadable' }),
      });
    });
  });

  describe('registry', () => {
    it('registers a municipality and refuses a second one with the same AGS (409 naming the existing one)', async () => {
      const data = {
        ags: '14625240',
        name: 'Hoyerswerda',
        officialName: 'Hoyerswerda/Wojerecy, Stadt',
        district: 'Bautzen',
        state: 'Sachsen',
        region: 'lausitz',
      };
      const existing = await byAgs('14625240');
      await expect(call(MUNICIPALITIES_RPC.register, { actor: admin, data })).rejects.toMatchObject({
        status: 409,
        response: expect.objectContaining({ code: 'municipality.ags-taken', existingId: existing.id }),
      });
      const created = await call<MunicipalityDto>(MUNICIPALITIES_RPC.register, {
        actor: admin,
        data: { ...data, ags: '14625999', name: 'Testort' },
      });
      expect(created).toMatchObject({ ags: '14625999', active: true, version: 1 });
      expect(await call(MUNICIPALITIES_RPC.get, { id: created.id })).toEqual(created);
    });

    it('names every invalid field of a command and writes nothing', async () => {
      const before = (await t.outbox()).length;
      const error = await call(MUNICIPALITIES_RPC.register, {
        actor: admin,
        data: {
          ags: '1234',
          name: '',
          district: 'X',
          state: 'Y',
          officialName: 'Z',
          region: 'mars',
          extra: 1,
        },
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 400 });
      const fields = (error as { response: { errors: { field: string }[] } }).response.errors
        .map((e) => e.field)
        .sort();
      expect(fields).toEqual(['data.ags', 'data.extra', 'data.name', 'data.region']);
      expect(await t.outbox()).toHaveLength(before);
    });

    it('updates, emits the changed fields, and deactivates only with a reason', async () => {
      const cottbus = await byAgs('12052000');
      const updated = await call<MunicipalityDto>(MUNICIPALITIES_RPC.update, {
        actor: admin,
        id: cottbus.id,
        data: { officialName: 'Cottbus/Chóśebuz, kreisfreie Stadt' },
      });
      expect(updated).toMatchObject({
        version: cottbus.version + 1,
        officialName: 'Cottbus/Chóśebuz, kreisfreie Stadt',
      });
      const unchanged = await call<MunicipalityDto>(MUNICIPALITIES_RPC.update, {
        actor: admin,
        id: cottbus.id,
        data: { officialName: 'Cottbus/Chóśebuz, kreisfreie Stadt' },
      });
      expect(unchanged.version).toBe(updated.version);
      await expect(
        call(MUNICIPALITIES_RPC.update, { actor: admin, id: cottbus.id, data: { active: false } }),
      ).rejects.toMatchObject({
        status: 400,
        response: expect.objectContaining({ code: 'municipality.deactivation-reason-required' }),
      });
      const deactivated = await call<MunicipalityDto>(MUNICIPALITIES_RPC.update, {
        actor: admin,
        id: cottbus.id,
        data: { active: false, deactivationReason: 'Testfall' },
      });
      expect(deactivated.active).toBe(false);
      const events = await t.outbox<{ reason: string }>('municipalities.municipality.deactivated.v1');
      expect(events.map((e) => [e.subject, e.data.reason])).toEqual([[cottbus.id, 'Testfall']]);
    });

    it('answers 404 for an unknown id', async () => {
      await expect(
        call(MUNICIPALITIES_RPC.get, { id: '5d2f4c1e-0b9a-4c3d-8e7f-1a2b3c4d5e6f' }),
      ).rejects.toMatchObject({
        status: 404,
        response: expect.objectContaining({ code: 'municipality.not-found' }),
      });
    });
  });

  describe('list', () => {
    it('pages through everything in a stable order without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<MunicipalityDto> = await call(MUNICIPALITIES_RPC.list, {
          query: { limit: 4, sort: '-createdAt', ...(cursor ? { cursor } : {}) },
        });
        seen.push(...page.items.map((m) => m.id));
        cursor = page.nextCursor;
      } while (cursor);
      const all: Page<MunicipalityDto> = await call(MUNICIPALITIES_RPC.list, {
        query: { limit: 100, sort: '-createdAt' },
      });
      expect(seen).toEqual(all.items.map((m) => m.id));
      expect(new Set(seen).size).toBe(all.items.length);
      expect(all.items.length).toBe(21); // 19 demo rows, Ruhland from the directory, Testort
    });

    it('filters by state, region, activity and name, and sorts by name', async () => {
      const page: Page<MunicipalityDto> = await call(MUNICIPALITIES_RPC.list, {
        query: {
          state: 'Niedersachsen',
          region: 'helmstedter-revier',
          active: true,
          sort: 'name',
          limit: 100,
        },
      });
      expect(page.items.map((m) => m.name)).toEqual([
        'Beierstedt',
        'Frellstedt',
        'Grasleben',
        'Helmstedt',
        'Königslutter am Elm',
        'Lehre',
        'Schöningen',
        'Velpke',
      ]);
      const search: Page<MunicipalityDto> = await call(MUNICIPALITIES_RPC.list, {
        query: { q: 'zły', limit: 20, sort: 'name' },
      });
      expect(search.items.map((m) => m.ags)).toEqual(['12066304']);
      const inactive: Page<MunicipalityDto> = await call(MUNICIPALITIES_RPC.list, {
        query: { active: false, limit: 20, sort: 'name' },
      });
      expect(inactive.items.map((m) => m.ags)).toEqual(['12052000']);
    });

    it('refuses a cursor of another sort order', async () => {
      const first: Page<MunicipalityDto> = await call(MUNICIPALITIES_RPC.list, {
        query: { limit: 2, sort: 'name' },
      });
      await expect(
        call(MUNICIPALITIES_RPC.list, { query: { limit: 2, sort: 'ags', cursor: first.nextCursor } }),
      ).rejects.toMatchObject({ status: 400 });
    });
  });

  describe('contacts', () => {
    it('adds, changes and removes contacts, each with its event', async () => {
      const senftenberg = await byAgs('12066304');
      const contact = await call<ContactDto>(MUNICIPALITIES_RPC.addContact, {
        actor: admin,
        municipalityId: senftenberg.id,
        data: {
          fullName: 'Katrin Lehmann',
          role: 'Wirtschaftsförderung',
          email: 'Wirtschaft@Senftenberg.de',
        },
      });
      expect(contact).toMatchObject({
        email: 'wirtschaft@senftenberg.de',
        language: 'de',
        phone: null,
        version: 1,
      });
      await expect(
        call(MUNICIPALITIES_RPC.addContact, {
          actor: admin,
          municipalityId: senftenberg.id,
          data: { fullName: 'Doppelt', role: 'X', email: 'wirtschaft@senftenberg.de' },
        }),
      ).rejects.toMatchObject({ status: 409 });
      const changed = await call<ContactDto>(MUNICIPALITIES_RPC.updateContact, {
        actor: admin,
        municipalityId: senftenberg.id,
        contactId: contact.id,
        data: { language: 'en' },
      });
      expect(changed).toMatchObject({ language: 'en', version: 2 });
      const contacts = (query: Record<string, unknown> = {}) =>
        call<Page<ContactDto>>(MUNICIPALITIES_RPC.listContacts, {
          municipalityId: senftenberg.id,
          query: { limit: 20, sort: 'fullName', ...query },
        });
      expect((await contacts()).items).toEqual([changed]);
      await call(MUNICIPALITIES_RPC.removeContact, {
        actor: admin,
        municipalityId: senftenberg.id,
        contactId: contact.id,
      });
      expect((await contacts()).items).toEqual([]);
      const types = (await t.outbox()).filter((e) => e.subject === contact.id).map((e) => e.type);
      expect(types).toEqual([
        'municipalities.contact.added.v1',
        'municipalities.contact.updated.v1',
        'municipalities.contact.removed.v1',
      ]);
    });
  });

  describe('cooperations', () => {
    it('founds the RWK Westlausitz, lets Schipkau join and leave, with dated memberships and events', async () => {
      const members = await Promise.all(
        ['12062140', '12066112', '12066176', '12066296', '12066304'].map(byAgs),
      );
      const rwk = await call<CooperationDto>(MUNICIPALITIES_RPC.createCooperation, {
        actor: admin,
        data: {
          name: 'Regionaler Wachstumskern Westlausitz',
          kind: 'regional-growth-core',
          memberIds: members.map((m) => m.id),
          startDate: '2024-11-07',
        },
      });
      expect(rwk.memberships).toHaveLength(5);
      await expect(
        call(MUNICIPALITIES_RPC.createCooperation, {
          actor: admin,
          data: { name: rwk.name, kind: 'other', memberIds: [members[0].id], startDate: '2024-01-01' },
        }),
      ).rejects.toMatchObject({ status: 409 });

      const schipkau = await byAgs('12066285');
      const joined = await call<CooperationDto>(MUNICIPALITIES_RPC.joinCooperation, {
        actor: admin,
        cooperationId: rwk.id,
        data: { municipalityId: schipkau.id, startDate: '2025-02-03' },
      });
      expect(joined.memberships.at(-1)).toEqual({
        municipalityId: schipkau.id,
        ags: '12066285',
        name: 'Schipkau',
        startDate: '2025-02-03',
        endDate: null,
      });
      await expect(
        call(MUNICIPALITIES_RPC.joinCooperation, {
          actor: admin,
          cooperationId: rwk.id,
          data: { municipalityId: schipkau.id, startDate: '2025-03-01' },
        }),
      ).rejects.toMatchObject({
        status: 409,
        response: expect.objectContaining({ code: 'cooperation.already-member' }),
      });
      await expect(
        call(MUNICIPALITIES_RPC.leaveCooperation, {
          actor: admin,
          cooperationId: rwk.id,
          data: { municipalityId: schipkau.id, endDate: '2025-01-01' },
        }),
      ).rejects.toMatchObject({ status: 422 });
      const left = await call<CooperationDto>(MUNICIPALITIES_RPC.leaveCooperation, {
        actor: admin,
        cooperationId: rwk.id,
        data: { municipalityId: schipkau.id, endDate: '2025-12-31', reason: 'Beschluss vertagt' },
      });
      expect(left.memberships.find((m) => m.municipalityId === schipkau.id)?.endDate).toBe('2025-12-31');

      const listed = await call<Page<CooperationDto>>(MUNICIPALITIES_RPC.listCooperations, {
        query: { limit: 20, sort: 'name', municipalityId: members[0].id },
      });
      expect(listed.items.map((c) => c.id)).toEqual([rwk.id]);
      const ofSchipkau = await call<Page<CooperationDto>>(MUNICIPALITIES_RPC.listCooperations, {
        query: { limit: 20, sort: 'name', municipalityId: schipkau.id },
      });
      expect(ofSchipkau.items).toEqual([]); // left at the end of 2025

      const events = (await t.outbox<{ memberCount?: number }>()).filter((e) => e.subject === rwk.id);
      expect(events.map((e) => [e.type, e.data.memberCount])).toEqual([
        ['municipalities.cooperation.created.v1', undefined],
        ['municipalities.cooperation.member-joined.v1', 6],
        ['municipalities.cooperation.member-left.v1', 5],
      ]);
    });
  });
});
