import pg from 'pg';
import type { TestDatabase } from '@wandelwerk/testing';
import { now } from '../support/stats.js';

/*
 * The projects suite's data: the read models (municipalities of the Lausitz and its neighbours, funding programmes)
 * and a million proposals, written with INSERT … SELECT generate_series in two sessions at once (one per core), with
 * the list's secondary indexes dropped during the load and built again afterwards from their own definitions (so the
 * schema is exactly the migrated one). Nothing goes through the API: this is the fast bulk path.
 */

/** The coal-region municipalities of `data/demo/municipalities.csv` (without Berlin), larger towns first. */
const REAL_MUNICIPALITIES: [ags: string, name: string][] = [
  ['12052000', 'Cottbus'],
  ['14625240', 'Hoyerswerda'],
  ['12066304', 'Senftenberg'],
  ['14626600', 'Weißwasser/O.L.'],
  ['12071372', 'Spremberg'],
  ['03154028', 'Helmstedt'],
  ['12062140', 'Finsterwalde'],
  ['12066176', 'Lauchhammer'],
  ['03154019', 'Schöningen'],
  ['12066112', 'Großräschen'],
  ['03154013', 'Königslutter am Elm'],
  ['12066296', 'Schwarzheide'],
  ['12066285', 'Schipkau'],
  ['03154014', 'Lehre'],
  ['03154024', 'Velpke'],
  ['03154008', 'Grasleben'],
  ['03154005', 'Frellstedt'],
  ['03154002', 'Beierstedt'],
];

const PLACE_STEMS = [
  'Neu',
  'Alt',
  'Groß',
  'Klein',
  'Ober',
  'Nieder',
  'Wendisch',
  'Hohen',
  'Schwarz',
  'Weiß',
  'Rot',
  'Grün',
];
const PLACE_ENDINGS = [
  'dorf',
  'hausen',
  'au',
  'witz',
  'ow',
  'bach',
  'heide',
  'walde',
  'berg',
  'felde',
  'tal',
];

export interface SeededMunicipality {
  id: string;
  ags: string;
  name: string;
}

export interface Programme {
  code: string;
  rateBasisPoints: number;
  firstYear: number;
  lastYear: number;
}

/** Funding programmes of the structural change, most used first. */
export const PROGRAMMES: Programme[] = [
  { code: 'INVKG-BB', rateBasisPoints: 9000, firstYear: 2020, lastYear: 2038 },
  { code: 'INVKG-SN', rateBasisPoints: 9000, firstYear: 2020, lastYear: 2038 },
  { code: 'STARK', rateBasisPoints: 8000, firstYear: 2020, lastYear: 2038 },
  { code: 'JTF-BB', rateBasisPoints: 8500, firstYear: 2021, lastYear: 2029 },
  { code: 'JTF-SN', rateBasisPoints: 8500, firstYear: 2021, lastYear: 2029 },
  { code: 'GRW-BB', rateBasisPoints: 6000, firstYear: 2020, lastYear: 2030 },
  { code: 'EFRE-SN', rateBasisPoints: 6000, firstYear: 2021, lastYear: 2029 },
  { code: 'LEADER-BB', rateBasisPoints: 7500, firstYear: 2023, lastYear: 2029 },
];

/** How often each status occurs (sums to 100): most proposals of the period are decided and under way. */
export const STATUS_WEIGHTS: [string, number][] = [
  ['draft', 12],
  ['submitted', 8],
  ['in-review', 7],
  ['revision-requested', 4],
  ['endorsed', 3],
  ['rejected', 9],
  ['withdrawn', 5],
  ['approved', 10],
  ['in-implementation', 25],
  ['completed', 17],
];

/** Workshops in the order of their weights 30/25/20/15/10 %. */
const WORKSHOP_ORDER = [
  'infrastructure-mobility',
  'business-skilled-labour',
  'general-interest-rural-development',
  'innovation-digitalisation',
  'culture-tourism-marketing',
];

/** Title: "<Maßnahme> <Objekt> in <Ort>"; summary: two sentences from word banks; full text finds every word. */
const MEASURES = [
  'Sanierung',
  'Neubau',
  'Erweiterung',
  'Modernisierung',
  'Umbau',
  'Revitalisierung',
  'Errichtung',
  'Digitalisierung',
  'Ausbau',
  'Umnutzung',
  'Entwicklung',
  'Erschließung',
];
const OBJECTS = [
  'der Stadthalle',
  'des Gründerzentrums',
  'der Grundschule',
  'des Bahnhofsumfelds',
  'der Radwegeverbindung',
  'des Gewerbegebiets',
  'der Kita',
  'des Technologieparks',
  'der Feuerwache',
  'des Kulturhauses',
  'der Sporthalle',
  'des Marktplatzes',
  'der Werkstatt für Wasserstoff',
  'des Innovationscampus',
  'der Ortsdurchfahrt',
  'des Tagebaurandes',
  'der Bibliothek',
  'des Ärztehauses',
  'der Breitbandversorgung',
  'des Hafens am Ostsee',
  'der Brikettfabrik',
  'des Besucherzentrums',
  'der Berufsschule',
  'des Jugendclubs',
];
const GOALS = [
  'Ziel ist die Stärkung der regionalen Wertschöpfung',
  'Das Vorhaben sichert Fachkräfte für den Strukturwandel',
  'Geplant ist eine energieeffiziente und barrierefreie Nutzung',
  'Die Maßnahme verbessert die Erreichbarkeit des ländlichen Raums',
  'Es entstehen neue Arbeitsplätze in Handwerk und Industrie',
  'Der Standort wird für Ansiedlungen und Gründungen vorbereitet',
  'Das Projekt stärkt Tourismus und Kultur in der Region',
  'Die Gemeinde schafft Raum für Bildung und Begegnung',
];
const MEANS = [
  'durch eine Photovoltaikanlage und Wärmepumpen',
  'mit einem Coworking-Bereich und Laboren',
  'durch die Anbindung an den öffentlichen Nahverkehr',
  'mit Ladeinfrastruktur für Elektromobilität',
  'durch die Umnutzung eines ehemaligen Kraftwerksgeländes',
  'im Verbund mit den Nachbargemeinden',
  'mit Glasfaser und digitalen Verwaltungsleistungen',
  'durch Renaturierung der Bergbaufolgelandschaft',
  'mit einem Ausbildungszentrum für erneuerbare Energien',
  'durch denkmalgerechte Sanierung der Bausubstanz',
];
const EFFECTS = [
  'Die Lausitz gewinnt an Attraktivität für Familien.',
  'Der Kohleausstieg wird wirtschaftlich abgefedert.',
  'Die Kommune senkt dauerhaft ihre Betriebskosten.',
  'Vereine und Ehrenamt erhalten moderne Räume.',
  'Unternehmen finden qualifizierte Beschäftigte vor Ort.',
  'Besucher erleben die Industriekultur der Region.',
];

const sqlText = (values: readonly string[]): string =>
  `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]::text[]`;

export function municipalitiesToSeed(count: number): { ags: string; name: string }[] {
  const seen = new Set<string>();
  const result: { ags: string; name: string }[] = [];
  for (const [ags, name] of REAL_MUNICIPALITIES) {
    if (seen.has(ags)) continue;
    seen.add(ags);
    result.push({ ags, name });
  }
  // Further municipalities of Lausitz districts (Brandenburg 12…, Saxony 14…), with made-up German names.
  const districts = ['12061', '12062', '12066', '12071', '14625', '14626'];
  for (let i = 0; result.length < count; i++) {
    const ags = `${districts[i % districts.length]}${String(400 + i).padStart(3, '0')}`;
    if (seen.has(ags)) continue;
    seen.add(ags);
    const stem = PLACE_STEMS[i % PLACE_STEMS.length];
    const ending = PLACE_ENDINGS[Math.floor(i / PLACE_STEMS.length) % PLACE_ENDINGS.length];
    const suffix = i >= PLACE_STEMS.length * PLACE_ENDINGS.length ? ` ${Math.floor(i / 132) + 1}` : '';
    result.push({ ags, name: `${stem}${ending}${suffix}` });
  }
  return result;
}

/** The read models as the events would have filled them; the order of `bench_municipality` skews the leads. */
export async function seedReadModels(
  db: TestDatabase,
  municipalityCount: number,
): Promise<{ municipalities: SeededMunicipality[]; programmes: Programme[] }> {
  const list = municipalitiesToSeed(municipalityCount);
  const rows = await db.query<SeededMunicipality & { ord: number }>(
    `INSERT INTO projects.municipality_read_model (id, ags, name, active, version)
     SELECT gen_random_uuid(), m.ags, m.name, true, 1 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS m(ags, name, ord)
     ORDER BY m.ord
     RETURNING id, ags, name`,
    [list.map((m) => m.ags), list.map((m) => m.name)],
  );
  const byAgs = new Map(rows.map((r) => [r.ags, r]));
  const municipalities = list.map((m) => byAgs.get(m.ags) as SeededMunicipality);
  await db.query(
    `CREATE TABLE public.bench_municipality (ord integer PRIMARY KEY, id uuid, ags text, name text)`,
  );
  await db.query(
    `INSERT INTO public.bench_municipality SELECT o - 1, m.id, m.ags, m.name
     FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS m(id, ags, name, o)`,
    [municipalities.map((m) => m.id), municipalities.map((m) => m.ags), municipalities.map((m) => m.name)],
  );
  for (const p of PROGRAMMES) {
    await db.query(
      `INSERT INTO projects.programme_read_model
         (id, code, max_funding_rate_basis_points, first_year, last_year, active, version)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, true, 1)`,
      [p.code, p.rateBasisPoints, p.firstYear, p.lastYear],
    );
  }
  return { municipalities, programmes: PROGRAMMES };
}

/** Lower bounds (0..1) of each weight's share, for `width_bucket(random(), …)`: bucket i has weight i. */
function buckets(weights: readonly number[]): string {
  const total = weights.reduce((s, w) => s + w, 0);
  let sum = 0;
  const lower = weights.slice(0, -1).map((w) => ((sum += w) / total).toFixed(6));
  return `ARRAY[0, ${lower.join(', ')}]::float8[]`;
}

/**
 * One INSERT … SELECT for the proposals numbered [from, to]. Ranks: created_at rises with the number over
 * 2020-01-01 … 2026-10-31 (with jitter), as rows arrive over time; updated_at a few days to months later.
 */
export function proposalsSql(from: number, to: number, total: number, municipalityCount: number): string {
  const statuses = STATUS_WEIGHTS.map(([s]) => s);
  const programmeCodes = PROGRAMMES.map((p) => p.code);
  return `
WITH pick AS (
  SELECT g,
    random() AS r_status, random() AS r_prog, random() AS r_lead, random() AS r_partners, random() AS r_p1,
    random() AS r_p2, random() AS r_year, random() AS r_len, random() AS r_cost, random() AS r_rate,
    random() AS r_work, random() AS r_m, random() AS r_o, random() AS r_goal, random() AS r_means,
    random() AS r_effect, random() AS r_owner, random() AS r_upd, random() AS r_jit
  FROM generate_series(${from}, ${to}) AS g
), shaped AS (
  SELECT p.*,
    width_bucket(p.r_status, ${buckets(STATUS_WEIGHTS.map(([, w]) => w))}) AS status_i,
    width_bucket(p.r_prog, ${buckets([30, 22, 15, 9, 8, 7, 6, 3])}) AS prog_i,
    width_bucket(p.r_work, ${buckets([30, 25, 20, 15, 10])}) AS work_i,
    floor(power(p.r_lead, 1.6) * ${municipalityCount})::int AS lead_ord,
    CASE WHEN p.r_partners < 0.6 THEN 0 WHEN p.r_partners < 0.9 THEN 1 ELSE 2 END AS partner_count,
    1 + floor(p.r_len * p.r_len * 4)::int AS years_long,
    timestamptz '2020-01-01 00:00:00+00'
      + (p.g::float8 / ${total}) * interval '2495 days' + p.r_jit * interval '6 hours' AS created
  FROM pick p
), placed AS (
  SELECT s.*, prog.first_year, prog.last_year, prog.max_funding_rate_basis_points AS rate,
    lead.id AS lead_id, lead.ags AS lead_ags, lead.name AS lead_name,
    p1.id AS p1_id, p1.ags AS p1_ags, p1.name AS p1_name,
    p2.id AS p2_id, p2.ags AS p2_ags, p2.name AS p2_name
  FROM shaped s
  JOIN projects.programme_read_model prog ON prog.code = (${sqlText(programmeCodes)})[s.prog_i]
  JOIN public.bench_municipality lead ON lead.ord = s.lead_ord
  JOIN public.bench_municipality p1
    ON p1.ord = (s.lead_ord + 1 + floor(s.r_p1 * ${Math.floor(municipalityCount / 2)})::int) % ${municipalityCount}
  JOIN public.bench_municipality p2
    ON p2.ord = (s.lead_ord + ${Math.floor(municipalityCount / 2) + 1} + floor(s.r_p2 * ${Math.floor(municipalityCount / 2) - 2})::int) % ${municipalityCount}
), timed AS (
  SELECT pl.*,
    least(pl.last_year - pl.years_long + 1,
      greatest(pl.first_year, extract(year FROM pl.created)::int + floor(pl.r_year * 3)::int)) AS first_plan_year,
    (50000 + floor(power(pl.r_cost, 3) * 2000000)::bigint) * 100 AS eligible_per_year
  FROM placed pl
)
INSERT INTO projects.proposal (id, status, version, title, summary, description, workshop, programme_code,
  owner_user_id, lead_municipality, partners, municipality_ids, total_cost_cents, eligible_cost_cents,
  requested_funding_cents, cost_plan, cost_plan_years, planned_start, planned_end, indicators, review_round,
  allocation_id, approved_funding_cents, created_at, updated_at)
SELECT gen_random_uuid(),
  (${sqlText(statuses)})[t.status_i],
  1 + t.status_i,
  (${sqlText(MEASURES)})[1 + floor(t.r_m * ${MEASURES.length})::int] || ' '
    || (${sqlText(OBJECTS)})[1 + floor(t.r_o * ${OBJECTS.length})::int] || ' in ' || t.lead_name,
  (${sqlText(GOALS)})[1 + floor(t.r_goal * ${GOALS.length})::int] || ' '
    || (${sqlText(MEANS)})[1 + floor(t.r_means * ${MEANS.length})::int] || '. '
    || (${sqlText(EFFECTS)})[1 + floor(t.r_effect * ${EFFECTS.length})::int],
  '',
  CASE WHEN t.r_work < 0.04 THEN NULL ELSE (${sqlText(WORKSHOP_ORDER)})[t.work_i] END,
  (${sqlText(programmeCodes)})[t.prog_i],
  ('00000000-0000-4000-8000-' || lpad(to_hex(floor(t.r_owner * 3000)::int), 12, '0'))::uuid,
  jsonb_build_object('municipalityId', t.lead_id, 'ags', t.lead_ags, 'name', t.lead_name,
    'costShareBasisPoints', CASE t.partner_count WHEN 0 THEN 10000 WHEN 1 THEN 7000 ELSE 6000 END),
  CASE t.partner_count
    WHEN 0 THEN '[]'::jsonb
    WHEN 1 THEN jsonb_build_array(jsonb_build_object('municipalityId', t.p1_id, 'ags', t.p1_ags, 'name', t.p1_name,
      'costShareBasisPoints', 3000))
    ELSE jsonb_build_array(
      jsonb_build_object('municipalityId', t.p1_id, 'ags', t.p1_ags, 'name', t.p1_name, 'costShareBasisPoints', 2000),
      jsonb_build_object('municipalityId', t.p2_id, 'ags', t.p2_ags, 'name', t.p2_name, 'costShareBasisPoints', 2000))
  END,
  CASE t.partner_count WHEN 0 THEN ARRAY[t.lead_id] WHEN 1 THEN ARRAY[t.lead_id, t.p1_id]
    ELSE ARRAY[t.lead_id, t.p1_id, t.p2_id] END,
  t.eligible_per_year * t.years_long * 108 / 100,
  t.eligible_per_year * t.years_long,
  t.eligible_per_year * t.years_long * t.rate / 10000,
  (SELECT jsonb_agg(jsonb_build_object('year', y, 'amountCents', t.eligible_per_year) ORDER BY y)
     FROM generate_series(t.first_plan_year, t.first_plan_year + t.years_long - 1) y),
  ARRAY(SELECT generate_series(t.first_plan_year, t.first_plan_year + t.years_long - 1)),
  make_date(t.first_plan_year, 1, 1),
  make_date(t.first_plan_year + t.years_long - 1, 12, 31),
  jsonb_build_array(jsonb_build_object('name', 'Arbeitsplätze geschaffen', 'unit', 'Anzahl',
    'targetValue', 1 + floor(t.r_cost * 60)::int)),
  CASE WHEN t.status_i >= 3 THEN 1 ELSE 0 END,
  CASE WHEN t.status_i >= 8 THEN gen_random_uuid() END,
  CASE WHEN t.status_i >= 8 THEN t.eligible_per_year * t.years_long * t.rate / 10000 END,
  t.created,
  t.created + t.r_upd * t.r_upd * interval '240 days'
FROM timed t`;
}

export interface SeedTimes {
  dropIndexesMs: number;
  insertMs: number;
  indexMs: number;
  vacuumAnalyzeMs: number;
  totalMs: number;
  tableBytes: number;
  indexBytes: number;
}

async function session(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-projects-seed' });
  await client.connect();
  await client.query(`SET synchronous_commit = off`);
  await client.query(`SET maintenance_work_mem = '256MB'`);
  await client.query(`SET max_parallel_maintenance_workers = 0`);
  await client.query(`SET jit = off`);
  return client;
}

/** A million (or `count`) proposals; `parallel` sessions insert and index at once. */
export async function seedProposals(
  db: TestDatabase,
  count: number,
  municipalityCount: number,
  parallel: number,
  progress: (message: string) => void,
): Promise<SeedTimes> {
  const started = now();
  const clients = await Promise.all(Array.from({ length: parallel }, () => session(db.url)));
  try {
    const [first] = clients;
    // Every index of the proposals and of their years except the primary keys, with its exact definition, to build
    // again after the load; likewise the foreign key of the years (checked once at the end, not row by row).
    const indexes = (
      await first.query<{ name: string; def: string }>(
        `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
         WHERE i.schemaname = 'projects' AND i.tablename IN ('proposal', 'proposal_year')
           AND i.indexname NOT IN (SELECT conname FROM pg_constraint
             WHERE conrelid IN ('projects.proposal'::regclass, 'projects.proposal_year'::regclass))
         ORDER BY i.indexname`,
      )
    ).rows;
    const foreignKeys = (
      await first.query<{ name: string; def: string }>(
        `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
         WHERE conrelid = 'projects.proposal_year'::regclass AND contype = 'f' ORDER BY conname`,
      )
    ).rows;
    for (const index of indexes) await first.query(`DROP INDEX projects."${index.name}"`);
    for (const fk of foreignKeys)
      await first.query(`ALTER TABLE projects.proposal_year DROP CONSTRAINT "${fk.name}"`);
    // The triggers that keep proposal_year in step fire per row; the years are written in bulk below instead.
    await first.query(`ALTER TABLE projects.proposal DISABLE TRIGGER USER`);
    const dropped = now();
    progress(`seeding ${count.toLocaleString('en-US')} proposals in ${parallel} sessions`);
    const chunk = Math.ceil(count / parallel);
    await Promise.all(
      clients.map((client, i) => {
        const from = i * chunk + 1;
        const to = Math.min(count, (i + 1) * chunk);
        return from <= to
          ? client.query(proposalsSql(from, to, count, municipalityCount))
          : Promise.resolve();
      }),
    );
    // The rows of projects.proposal_year as the triggers would write them (the seed's years are distinct already).
    await Promise.all(
      clients.map((client, i) =>
        client.query(
          `INSERT INTO projects.proposal_year (year, proposal_id, created_at, programme_code, workshop, status,
             municipality_ids)
           SELECT y.year, p.id, p.created_at, p.programme_code, p.workshop, p.status, p.municipality_ids
           FROM projects.proposal p CROSS JOIN LATERAL unnest(p.cost_plan_years) AS y(year)
           WHERE abs(hashtext(p.id::text)) % ${parallel} = ${i}`,
        ),
      ),
    );
    await first.query(`ALTER TABLE projects.proposal ENABLE TRIGGER USER`);
    const inserted = now();
    progress(`inserted in ${((inserted - dropped) / 1000).toFixed(1)} s; building ${indexes.length} indexes`);
    // The GIN index of the full text is the largest job: start it first, share the rest among the sessions.
    const queue = [...indexes].sort(
      (a, b) => Number(b.def.includes('(search)')) - Number(a.def.includes('(search)')),
    );
    await Promise.all(
      clients.map(async (client) => {
        for (let index = queue.shift(); index; index = queue.shift()) await client.query(index.def);
      }),
    );
    const indexed = now();
    progress(`indexed in ${((indexed - inserted) / 1000).toFixed(1)} s; VACUUM ANALYZE`);
    for (const fk of foreignKeys)
      await first.query(`ALTER TABLE projects.proposal_year ADD CONSTRAINT "${fk.name}" ${fk.def}`);
    await first.query(`VACUUM (ANALYZE) projects.proposal`);
    await first.query(`VACUUM (ANALYZE) projects.proposal_year`);
    const vacuumed = now();
    const size = (
      await first.query<{ table: string; indexes: string }>(
        `SELECT pg_table_size('projects.proposal') + pg_table_size('projects.proposal_year') AS table,
           pg_indexes_size('projects.proposal') + pg_indexes_size('projects.proposal_year') AS indexes`,
      )
    ).rows[0];
    return {
      dropIndexesMs: dropped - started,
      insertMs: inserted - dropped,
      indexMs: indexed - inserted,
      vacuumAnalyzeMs: vacuumed - indexed,
      totalMs: vacuumed - started,
      tableBytes: Number(size?.table ?? Number.NaN),
      indexBytes: Number(size?.indexes ?? Number.NaN),
    };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}
