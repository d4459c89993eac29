import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  FUNDING_REPORT_CONTENTS,
  FUNDING_REPORT_SORT_FIELDS,
  FundingReportGeneratedEvent,
  parseSort,
  standardProblem,
  type ActorDto,
  type FundingReportContent,
  type FundingReportDownloadDto,
  type FundingReportDto,
  type FundingReportParametersDto,
  type ListFundingReportsQueryDto,
  type Page,
  type RequestFundingReportDto,
} from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { serializeError, type JsonLogger } from '@wandelwerk/observability';
import {
  APP_LOGGER,
  BackgroundJobs,
  correlationForJob,
  fetchKeysetPage,
  when,
  type CorrelatedJobData,
} from '@wandelwerk/platform';
import type { Job, Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { PoolClient } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { FUNDING_STAFF, requireRole } from '../access/funding-access.js';
import { ReportFiles } from './report-files.js';
import { EVENT_KIND_OF, REPORT_LAYOUTS } from './report-layouts.js';
import { writeReport, type ReportProgress } from './report-writer.js';
import { ReportProblems } from './report.problems.js';
import { fileNameOf, REPORT_COLUMNS, reportJobId, toReportDto, type ReportRow } from './report.record.js';

export const REPORT_QUEUE = 'funding-reports';
export const GENERATE_JOB = 'generate';

export interface ReportJobData extends CorrelatedJobData {
  reportId?: string;
}

const DAY_S = 86_400;
const CONTENT_TYPE = 'text/csv; charset=utf-8';

const STAFF_ONLY = {
  request: { de: 'Förderberichte erstellen', en: 'Requesting funding reports' },
  read: { de: 'Förderberichte einsehen', en: 'Reading funding reports' },
};

/**
 * Funding reports: a row per report in `funding.report`, a BullMQ job per report that streams the CSV into
 * REPORTS_DIR, and the finished report announced through the outbox (`funding.report.generated.v1`) in the same
 * transaction that marks it done. Only funding staff request, see and download them.
 */
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: BackgroundJobs,
    private readonly files: ReportFiles,
    private readonly outbox: OutboxPublisher,
    @Inject(APP_LOGGER) private readonly logger: JsonLogger,
  ) {}

  get queue(): Queue<ReportJobData> {
    return this.jobs.queue<ReportJobData>(REPORT_QUEUE);
  }

  async request(actor: ActorDto, input: RequestFundingReportDto): Promise<FundingReportDto> {
    requireRole(actor, FUNDING_STAFF, STAFF_ONLY.request);
    if (input.fromYear !== undefined && input.toYear !== undefined && input.toYear < input.fromYear)
      throw ReportProblems.yearsReversed();
    const parameters: FundingReportParametersDto = {
      programmeCode: input.programmeCode ?? null,
      fromYear: input.fromYear ?? null,
      toYear: input.toYear ?? null,
      month: null,
    };
    const row = await this.dataSource.transaction(async (manager) => {
      const years = await this.yearsOf(manager, parameters);
      return this.insert(manager, input.kind, 'on-demand', parameters, years, actor.userId);
    });
    if (!row) throw new Error('report row not written');
    await this.enqueueOrFail(row.id);
    return toReportDto(row);
  }

  /**
   * The reports of the monthly schedule for `month` (`YYYY-MM`, the month just ended): one per kind over every
   * programme and year. A second run for the same month (a retry, another replica) finds them and only makes sure
   * that those not done yet have their job.
   */
  async createMonthly(month: string): Promise<string[]> {
    const parameters: FundingReportParametersDto = {
      programmeCode: null,
      fromYear: null,
      toYear: null,
      month,
    };
    const rows = await this.dataSource.transaction(async (manager) => {
      const years = await this.yearsOf(manager, parameters);
      for (const kind of FUNDING_REPORT_CONTENTS)
        await this.insert(manager, kind, 'monthly', parameters, years, null);
      return manager.query<{ id: string; status: string }[]>(
        `SELECT id, status FROM funding.report WHERE trigger = 'monthly' AND parameters ->> 'month' = $1
         ORDER BY kind`,
        [month],
      );
    });
    for (const row of rows)
      if (row.status === 'queued' || row.status === 'running') await this.enqueue(row.id);
    return rows.map((row) => row.id);
  }

  /**
   * Generates one report: marks it running, streams the CSV, then marks it done and writes the event in one
   * transaction. A report that is done (or gone) is left alone, so a repeated job writes nothing twice. A failure
   * is recorded on the report; on the last attempt the report is `failed`.
   */
  async generate(
    reportId: string,
    job?: Pick<Job, 'attemptsMade' | 'opts' | 'updateProgress'>,
  ): Promise<string> {
    // UPDATE answers [rows, count] through TypeORM.
    const [[started]] = await this.dataSource.query<[ReportRow[], number]>(
      `UPDATE funding.report r SET status = 'running', started_at = now(), attempts = attempts + 1, progress = 0,
         row_count = 0, error = NULL
       WHERE id = $1 AND status IN ('queued', 'running') RETURNING ${REPORT_COLUMNS}`,
      [reportId],
    );
    if (!started) return 'skipped';
    const layout = REPORT_LAYOUTS[started.kind];
    const path = this.files.pathOf(reportId);
    let lastPercent = -1;
    const progress = async ({ rows, total }: ReportProgress): Promise<void> => {
      // Without a count beforehand the percentage is unknown until the end; the rows written still move.
      const percent = total === null ? 50 : total === 0 ? 99 : Math.min(99, Math.floor((rows * 100) / total));
      await this.dataSource.query(
        `UPDATE funding.report SET progress = $2, row_count = $3 WHERE id = $1 AND status = 'running'`,
        [reportId, percent, rows],
      );
      if (percent !== lastPercent) {
        lastPercent = percent;
        await job?.updateProgress(percent);
      }
    };
    try {
      const runner = this.dataSource.createQueryRunner();
      const client = (await runner.connect()) as PoolClient;
      let written;
      try {
        written = await writeReport(client, layout, started.parameters, path, progress);
      } finally {
        await runner.release();
      }
      const fileName = fileNameOf(started.kind, started.parameters.programmeCode, started.created_at);
      await this.dataSource.transaction(async (manager) => {
        const [done] = await manager.query<[ReportRow[], number]>(
          `UPDATE funding.report r SET status = 'done', progress = 100, row_count = $2, byte_size = $3, sha256 = $4,
             file_name = $5, finished_at = now(), error = NULL
           WHERE id = $1 AND status = 'running' RETURNING ${REPORT_COLUMNS}`,
          [reportId, written.rows, written.bytes, written.sha256, fileName],
        );
        if (done.length === 0) return;
        await this.outbox.publish(manager, {
          type: FundingReportGeneratedEvent.type,
          subject: reportId,
          data: {
            kind: EVENT_KIND_OF[started.kind],
            programmeCode: started.parameters.programmeCode,
            periodStart: `${started.from_year}-01-01`,
            periodEnd: `${started.to_year}-12-31`,
            format: started.format,
            byteSize: written.bytes,
            sha256: written.sha256,
            requestedByUserId: started.created_by,
          } satisfies FundingReportGeneratedEvent,
        });
      });
      await job?.updateProgress(100);
      return 'done';
    } catch (error) {
      const last = !job || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const message = error instanceof Error ? error.message : String(error);
      await this.dataSource
        .query(
          `UPDATE funding.report SET error = $2${last ? `, status = 'failed', finished_at = now()` : ''}
           WHERE id = $1 AND status = 'running'`,
          [reportId, message.slice(0, 2000)],
        )
        .catch((cause: unknown) =>
          this.logger.write('error', 'report failure not recorded', { reportId, err: serializeError(cause) }),
        );
      throw error;
    }
  }

  async get(actor: ActorDto, id: string): Promise<FundingReportDto> {
    requireRole(actor, FUNDING_STAFF, STAFF_ONLY.read);
    return toReportDto(await this.load(id));
  }

  async list(actor: ActorDto, query: ListFundingReportsQueryDto): Promise<Page<FundingReportDto>> {
    requireRole(actor, FUNDING_STAFF, STAFF_ONLY.read);
    const sort = parseSort(query.sort, FUNDING_REPORT_SORT_FIELDS) ?? [
      { field: 'createdAt', direction: 'desc' as const },
    ];
    const page = await fetchKeysetPage<ReportRow>(this.dataSource, {
      from: 'funding.report r',
      columns: REPORT_COLUMNS,
      filters: [
        ...when(query.kind, (p) => `r.kind = ${p}`),
        ...when(query.trigger, (p) => `r.trigger = ${p}`),
        ...when(query.status, (p) => `r.status = ${p}`),
        ...when(query.year, (p) => `${p}::int BETWEEN r.from_year AND r.to_year`),
      ],
      sort,
      sortColumns: { createdAt: 'r.created_at' },
      sortValues: { createdAt: `to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` },
      idColumn: 'r.id',
      cursor: query.cursor,
      limit: query.limit,
    });
    return { ...page, items: page.items.map(toReportDto) };
  }

  /** Where the gateway streams a finished report from: a signed link to this instance, valid for a minute. */
  async download(actor: ActorDto, id: string): Promise<FundingReportDownloadDto> {
    requireRole(actor, FUNDING_STAFF, STAFF_ONLY.read);
    const row = await this.load(id);
    if (row.status !== 'done' || row.byte_size === null || !row.sha256 || !row.file_name)
      throw ReportProblems.notReady(id, row.status);
    const size = await stat(this.files.pathOf(id)).then(
      (info) => info.size,
      () => null,
    );
    if (size === null) throw ReportProblems.fileGone(id);
    return {
      url: this.files.link(id),
      fileName: row.file_name,
      contentType: CONTENT_TYPE,
      byteSize: size,
      sha256: row.sha256,
    };
  }

  /**
   * Gives every report still to be generated its job again when it has none (the service died between writing the
   * row and adding the job, or Redis lost it). A report whose job has failed for good is marked failed.
   */
  async reconcile(): Promise<number> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM funding.report WHERE status IN ('queued', 'running') ORDER BY created_at`,
    );
    let repaired = 0;
    for (const { id } of rows) {
      const job = await this.queue.getJob(reportJobId(id));
      const state = job ? await job.getState() : 'missing';
      if (state === 'failed') {
        await this.dataSource.query(
          `UPDATE funding.report SET status = 'failed', finished_at = now(),
             error = coalesce(error, 'the report job failed') WHERE id = $1 AND status IN ('queued', 'running')`,
          [id],
        );
      } else if (state === 'missing' || state === 'completed' || state === 'unknown') {
        if (job) await job.remove().catch(() => undefined);
        await this.enqueue(id);
        repaired += 1;
      }
    }
    if (repaired > 0) this.logger.write('info', 'report jobs re-created', { count: repaired });
    return repaired;
  }

  private async enqueue(reportId: string): Promise<void> {
    await this.queue.add(
      GENERATE_JOB,
      { correlation: correlationForJob(), reportId },
      {
        jobId: reportJobId(reportId),
        attempts: 3,
        backoff: { type: 'exponential', delay: 5_000 },
        removeOnComplete: { age: 7 * DAY_S },
        removeOnFail: { age: 30 * DAY_S },
      },
    );
  }

  /** The row is committed; without its job nobody would generate it, so the caller hears of it and it is failed. */
  private async enqueueOrFail(reportId: string): Promise<void> {
    try {
      await this.enqueue(reportId);
    } catch (error) {
      this.logger.write('error', 'report job not queued', { reportId, err: serializeError(error) });
      await this.dataSource.query(
        `UPDATE funding.report SET status = 'failed', finished_at = now(), error = 'could not be queued'
         WHERE id = $1`,
        [reportId],
      );
      throw standardProblem('service-unavailable');
    }
  }

  private async load(id: string): Promise<ReportRow> {
    const [row] = await this.dataSource.query<ReportRow[]>(
      `SELECT ${REPORT_COLUMNS} FROM funding.report r WHERE r.id = $1`,
      [id],
    );
    if (!row) throw ReportProblems.notFound(id);
    return row;
  }

  /**
   * The budget years a report covers: those asked for, else the funding periods of the programmes it is about (the
   * current year when there is none). An unknown programme is refused.
   */
  private async yearsOf(
    manager: EntityManager,
    parameters: FundingReportParametersDto,
  ): Promise<{ from: number; to: number }> {
    const [span] = await manager.query<{ first: number | null; last: number | null; programmes: string }[]>(
      `SELECT min(first_year) AS first, max(last_year) AS last, count(*) AS programmes
       FROM funding.programme WHERE $1::text IS NULL OR code = $1`,
      [parameters.programmeCode],
    );
    if (parameters.programmeCode && Number(span?.programmes ?? 0) === 0)
      throw ReportProblems.unknownProgramme(parameters.programmeCode);
    const thisYear = new Date().getUTCFullYear();
    let from = parameters.fromYear ?? span?.first ?? thisYear;
    let to = parameters.toYear ?? span?.last ?? thisYear;
    if (parameters.fromYear === null && from > to) from = to;
    if (parameters.toYear === null && to < from) to = from;
    return { from, to };
  }

  private async insert(
    manager: EntityManager,
    kind: FundingReportContent,
    trigger: 'monthly' | 'on-demand',
    parameters: FundingReportParametersDto,
    years: { from: number; to: number },
    createdBy: string | null,
  ): Promise<ReportRow | undefined> {
    const [row] = await manager.query<ReportRow[]>(
      `INSERT INTO funding.report AS r (id, kind, trigger, format, parameters, from_year, to_year, status, created_by,
         created_at)
       VALUES ($1, $2, $3, 'csv', $4, $5, $6, 'queued', $7, now())
       ON CONFLICT (kind, (parameters ->> 'month')) WHERE trigger = 'monthly' DO NOTHING
       RETURNING ${REPORT_COLUMNS}`,
      [randomUUID(), kind, trigger, JSON.stringify(parameters), years.from, years.to, createdBy],
    );
    return row;
  }
}
