import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { SYSTEM_ACTOR, type FundingReportContent } from '@wandelwerk/contracts';
import {
  FundingSettings,
  fundingBlueprint,
  REPORT_LAYOUTS,
  ReportFiles,
  ReportsService,
} from '@wandelwerk/funding/blueprint';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { uniqueName } from '@wandelwerk/testing';
import { runSuite } from './support/report.js';
import { now } from './support/stats.js';

/*
 * The funding report suite (issue 5): the report job over a million allocations (with their years and municipal
 * shares), seeded by INSERT … SELECT generate_series into a database of its own. The funding service runs in this
 * process as in the tests; a report is asked for through the service (a BullMQ job), and measured from the request
 * to the file being complete, with the process's resident memory sampled throughout. The baseline, in the same run
 * on the same rows: PostgreSQL's own `COPY (the report's query) TO STDOUT` into /dev/null — the database's work
 * alone, with no cursor, no CSV writer and no file.
 */

const TARGET_SECONDS = 10;
const TARGET_RSS_GROWTH_MIB = 150;
const MIB = 2 ** 20;

async function seed(db: TestService['db'], allocations: number): Promise<void> {
  await db.query(`SET synchronous_commit = off`);
  // The report reads none of these; the bulk insert is several times faster without them (the bench's own
  // database, dropped afterwards).
  for (const index of [
    'allocation_updated_idx',
    'allocation_amount_idx',
    'allocation_status_created_idx',
    'allocation_programme_created_idx',
    'allocation_owner_created_idx',
    'allocation_municipalities_idx',
    'allocation_share_municipality_idx',
  ])
    await db.query(`DROP INDEX funding.${index}`);
  await db.query(`
    INSERT INTO funding.programme (id, code, name, legal_basis, max_funding_rate_basis_points, first_year, last_year,
      eligible_state_codes, eligible_regions, four_eyes_threshold_cents, active, version, created_at, updated_at)
    SELECT gen_random_uuid(), code, name, 'Investitionsgesetz Kohleregionen (InvKG)', 9000, 2026, 2036,
      ARRAY['12', '14'], ARRAY['lausitz'], 100000000, true, 1, now(), now()
    FROM (VALUES ('INVKG-BB', 'InvKG Arm 1 Brandenburg'), ('INVKG-SN', 'InvKG Arm 1 Sachsen'),
      ('JTF-BB', 'Just Transition Fund, Brandenburg')) AS p(code, name)`);
  await db.query(`
    CREATE UNLOGGED TABLE seed_municipality AS
    SELECT n, gen_random_uuid() AS id, lpad((12066000 + n)::text, 8, '0') AS ags,
      (ARRAY['Neu', 'Alt', 'Groß', 'Klein', 'Ober', 'Nieder'])[1 + n % 6] ||
      (ARRAY['dorf', 'hausen', 'au', 'witz', 'ow', 'heide', 'walde'])[1 + n % 7] || ' ' || n AS name
    FROM generate_series(0, 119) n`);
  await db.query(`
    CREATE UNLOGGED TABLE seed_allocation AS
    SELECT i, gen_random_uuid() AS id, p.id AS programme_id, p.code,
      (ARRAY['requested', 'approved', 'approved', 'approved', 'approved', 'committed', 'committed', 'disbursing',
        'disbursing', 'closed'])[1 + i % 10] AS status,
      amount, amount / 2 AS y1, amount - amount / 2 AS y2, 2026 + i % 9 AS year0,
      lead.id AS lead_id, lead.ags AS lead_ags, lead.name AS lead_name,
      partner.id AS partner_id, partner.ags AS partner_ags, partner.name AS partner_name
    FROM generate_series(1, ${allocations}) i
    CROSS JOIN LATERAL (SELECT (1000000 + (i::bigint * 7919) % 50000000)::bigint AS amount) a
    JOIN (SELECT id, code, row_number() OVER (ORDER BY code) - 1 AS k FROM funding.programme) p ON p.k = i % 3
    JOIN seed_municipality lead ON lead.n = i % 120
    JOIN seed_municipality partner ON partner.n = (i * 7 + 1) % 120`);
  await db.query(`
    INSERT INTO funding.allocation (id, proposal_id, programme_id, programme_code, status, version, title,
      owner_user_id, lead_municipality, partners, municipality_ids, total_cost_cents, eligible_cost_cents,
      requested_funding_cents, funding_rate_basis_points, amount_cents, paid_cents, released_cents,
      approvals_required, planned_start, planned_end, grant_decision_date, grant_reference, created_at, updated_at)
    SELECT id, gen_random_uuid(), programme_id, code, status, 1,
      'Sanierung der Stadthalle ' || lead_name || ', Bauabschnitt ' || (1 + i % 4) || ' (' || i || ')',
      '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f71',
      jsonb_build_object('municipalityId', lead_id, 'ags', lead_ags, 'name', lead_name, 'costShareBasisPoints', 7000),
      jsonb_build_array(jsonb_build_object('municipalityId', partner_id, 'ags', partner_ags, 'name', partner_name,
        'costShareBasisPoints', 3000)),
      ARRAY[lead_id, partner_id], amount * 10 / 9 + 5000, amount * 10 / 9, amount, 9000, amount,
      CASE WHEN status IN ('disbursing', 'closed') THEN y1 ELSE 0 END,
      CASE WHEN status = 'closed' THEN y2 ELSE 0 END,
      1, make_date(year0, 1, 1), make_date(year0 + 1, 12, 31),
      CASE WHEN status IN ('committed', 'disbursing', 'closed') THEN make_date(year0, 1, 15) END,
      CASE WHEN status IN ('committed', 'disbursing', 'closed') THEN '80-' || year0 || '-' || i END,
      now() - (${allocations} - i) * interval '1 second', now()
    FROM seed_allocation`);
  await db.query(`
    INSERT INTO funding.allocation_year (allocation_id, year, amount_cents, paid_cents)
    SELECT id, year0, y1, CASE WHEN status IN ('disbursing', 'closed') THEN y1 ELSE 0 END FROM seed_allocation
    UNION ALL
    SELECT id, year0 + 1, y2, 0 FROM seed_allocation`);
  await db.query(`
    INSERT INTO funding.allocation_share (allocation_id, municipality_id, ags, name, role, cost_share_basis_points)
    SELECT id, lead_id, lead_ags, lead_name, 'lead', 7000 FROM seed_allocation
    UNION ALL
    SELECT id, partner_id, partner_ags, partner_name, 'partner', 3000 FROM seed_allocation`);
  // The ledger as the allocations make it: reserved = approved and not paid, disbursed = paid.
  await db.query(`
    INSERT INTO funding.budget_year (id, programme_id, year, planned_cents, reserved_cents, disbursed_cents, version,
      updated_at)
    SELECT gen_random_uuid(), a.programme_id, y.year,
      sum(CASE WHEN a.status = 'closed' THEN y.paid_cents WHEN a.status = 'requested' THEN 0 ELSE y.amount_cents END)
        + 100000000000,
      sum(CASE WHEN a.status IN ('approved', 'committed', 'disbursing') THEN y.amount_cents - y.paid_cents ELSE 0 END),
      sum(y.paid_cents), 1, now()
    FROM funding.allocation a JOIN funding.allocation_year y ON y.allocation_id = a.id
    GROUP BY a.programme_id, y.year`);
  await db.query(`DROP TABLE seed_allocation, seed_municipality`);
  await db.query(`VACUUM ANALYZE funding.allocation, funding.allocation_year, funding.allocation_share`);
}

/** PostgreSQL alone: COPY (query) TO STDOUT WITH CSV into /dev/null; bytes and seconds. */
async function copyBaseline(url: string, sql: string): Promise<{ seconds: number; bytes: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const inline = sql.replace(/\$[123]/g, 'NULL');
    const started = now();
    const stream = client.query(copyTo(`COPY (${inline}) TO STDOUT WITH (FORMAT csv, HEADER)`));
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    await pipeline(stream, createWriteStream('/dev/null'));
    return { seconds: (now() - started) / 1000, bytes };
  } finally {
    await client.end();
  }
}

interface Run {
  seconds: number;
  jobSeconds: number;
  rows: number;
  bytes: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  heapPeakMiB: number;
}

/** Asks for a report as the service's users do (a BullMQ job) and samples memory until its file is complete. */
async function runReport(t: TestService, kind: FundingReportContent): Promise<Run> {
  const reports = t.service.app.get(ReportsService);
  global.gc?.();
  const rssBefore = process.memoryUsage.rss();
  let rssPeak = rssBefore;
  let heapPeak = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }, 10);
  const started = now();
  try {
    const report = await reports.request(SYSTEM_ACTOR, { kind });
    for (;;) {
      const [row] = await t.db.query<{
        status: string;
        row_count: string;
        byte_size: string | null;
        job_ms: number | null;
        error: string | null;
      }>(
        `SELECT status, row_count, byte_size, error,
           extract(epoch FROM finished_at - started_at) * 1000 AS job_ms FROM funding.report WHERE id = $1`,
        [report.id],
      );
      if (row?.status === 'failed') throw new Error(`the ${kind} report failed: ${row.error}`);
      if (row?.status === 'done') {
        const seconds = (now() - started) / 1000;
        const size = (await stat(t.service.app.get(ReportFiles).pathOf(report.id))).size;
        if (size !== Number(row.byte_size)) throw new Error('file size and report disagree');
        return {
          seconds,
          jobSeconds: Number(row.job_ms) / 1000,
          rows: Number(row.row_count),
          bytes: size,
          rssBeforeMiB: rssBefore / MIB,
          rssPeakMiB: rssPeak / MIB,
          heapPeakMiB: heapPeak / MIB,
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    clearInterval(sampler);
  }
}

runSuite('funding-report', 'funding reports: the report job over 1,000,000 allocations', async (context) => {
  const { report } = context;
  const allocations = context.numberOption('allocations', 1_000_000);
  report.settings['allocations'] = allocations;
  const reportsDir = await mkdtemp(join(tmpdir(), 'wandelwerk-bench-reports-'));
  let t: TestService | undefined;
  try {
    context.progress('starting the funding service on a database of its own');
    t = await startTestService(FundingSettings, fundingBlueprint, {
      REPORTS_DIR: reportsDir,
      LOG_LEVEL: 'fatal',
      QUEUE_PREFIX: uniqueName('wwbench'),
    });
    const [version] = await t.db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    report.servers['PostgreSQL'] = version?.v ?? 'unknown';

    context.progress(`seeding ${allocations.toLocaleString('en-US')} allocations`);
    const seedStarted = now();
    await seed(t.db, allocations);
    report.startSection(
      `seed: ${allocations.toLocaleString('en-US')} allocations by INSERT … SELECT generate_series`,
    );
    report.figure(
      'seed.seconds',
      'seed time (allocations, 2 years and 2 shares each, ledger)',
      (now() - seedStarted) / 1000,
      's',
      1,
    );
    const [sizes] = await t.db.query<{ funded: string; bytes: string }>(
      `SELECT (SELECT count(*) FROM funding.allocation WHERE status <> 'requested') AS funded,
         pg_total_relation_size('funding.allocation') + pg_total_relation_size('funding.allocation_year')
         + pg_total_relation_size('funding.allocation_share') AS bytes`,
    );
    report.figure(
      'seed.funded',
      'allocations holding money (rows of the Kohesio report)',
      Number(sizes?.funded),
    );
    report.figure(
      'seed.tableMiB',
      'tables with indexes (allocation, years, shares)',
      Number(sizes?.bytes) / MIB,
      'MiB',
    );

    context.progress('baseline: COPY … TO STDOUT of the Kohesio rows into /dev/null');
    const base = await copyBaseline(t.db.url, REPORT_LAYOUTS.kohesio.sql);
    report.startSection(
      'baseline: COPY (the Kohesio query) TO STDOUT WITH CSV → /dev/null, same rows, same run',
    );
    report.figure('baseline.seconds', 'duration', base.seconds, 's', 2);
    report.figure('baseline.mib', 'CSV bytes', base.bytes / MIB, 'MiB', 1);

    const runs: Partial<Record<FundingReportContent, Run>> = {};
    for (const kind of ['kohesio', 'municipalities', 'ledger'] as const) {
      context.progress(`the ${kind} report job`);
      const run = await runReport(t, kind);
      runs[kind] = run;
      report.startSection(
        `${kind} report: POST → BullMQ job → cursor → CSV → file (request to file complete)`,
      );
      report.figure(`${kind}.seconds`, 'duration, request to done', run.seconds, 's', 2);
      report.figure(
        `${kind}.jobSeconds`,
        'of which the job itself (started → finished)',
        run.jobSeconds,
        's',
        2,
      );
      report.figure(`${kind}.rows`, 'rows written', run.rows);
      report.figure(`${kind}.rowsPerSecond`, 'rows per second', run.rows / run.seconds, 'rows/s');
      report.figure(`${kind}.mib`, 'file size', run.bytes / MIB, 'MiB', 1);
      report.figure(
        `${kind}.rss`,
        'RSS of the process before / peak during',
        `${run.rssBeforeMiB.toFixed(0)} / ${run.rssPeakMiB.toFixed(0)}`,
        'MiB',
      );
      report.figure(
        `${kind}.rssGrowth`,
        'peak RSS growth during the report',
        run.rssPeakMiB - run.rssBeforeMiB,
        'MiB',
        1,
      );
      report.figure(`${kind}.heapPeak`, 'peak JS heap used', run.heapPeakMiB, 'MiB', 0);
      if (kind === 'kohesio')
        report.figure(
          'kohesio.ratio',
          'ratio to the COPY baseline (duration ÷ duration)',
          run.seconds / base.seconds,
          '',
          2,
        );
    }
    report.startSection('process');
    report.figure(
      'process.maxRss',
      'peak RSS of the bench process over the whole run (getrusage)',
      process.resourceUsage().maxRSS / 1024,
      'MiB',
    );

    for (const kind of ['kohesio', 'municipalities'] as const) {
      const run = runs[kind]!;
      report.target(
        `${kind}.duration`,
        `${kind} report over ${allocations.toLocaleString('en-US')} allocations`,
        run.seconds,
        '<=',
        TARGET_SECONDS,
        's',
        2,
      );
      report.target(
        `${kind}.memory`,
        `${kind} report: peak RSS growth`,
        run.rssPeakMiB - run.rssBeforeMiB,
        '<=',
        TARGET_RSS_GROWTH_MIB,
        'MiB',
        1,
      );
    }
    report.note(
      'Rows come through pg-cursor in batches of 4,000 (the next batch is requested while one is encoded); the file is written through a stream pipeline, so memory holds a batch or two whatever the size. The aggregated reports (ledger, municipalities) are read in one query (a cursor would run without parallel workers); their size is bounded by programmes × years or municipalities.',
    );
  } finally {
    await t?.dispose().catch(() => undefined);
    await rm(reportsDir, { recursive: true, force: true });
  }
});
