import type {
  FundingReportContent,
  FundingReportDto,
  FundingReportFormat,
  FundingReportParametersDto,
  FundingReportStatus,
  FundingReportTrigger,
} from '@wandelwerk/contracts';

export interface ReportRow {
  id: string;
  kind: FundingReportContent;
  trigger: FundingReportTrigger;
  format: FundingReportFormat;
  parameters: FundingReportParametersDto;
  from_year: number;
  to_year: number;
  status: FundingReportStatus;
  progress: number;
  row_count: string;
  byte_size: string | null;
  sha256: string | null;
  file_name: string | null;
  created_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  attempts: number;
  error: string | null;
}

export const REPORT_COLUMNS = `r.id, r.kind, r.trigger, r.format, r.parameters, r.from_year, r.to_year, r.status,
  r.progress, r.row_count, r.byte_size, r.sha256, r.file_name, r.created_by, r.created_at, r.started_at,
  r.finished_at, r.attempts, r.error`;

/** BullMQ job ids may not contain ':'; one job per report, so adding it twice keeps one. */
export const reportJobId = (reportId: string): string => `report-${reportId}`;

export const downloadPathOf = (reportId: string): string => `/api/v1/funding/reports/${reportId}/download`;

export function toReportDto(row: ReportRow): FundingReportDto {
  return {
    id: row.id,
    jobId: reportJobId(row.id),
    kind: row.kind,
    trigger: row.trigger,
    format: row.format,
    parameters: row.parameters,
    periodStart: `${row.from_year}-01-01`,
    periodEnd: `${row.to_year}-12-31`,
    status: row.status,
    progress: row.progress,
    rowCount: Number(row.row_count),
    byteSize: row.byte_size === null ? null : Number(row.byte_size),
    sha256: row.sha256,
    fileName: row.file_name,
    downloadUrl: row.status === 'done' ? downloadPathOf(row.id) : null,
    createdByUserId: row.created_by,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
    attempts: row.attempts,
    error: row.error,
  };
}

/** What the downloaded file is called: `wandelwerk-<kind>[-<programme>]-<date>.csv`. */
export function fileNameOf(kind: FundingReportContent, programmeCode: string | null, at: Date): string {
  const day = at.toISOString().slice(0, 10);
  return `wandelwerk-${kind}${programmeCode ? `-${programmeCode.toLowerCase()}` : ''}-${day}.csv`;
}
