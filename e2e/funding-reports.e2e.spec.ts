import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import {
  buildCloudEvent,
  proposalEndorsedFixture,
  type ActorDto,
  type AllocationDto,
  type BudgetLedgerDto,
  type FundingReportDto,
  type Page,
  type ProgrammeDto,
  type ProposalDetails,
} from '@wandelwerk/contracts';
import { FundingSettings, fundingBlueprint } from '@wandelwerk/funding/blueprint';
import { subjectOf } from '@wandelwerk/messaging';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { waitFor } from '@wandelwerk/testing';
import { parse } from 'csv-parse/sync';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const officer: ActorDto = {
  userId: '7a1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f72',
  role: 'funding_officer',
  municipalityId: null,
};
const manager: ActorDto = {
  userId: '7a1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f71',
  role: 'program_manager',
  municipalityId: null,
};
const municipalityAccount: ActorDto = {
  userId: '7a1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f74',
  role: 'municipality',
  municipalityId: proposalEndorsedFixture.data.proposal.leadMunicipality.municipalityId,
};
const FUNDED = ['approved', 'committed', 'disbursing', 'closed'];

/** Euros with two decimals (as the reports write them) back to cents, exactly. */
const cents = (euros: string): number => {
  const match = /^(-?)([0-9]+)\.([0-9]{2})$/.exec(euros);
  if (!match) throw new Error(`not an amount in euros: ${euros}`);
  return (match[1] ? -1 : 1) * (Number(match[2]) * 100 + Number(match[3]));
};
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/**
 * Funding reports through the gateway: a funding officer asks for a report (202), follows it until done, downloads
 * the CSV (streamed from the funding service's file), and every figure in it is checked against the ledger
 * (`GET …/programmes/{id}/budget`), the allocations and the database.
 */
describe('funding reports through the gateway (HTTP → NATS → funding → BullMQ → CSV file → HTTP stream)', () => {
  jest.setTimeout(60_000);
  let funding: TestService;
  let gateway: TestGateway;
  let reportsDir: string;
  const programmes: ProgrammeDto[] = [];
  const as = (actor: ActorDto) => gateway.sendAs(actor);

  const endorse = async (
    programmeCode: string,
    byYear: { year: number; amountCents: number }[],
    patch: Partial<ProposalDetails> = {},
  ) => {
    const proposalId = randomUUID();
    const requested = sum(byYear.map((y) => y.amountCents));
    const event = buildCloudEvent({
      type: proposalEndorsedFixture.type,
      subject: proposalId,
      correlationId: randomUUID(),
      data: {
        ...proposalEndorsedFixture.data,
        proposal: {
          ...proposalEndorsedFixture.data.proposal,
          programmeCode,
          requestedFundingCents: requested,
          eligibleCostCents: Math.ceil((requested * 10) / 9) + 12_345,
          totalCostCents: Math.ceil((requested * 10) / 9) + 99_999,
          ...patch,
        },
        requestedFundingByYear: byYear,
      },
    });
    await jetstream(funding.topo.nc).publish(
      subjectOf(funding.topo.prefix, event.type),
      JSON.stringify(event),
    );
    return waitFor(
      async () =>
        (
          (await as(officer)('GET', `/api/v1/funding/allocations?proposalId=${proposalId}`))
            .body as unknown as Page<AllocationDto>
        ).items[0],
      { what: `the allocation of ${proposalId}` },
    );
  };
  const step = async (id: string, action: string, body: object = {}) => {
    const answer = await as(officer)('POST', `/api/v1/funding/allocations/${id}/${action}`, body);
    expect([200, 201]).toContain(answer.status);
  };
  const commit = (id: string, reference: string) =>
    step(id, 'commit', { grantDecisionDate: '2026-02-01', grantReference: reference });

  const requestReport = async (body: object, key = randomUUID()) => {
    const answer = await as(officer)('POST', '/api/v1/funding/reports', body, { 'idempotency-key': key });
    expect(answer.status).toBe(202);
    return answer;
  };
  const finished = (id: string) =>
    waitFor(
      async () => {
        const answer = await as(officer)('GET', `/api/v1/funding/reports/${id}`);
        const report = answer.body as unknown as FundingReportDto;
        return report.status === 'done' || report.status === 'failed' ? report : undefined;
      },
      { what: `report ${id}`, timeoutMs: 30_000 },
    );
  const download = async (id: string, actor: ActorDto = officer) => {
    const response = await fetch(`${gateway.url}/api/v1/funding/reports/${id}/download`, {
      headers: gateway.headersFor(actor),
    });
    return { response, bytes: Buffer.from(await response.arrayBuffer()) };
  };
  const reportRows = async (
    body: object,
  ): Promise<{ report: FundingReportDto; rows: string[][]; header: string[] }> => {
    const queued = (await requestReport(body)).body as unknown as FundingReportDto;
    const report = await finished(queued.id);
    expect(report).toMatchObject({ status: 'done', progress: 100 });
    const { response, bytes } = await download(report.id);
    expect(response.status).toBe(200);
    const [header, ...rows] = parse(bytes.toString('utf8'), { bom: true });
    expect(rows).toHaveLength(report.rowCount);
    return { report, rows, header };
  };
  const ledgerOf = async (programme: ProgrammeDto) =>
    (await as(officer)('GET', `/api/v1/funding/programmes/${programme.id}/budget`))
      .body as unknown as BudgetLedgerDto;
  const allocations = async (): Promise<AllocationDto[]> => {
    const all: AllocationDto[] = [];
    for (const programme of programmes) {
      const page = (
        await as(officer)('GET', `/api/v1/funding/allocations?programmeId=${programme.id}&limit=100`)
      ).body as unknown as Page<AllocationDto>;
      all.push(...page.items);
    }
    return all;
  };

  beforeAll(async () => {
    reportsDir = await mkdtemp(join(tmpdir(), 'wandelwerk-e2e-reports-'));
    funding = await startTestService(FundingSettings, fundingBlueprint, { REPORTS_DIR: reportsDir });
    gateway = await startTestGateway(funding.topo.prefix);
    for (const [code, name] of [
      ['INVKG-BB', 'InvKG Arm 1 Brandenburg'],
      ['JTF-BB', 'Just Transition Fund, Brandenburg'],
    ] as const) {
      const created = await gateway.send('POST', '/api/v1/funding/programmes', {
        code,
        name,
        legalBasis: 'Investitionsgesetz Kohleregionen (InvKG), §§ 1, 3 und 7',
        maxFundingRateBasisPoints: 9000,
        fundingPeriod: { firstYear: 2026, lastYear: 2030 },
        eligibleStateCodes: ['12'],
        eligibleRegions: ['lausitz'],
      });
      expect(created.status).toBe(201);
      const programme = created.body as unknown as ProgrammeDto;
      programmes.push(programme);
      for (const year of [2026, 2027, 2028]) {
        const amended = await gateway.send(
          'POST',
          `/api/v1/funding/programmes/${programme.id}/budget/amendments`,
          {
            kind: 'raise',
            year,
            amountCents: 90_000_000,
            reason: 'Haushaltsplan',
          },
        );
        expect(amended.status).toBe(201);
      }
    }
    const { leadMunicipality, partners } = proposalEndorsedFixture.data.proposal;
    // Disbursing: two years, odd amounts (rounding of the shares), one tranche paid.
    const paying = await endorse('INVKG-BB', [
      { year: 2026, amountCents: 12_345_679 },
      { year: 2027, amountCents: 23_456_791 },
    ]);
    await step(paying.id, 'approve');
    await commit(paying.id, '80-2026-0001');
    await step(paying.id, 'disbursements', { year: 2026, amountCents: 5_000_003, paidOn: '2026-03-01' });
    // Closed after a partial last tranche: the rest went back to the budget.
    const closed = await endorse('INVKG-BB', [{ year: 2027, amountCents: 8_888_889 }], {
      title: '=Radweg "Seenland", 2. Abschnitt',
      leadMunicipality: { ...partners[0], costShareBasisPoints: 6000 },
      partners: [{ ...leadMunicipality, costShareBasisPoints: 4000 }],
    });
    await step(closed.id, 'approve');
    await commit(closed.id, '80-2026-0002');
    await step(closed.id, 'disbursements', {
      year: 2027,
      amountCents: 7_000_000,
      paidOn: '2027-04-01',
      final: true,
    });
    // Approved only, in the other programme.
    const approved = await endorse('JTF-BB', [{ year: 2028, amountCents: 3_333_333 }], {
      partners: [],
      leadMunicipality: { ...leadMunicipality, costShareBasisPoints: 10_000 },
    });
    await step(approved.id, 'approve');
    // Neither holds money: still requested; cancelled after approval; rejected.
    await endorse('JTF-BB', [{ year: 2026, amountCents: 1_000_000 }]);
    const cancelled = await endorse('INVKG-BB', [{ year: 2026, amountCents: 2_000_000 }]);
    await step(cancelled.id, 'approve');
    await step(cancelled.id, 'cancel', { reason: 'Vorhaben entfällt' });
    const rejected = await endorse('JTF-BB', [{ year: 2027, amountCents: 4_000_000 }]);
    await step(rejected.id, 'reject', { reason: 'Nicht förderfähig' });
  }, 90_000);

  afterAll(async () => {
    await gateway?.stop();
    await funding?.dispose();
    await rm(reportsDir, { recursive: true, force: true });
  });

  it('answers 202 with the job and where to follow it; the same Idempotency-Key gives the same report', async () => {
    const key = randomUUID();
    const first = await requestReport({ kind: 'ledger' }, key);
    const report = first.body as unknown as FundingReportDto;
    expect(report).toMatchObject({
      status: 'queued',
      jobId: `report-${report.id}`,
      kind: 'ledger',
      trigger: 'on-demand',
    });
    expect(first.headers.get('location')).toBe(`/api/v1/funding/reports/${report.id}`);
    const again = await requestReport({ kind: 'ledger' }, key);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(again.body?.['id']).toBe(report.id);
    const done = await finished(report.id);
    expect(done).toMatchObject({
      status: 'done',
      downloadUrl: `/api/v1/funding/reports/${report.id}/download`,
    });
  });

  it('downloads the ledger as a CSV stream with its length and name; every figure is the budget’s', async () => {
    const { report, rows, header } = await reportRows({ kind: 'ledger' });
    expect(header).toEqual([
      'Programmcode',
      'Programm',
      'Haushaltsjahr',
      'Geplant (EUR)',
      'Reserviert (EUR)',
      'Ausgezahlt (EUR)',
      'Verfügbar (EUR)',
    ]);
    const { response, bytes } = await download(report.id);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-length')).toBe(String(report.byteSize));
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${report.fileName}"`);
    expect(response.headers.get('etag')).toBe(`"${report.sha256}"`);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(report.sha256);
    expect(bytes.toString('utf8')).toContain('\r\n');

    const expected: string[][] = [];
    for (const programme of [...programmes].sort((a, b) => a.code.localeCompare(b.code))) {
      const ledger = await ledgerOf(programme);
      for (const y of ledger.years)
        expected.push(
          [programme.code, programme.name, String(y.year)].concat(
            [y.plannedCents, y.reservedCents, y.disbursedCents, y.availableCents].map((c) =>
              (c / 100).toFixed(2),
            ),
          ),
        );
    }
    expect(rows).toEqual(expected);
    // The figures are checked, not just echoed: reserved, disbursed and released money are all in there.
    const ledgerBb = await ledgerOf(programmes[0]);
    expect(ledgerBb.totals).toMatchObject({
      reservedCents: 12_345_679 + 23_456_791 - 5_000_003,
      disbursedCents: 5_000_003 + 7_000_000,
    });
    expect(sum(rows.filter((r) => r[0] === 'INVKG-BB').map((r) => cents(r[4])))).toBe(
      ledgerBb.totals.reservedCents,
    );
  });

  it('splits the money per municipality, lead and partner, to the cent; the sums are the ledger’s', async () => {
    const { rows } = await reportRows({ kind: 'municipalities' });
    // Expected from the allocations as the API shows them: funded ones only, partners floor(amount × share),
    // the lead the rest.
    const expected = new Map<string, number[]>();
    for (const a of await allocations()) {
      if (!FUNDED.includes(a.status)) continue;
      const approved = a.status === 'closed' ? a.paidCents : a.amountCents;
      const add = (m: { ags: string }, role: 'lead' | 'partner', money: number, paid: number) => {
        const key = `${a.programmeCode}|${m.ags}`;
        const entry = expected.get(key) ?? [0, 0, 0, 0, 0, 0];
        const offset = role === 'lead' ? 0 : 3;
        entry[offset] = entry[offset] + 1;
        entry[offset + 1] = entry[offset + 1] + money;
        entry[offset + 2] = entry[offset + 2] + paid;
        expected.set(key, entry);
      };
      let partnerMoney = 0;
      let partnerPaid = 0;
      for (const p of a.partners) {
        const money = Math.floor((approved * p.costShareBasisPoints) / 10_000);
        const paid = Math.floor((a.paidCents * p.costShareBasisPoints) / 10_000);
        partnerMoney += money;
        partnerPaid += paid;
        add(p, 'partner', money, paid);
      }
      add(a.leadMunicipality, 'lead', approved - partnerMoney, a.paidCents - partnerPaid);
    }
    const actual = new Map(
      rows.map((r) => [
        `${r[0]}|${r[1]}`,
        [Number(r[3]), cents(r[4]), cents(r[5]), Number(r[6]), cents(r[7]), cents(r[8])],
      ]),
    );
    expect(actual).toEqual(expected);
    for (const r of rows) {
      expect(cents(r[9])).toBe(cents(r[4]) + cents(r[7]));
      expect(cents(r[10])).toBe(cents(r[5]) + cents(r[8]));
    }
    for (const programme of programmes) {
      const { totals } = await ledgerOf(programme);
      const mine = rows.filter((r) => r[0] === programme.code);
      expect(sum(mine.map((r) => cents(r[9])))).toBe(totals.reservedCents + totals.disbursedCents);
      expect(sum(mine.map((r) => cents(r[10])))).toBe(totals.disbursedCents);
    }
    // And once more straight from the tables the ledger is kept in.
    const [db] = await funding.db.query<{ bound: string; paid: string }>(
      `SELECT sum(reserved_cents + disbursed_cents) AS bound, sum(disbursed_cents) AS paid FROM funding.budget_year`,
    );
    expect(sum(rows.map((r) => cents(r[9])))).toBe(Number(db.bound));
    expect(sum(rows.map((r) => cents(r[10])))).toBe(Number(db.paid));
  });

  it('writes the Kohesio open-data list: one row per funded operation, its figures from the allocation', async () => {
    const { rows, header } = await reportRows({ kind: 'kohesio', fromYear: 2026, toYear: 2030 });
    expect(header.slice(0, 4)).toEqual([
      'Operation_Unique_Identifier',
      'Operation_Local_Identifier',
      'Operation_Name_Programme_Language',
      'Operation_Start_Date',
    ]);
    const col = (name: string) => header.indexOf(name);
    const funded = (await allocations()).filter((a) => FUNDED.includes(a.status));
    expect(rows.map((r) => r[0]).sort()).toEqual(funded.map((a) => a.id).sort());
    for (const a of funded) {
      const row = rows.find((r) => r[0] === a.id)!;
      const money = a.amountCents - a.releasedCents;
      const programme = programmes.find((p) => p.code === a.programmeCode)!;
      expect(row[col('Operation_Local_Identifier')]).toBe(a.grantReference ?? '');
      expect(row[col('Operation_Name_Programme_Language')]).toBe(
        a.title.startsWith('=') ? `'${a.title}` : a.title,
      );
      expect(row[col('Operation_Start_Date')]).toBe(a.plannedStart);
      expect(row[col('Operation_End_Date')]).toBe(a.plannedEnd);
      expect(row[col('Programme_Name')]).toBe(programme.name);
      expect(row[col('Fund_Code')]).toBe(a.programmeCode);
      expect(cents(row[col('Total_Eligible_Expenditure_amount')])).toBe(a.eligibleCostCents);
      expect(row[col('Total_Eligible_Expenditure_Currency')]).toBe('EUR');
      expect(cents(row[col('Project_EU_Budget')])).toBe(money);
      expect(Number(row[col('Cofinancing_Rate')])).toBeCloseTo((money * 100) / a.eligibleCostCents, 2);
      expect(row[col('Beneficiary_Name')]).toBe(a.leadMunicipality.name);
      expect(row[col('Beneficiary_Local_Identifier')]).toBe(a.leadMunicipality.ags);
      expect(row[col('LAU_Code')]).toBe(a.leadMunicipality.ags);
    }
    for (const programme of programmes) {
      const { totals } = await ledgerOf(programme);
      const mine = rows.filter((r) => r[col('Fund_Code')] === programme.code);
      expect(sum(mine.map((r) => cents(r[col('Project_EU_Budget')])))).toBe(
        totals.reservedCents + totals.disbursedCents,
      );
    }
  });

  it('lists reports; refuses program managers and municipalities (403), unknown reports (404), unfinished ones (409)', async () => {
    const list = await as(officer)('GET', '/api/v1/funding/reports?kind=ledger&status=done');
    expect(list.status).toBe(200);
    const items = (list.body as unknown as Page<FundingReportDto>).items;
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.every((r) => r.kind === 'ledger' && r.status === 'done')).toBe(true);
    const someId = items[0].id;
    for (const actor of [manager, municipalityAccount]) {
      const post = await as(actor)('POST', '/api/v1/funding/reports', { kind: 'ledger' });
      expect(post.status).toBe(403);
      expect((await as(actor)('GET', `/api/v1/funding/reports/${someId}`)).status).toBe(403);
      expect((await as(actor)('GET', '/api/v1/funding/reports')).status).toBe(403);
      const { response } = await download(someId, actor);
      expect(response.status).toBe(403);
    }
    const unknown = randomUUID();
    const missing = await as(officer)('GET', `/api/v1/funding/reports/${unknown}`, undefined, {
      'accept-language': 'en',
    });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'funding.report-not-found' });
    expect((await download(unknown)).response.status).toBe(404);

    const bad = await as(officer)('POST', '/api/v1/funding/reports', { kind: 'pdf', fromYear: 1990 });
    expect(bad.status).toBe(400);
    expect((bad.body?.['errors'] as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'fromYear',
      'kind',
    ]);
    const unknownProgramme = await as(officer)('POST', '/api/v1/funding/reports', {
      kind: 'ledger',
      programmeCode: 'STARK',
    });
    expect(unknownProgramme.status).toBe(422);

    // A report still waiting for its job: nothing to download yet.
    const waiting = randomUUID();
    await funding.db.query(
      `INSERT INTO funding.report (id, kind, trigger, format, parameters, from_year, to_year, status, created_at)
       VALUES ($1, 'ledger', 'on-demand', 'csv', '{"programmeCode":null,"fromYear":null,"toYear":null,"month":null}',
         2026, 2030, 'queued', now())`,
      [waiting],
    );
    const { response: notReady, bytes } = await download(waiting);
    expect(notReady.status).toBe(409);
    expect(JSON.parse(bytes.toString('utf8'))).toMatchObject({
      code: 'funding.report-not-ready',
      currentState: 'queued',
    });
  });
});
