import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import {
  buildCloudEvent,
  FUNDING_REPORT_RPC,
  FUNDING_RPC,
  proposalEndorsedFixture,
  USERS,
  type ActorDto,
  type AllocationDto,
  type BudgetLedgerDto,
  type FundingReportDownloadDto,
  type FundingReportDto,
  type FundingReportGeneratedEvent,
  type Page,
  type ProgrammeDto,
} from '@wandelwerk/contracts';
import { subjectOf } from '@wandelwerk/messaging';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { waitFor } from '@wandelwerk/testing';
import { parse } from 'csv-parse/sync';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FundingSettings } from '../config/funding.settings.js';
import { fundingBlueprint } from '../funding.blueprint.js';
import { euros } from './csv-writer.js';
import { ReportFiles } from './report-files.js';
import {
  MONTHLY_PATTERN,
  MONTHLY_SCHEDULER_ID,
  monthBefore,
  REPORT_TIME_ZONE,
  ReportProcessor,
} from './report.processor.js';
import { ReportsService } from './reports.service.js';

const admin: ActorDto = { userId: USERS.administrator, role: 'admin', municipalityId: null };
const officer: ActorDto = { userId: USERS.fundingOfficer, role: 'funding_officer', municipalityId: null };
const manager: ActorDto = { userId: USERS.programManager, role: 'program_manager', municipalityId: null };

/** The report jobs on the real PostgreSQL, Redis (BullMQ) and JetStream, files in a directory of their own. */
describe('funding reports', () => {
  jest.setTimeout(30_000);
  let t: TestService;
  let reportsDir: string;
  let programme: ProgrammeDto;
  const call = <T>(pattern: string, payload: unknown): Promise<T> => t.rpc.request<T>(pattern, payload);
  const expectProblem = (promise: Promise<unknown>, status: number, code: string) =>
    expect(promise).rejects.toMatchObject({ status, response: expect.objectContaining({ code }) });

  const endorse = async (byYear: { year: number; amountCents: number }[]): Promise<AllocationDto> => {
    const proposalId = randomUUID();
    const requested = byYear.reduce((sum, y) => sum + y.amountCents, 0);
    const event = buildCloudEvent({
      type: proposalEndorsedFixture.type,
      subject: proposalId,
      correlationId: randomUUID(),
      data: {
        ...proposalEndorsedFixture.data,
        proposal: {
          ...proposalEndorsedFixture.data.proposal,
          requestedFundingCents: requested,
          eligibleCostCents: Math.ceil((requested * 10) / 9),
          totalCostCents: Math.ceil((requested * 10) / 9),
        },
        requestedFundingByYear: byYear,
      },
    });
    await jetstream(t.topo.nc).publish(subjectOf(t.topo.prefix, event.type), JSON.stringify(event));
    return waitFor(
      async () =>
        (
          await call<Page<AllocationDto>>(FUNDING_RPC.listAllocations, {
            actor: officer,
            query: { proposalId, limit: 20, sort: '-createdAt' },
          })
        ).items[0],
      { what: `the allocation of ${proposalId}` },
    );
  };
  const act = <T = AllocationDto>(pattern: string, id: string, data: object = {}) =>
    call<T>(pattern, { actor: officer, id, data });
  const finished = (id: string) =>
    waitFor(
      async () => {
        const report = await call<FundingReportDto>(FUNDING_REPORT_RPC.get, { actor: officer, id });
        return report.status === 'done' || report.status === 'failed' ? report : undefined;
      },
      { what: `report ${id}`, timeoutMs: 20_000 },
    );
  const csvOf = async (id: string) =>
    parse(await readFile(join(reportsDir, `${id}.csv`), 'utf8'), { bom: true });

  beforeAll(async () => {
    reportsDir = await mkdtemp(join(tmpdir(), 'wandelwerk-reports-'));
    t = await startTestService(FundingSettings, fundingBlueprint, { REPORTS_DIR: reportsDir });
    programme = await call<ProgrammeDto>(FUNDING_RPC.createProgramme, {
      actor: admin,
      data: {
        code: 'INVKG-BB',
        name: 'InvKG, Arm 1 – Brandenburg',
        legalBasis: 'Investitionsgesetz Kohleregionen (InvKG)',
        maxFundingRateBasisPoints: 9000,
        fundingPeriod: { firstYear: 2025, lastYear: 2030 },
        eligibleStateCodes: ['12'],
        eligibleRegions: ['lausitz'],
      },
    });
    for (const year of [2025, 2026, 2027])
      await call(FUNDING_RPC.amendBudget, {
        actor: admin,
        id: programme.id,
        data: { kind: 'raise', year, amountCents: 50_000_000, reason: 'Haushaltsplan' },
      });
    // Requested only (no money bound), disbursing, and closed with a part released.
    await endorse([{ year: 2025, amountCents: 1_000_000 }]);
    const paying = await endorse([
      { year: 2025, amountCents: 10_000_001 },
      { year: 2026, amountCents: 20_000_003 },
    ]);
    await act(FUNDING_RPC.approve, paying.id);
    await act(FUNDING_RPC.commit, paying.id, {
      grantDecisionDate: '2025-03-01',
      grantReference: '80-2025-1',
    });
    await act(FUNDING_RPC.disburse, paying.id, { year: 2025, amountCents: 4_000_000, paidOn: '2025-06-30' });
    const closing = await endorse([{ year: 2027, amountCents: 7_777_777 }]);
    await act(FUNDING_RPC.approve, closing.id);
    await act(FUNDING_RPC.commit, closing.id, {
      grantDecisionDate: '2025-03-01',
      grantReference: '80-2025-2',
    });
    await act(FUNDING_RPC.disburse, closing.id, {
      year: 2027,
      amountCents: 5_000_000,
      paidOn: '2027-02-01',
      final: true,
    });
  }, 60_000);

  afterAll(async () => {
    await t?.dispose();
    await rm(reportsDir, { recursive: true, force: true });
  });

  it('keeps one monthly schedule: 03:00 on the first of the month, Berlin time', async () => {
    const queue = t.service.app.get(ReportsService).queue;
    // Set up in the background at start, so that a service without Redis still starts.
    await waitFor(async () => (await queue.getJobScheduler(MONTHLY_SCHEDULER_ID)) !== undefined, {
      what: 'the monthly schedule',
    });
    const scheduler = await queue.getJobScheduler(MONTHLY_SCHEDULER_ID);
    expect(scheduler).toMatchObject({ pattern: '0 3 1 * *', tz: 'Europe/Berlin', name: 'monthly' });
    expect(MONTHLY_PATTERN).toBe(scheduler?.pattern);
    expect(await queue.getJobSchedulersCount()).toBe(1);
    const next = new Intl.DateTimeFormat('de-DE', {
      timeZone: REPORT_TIME_ZONE,
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).format(new Date(scheduler?.next ?? 0));
    expect(next).toBe('01, 03:00');
  });

  it('names the month just ended in Berlin, also at the turn of the year and in the first hours of a month', () => {
    expect(monthBefore(new Date('2026-04-01T01:00:00Z'))).toBe('2026-03');
    expect(monthBefore(new Date('2026-01-01T02:00:00Z'))).toBe('2025-12');
    // 23:30 UTC on 31 May is already 1 June in Berlin (summer time).
    expect(monthBefore(new Date('2026-05-31T23:30:00Z'))).toBe('2026-05');
  });

  it('generates the ledger on demand, as the budget answers it, and announces the file through the outbox', async () => {
    const queued = await call<FundingReportDto>(FUNDING_REPORT_RPC.request, {
      actor: officer,
      data: { kind: 'ledger', programmeCode: 'INVKG-BB' },
    });
    expect(queued).toMatchObject({
      status: 'queued',
      jobId: `report-${queued.id}`,
      trigger: 'on-demand',
      periodStart: '2025-01-01',
      periodEnd: '2030-12-31',
      createdByUserId: officer.userId,
    });
    const report = await finished(queued.id);
    expect(report).toMatchObject({ status: 'done', progress: 100, rowCount: 3, error: null, attempts: 1 });
    const bytes = await readFile(join(reportsDir, `${report.id}.csv`));
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(report.byteSize).toBe(bytes.length);
    expect(report.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(report.downloadUrl).toBe(`/api/v1/funding/reports/${report.id}/download`);

    const ledger = await call<BudgetLedgerDto>(FUNDING_RPC.budget, { actor: officer, id: programme.id });
    const [header, ...rows] = await csvOf(report.id);
    expect(header?.[2]).toBe('Haushaltsjahr');
    expect(rows).toEqual(
      ledger.years.map((y) => [
        'INVKG-BB',
        'InvKG, Arm 1 – Brandenburg',
        String(y.year),
        euros(y.plannedCents),
        euros(y.reservedCents),
        euros(y.disbursedCents),
        euros(y.availableCents),
      ]),
    );
    // The figures are not trivial: each year has money reserved or paid.
    expect(ledger.years.every((y) => y.reservedCents + y.disbursedCents > 0)).toBe(true);

    const [event] = (await t.outbox<FundingReportGeneratedEvent>('funding.report.generated.v1')).filter(
      (e) => e.subject === report.id,
    );
    expect(event?.data).toEqual({
      kind: 'budget-overview',
      programmeCode: 'INVKG-BB',
      periodStart: '2025-01-01',
      periodEnd: '2030-12-31',
      format: 'csv',
      byteSize: bytes.length,
      sha256: report.sha256,
      requestedByUserId: officer.userId,
    });
  });

  it('splits the money per municipality by cost share, the lead taking the rounding rest, adding up to the ledger', async () => {
    const queued = await call<FundingReportDto>(FUNDING_REPORT_RPC.request, {
      actor: admin,
      data: { kind: 'municipalities', fromYear: 2025, toYear: 2026 },
    });
    const report = await finished(queued.id);
    expect(report.status).toBe('done');
    const [, ...rows] = await csvOf(report.id);
    // Only the disbursing allocation has money in 2025–2026: 30,000,004 approved, 4,000,000 paid.
    const { leadMunicipality, partners } = proposalEndorsedFixture.data.proposal;
    const approved = 30_000_004;
    const paid = 4_000_000;
    const partnerPart = (cents: number, share: number) => Math.floor((cents * share) / 10_000);
    const partnerApproved = partners.map((p) => partnerPart(approved, p.costShareBasisPoints));
    const partnerPaid = partners.map((p) => partnerPart(paid, p.costShareBasisPoints));
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const expected = [
      [
        'INVKG-BB',
        leadMunicipality.ags,
        leadMunicipality.name,
        '1',
        euros(approved - sum(partnerApproved)),
        euros(paid - sum(partnerPaid)),
        '0',
        '0.00',
        '0.00',
        euros(approved - sum(partnerApproved)),
        euros(paid - sum(partnerPaid)),
      ],
      ...partners.map((p, i) => [
        'INVKG-BB',
        p.ags,
        p.name,
        '0',
        '0.00',
        '0.00',
        '1',
        euros(partnerApproved[i]),
        euros(partnerPaid[i]),
        euros(partnerApproved[i]),
        euros(partnerPaid[i]),
      ]),
    ].sort((a, b) => a[1].localeCompare(b[1]));
    expect(rows).toEqual(expected);
    const ledger = await call<BudgetLedgerDto>(FUNDING_RPC.budget, { actor: officer, id: programme.id });
    const inRange = ledger.years.filter((y) => y.year <= 2026);
    const cents = (text: string) => Math.round(Number(text) * 100);
    expect(sum(rows.map((r) => cents(r[9])))).toBe(
      sum(inRange.map((y) => y.reservedCents + y.disbursedCents)),
    );
    expect(sum(rows.map((r) => cents(r[10])))).toBe(sum(inRange.map((y) => y.disbursedCents)));
  });

  it('serves a finished file only through a signed, unexpired link', async () => {
    const [done] = (
      await call<Page<FundingReportDto>>(FUNDING_REPORT_RPC.list, {
        actor: officer,
        query: { status: 'done', kind: 'ledger', limit: 20, sort: '-createdAt' },
      })
    ).items;
    expect(done).toBeDefined();
    const link = await call<FundingReportDownloadDto>(FUNDING_REPORT_RPC.download, {
      actor: officer,
      id: done.id,
    });
    expect(link).toMatchObject({
      fileName: 'wandelwerk-ledger-invkg-bb-' + done.createdAt.slice(0, 10) + '.csv',
      contentType: 'text/csv; charset=utf-8',
      byteSize: done.byteSize,
      sha256: done.sha256,
    });
    const response = await fetch(link.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(done.byteSize));
    const body = Buffer.from(await response.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(done.sha256);

    const url = new URL(link.url);
    const tampered = new URL(url);
    tampered.searchParams.set('signature', `x${url.searchParams.get('signature')!.slice(1)}`);
    expect((await fetch(tampered)).status).toBe(403);
    const otherReport = new URL(url);
    otherReport.pathname = `/internal/reports/${randomUUID()}/file`;
    expect((await fetch(otherReport)).status).toBe(403);
    const files = t.service.app.get(ReportFiles);
    const expired = new URL(files.link(done.id, Date.now() - 120_000));
    expect((await fetch(expired)).status).toBe(403);
  });

  it('runs the monthly job by hand: one report per kind for the month, and a second run adds none', async () => {
    const processor = t.service.app.get(ReportProcessor);
    const job = {
      name: 'monthly',
      data: {},
      attemptsMade: 0,
      opts: {},
      updateProgress: () => Promise.resolve(),
    };
    const outcome = await processor.process(job, new Date('2026-04-01T01:00:00Z'));
    expect(outcome).toBe('monthly 3');
    const monthly = async () =>
      (
        await call<Page<FundingReportDto>>(FUNDING_REPORT_RPC.list, {
          actor: officer,
          query: { trigger: 'monthly', limit: 20, sort: '-createdAt' },
        })
      ).items;
    const created = await monthly();
    expect(created.map((r) => r.kind).sort()).toEqual(['kohesio', 'ledger', 'municipalities']);
    expect(created.every((r) => r.parameters.month === '2026-03' && r.createdByUserId === null)).toBe(true);
    const done = await Promise.all(created.map((r) => finished(r.id)));
    expect(done.map((r) => r.status)).toEqual(['done', 'done', 'done']);
    const kohesio = done.find((r) => r.kind === 'kohesio')!;
    // The two allocations holding money; the requested one is not an operation yet.
    expect(kohesio.rowCount).toBe(2);
    const [header, ...rows] = await csvOf(kohesio.id);
    expect(header).toContain('Project_EU_Budget');
    expect(rows.map((r) => r[9]).sort()).toEqual([euros(30_000_004), euros(5_000_000)].sort());

    await processor.process(job, new Date('2026-04-01T02:00:00Z'));
    expect((await monthly()).map((r) => r.id).sort()).toEqual(created.map((r) => r.id).sort());
    const events = await t.outbox<FundingReportGeneratedEvent>('funding.report.generated.v1');
    expect(events.filter((e) => created.some((r) => r.id === e.subject))).toHaveLength(3);
    expect(events.find((e) => e.subject === kohesio.id)?.data).toMatchObject({
      kind: 'allocations',
      requestedByUserId: null,
    });
  });

  it('records a failure on the report, failed after the last attempt, with no file and no event', async () => {
    const reports = t.service.app.get(ReportsService);
    const id = randomUUID();
    await t.db.query(
      `INSERT INTO funding.report (id, kind, trigger, format, parameters, from_year, to_year, status, created_at)
       VALUES ($1, 'ledger', 'on-demand', 'csv', $2, 2025, 2030, 'queued', now())`,
      [id, JSON.stringify({ programmeCode: null, fromYear: null, toYear: null, month: null })],
    );
    // A directory where the file would be written: the write fails.
    await mkdir(join(reportsDir, `${id}.csv.part`));
    const job = (attemptsMade: number) => ({
      attemptsMade,
      opts: { attempts: 2 },
      updateProgress: () => Promise.resolve(),
    });
    await expect(reports.generate(id, job(0))).rejects.toThrow();
    expect(await call<FundingReportDto>(FUNDING_REPORT_RPC.get, { actor: officer, id })).toMatchObject({
      status: 'running',
      attempts: 1,
      error: expect.stringContaining('EISDIR'),
    });
    await expect(reports.generate(id, job(1))).rejects.toThrow();
    const failed = await call<FundingReportDto>(FUNDING_REPORT_RPC.get, { actor: officer, id });
    expect(failed).toMatchObject({ status: 'failed', attempts: 2, downloadUrl: null, sha256: null });
    expect((await t.outbox('funding.report.generated.v1')).some((e) => e.subject === id)).toBe(false);
    await expectProblem(
      call(FUNDING_REPORT_RPC.download, { actor: officer, id }),
      409,
      'funding.report-not-ready',
    );
  });

  it('refuses others than funding staff, unknown programmes and reports, reversed years, and a file that is gone', async () => {
    await expectProblem(
      call(FUNDING_REPORT_RPC.request, { actor: manager, data: { kind: 'ledger' } }),
      403,
      'funding.forbidden',
    );
    await expectProblem(
      call(FUNDING_REPORT_RPC.list, { actor: manager, query: { limit: 20, sort: '-createdAt' } }),
      403,
      'funding.forbidden',
    );
    await expectProblem(
      call(FUNDING_REPORT_RPC.request, { actor: officer, data: { kind: 'ledger', programmeCode: 'STARK' } }),
      422,
      'funding.programme-not-found',
    );
    await expectProblem(
      call(FUNDING_REPORT_RPC.request, {
        actor: officer,
        data: { kind: 'ledger', fromYear: 2027, toYear: 2026 },
      }),
      422,
      'funding.invalid-report-period',
    );
    await expectProblem(
      call(FUNDING_REPORT_RPC.request, { actor: officer, data: { kind: 'pdf' } }),
      400,
      'validation-failed',
    );
    await expectProblem(
      call(FUNDING_REPORT_RPC.get, { actor: officer, id: randomUUID() }),
      404,
      'funding.report-not-found',
    );
    const queued = await call<FundingReportDto>(FUNDING_REPORT_RPC.request, {
      actor: officer,
      data: { kind: 'kohesio' },
    });
    const report = await finished(queued.id);
    await rm(join(reportsDir, `${report.id}.csv`));
    await expectProblem(
      call(FUNDING_REPORT_RPC.download, { actor: officer, id: report.id }),
      410,
      'funding.report-file-gone',
    );
  });
});
