import type {
  IndicatorFigureDto,
  MilestoneDto,
  ReportKind,
  ReportObligationDto,
} from '@wandelwerk/contracts';

export interface MilestoneRow {
  id: string;
  proposal_id: string;
  title: string;
  description: string;
  due_date: string;
  created_at: Date;
  updated_at: Date;
}

export interface ReportObligationRow {
  id: string;
  proposal_id: string;
  kind: ReportKind;
  title: string;
  due_date: string;
  period_start: string;
  period_end: string;
  due_soon_at: Date;
  overdue_at: Date;
  reminded_at: Date | null;
  overdue_notified_at: Date | null;
  filed_at: Date | null;
  filed_by_user_id: string | null;
  summary: string | null;
  figures: IndicatorFigureDto[];
  spent_to_date_cents: string | null;
  late: boolean | null;
  created_at: Date;
}

/** Dates as `YYYY-MM-DD` text (no time zone shift by the driver). */
export const MILESTONE_COLUMNS = `id, proposal_id, title, description, to_char(due_date, 'YYYY-MM-DD') AS due_date,
  created_at, updated_at`;

export const REPORT_COLUMNS = `id, proposal_id, kind, title, to_char(due_date, 'YYYY-MM-DD') AS due_date,
  to_char(period_start, 'YYYY-MM-DD') AS period_start, to_char(period_end, 'YYYY-MM-DD') AS period_end,
  due_soon_at, overdue_at, reminded_at, overdue_notified_at, filed_at, filed_by_user_id, summary, figures,
  spent_to_date_cents, late, created_at`;

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

export function toMilestoneDto(row: MilestoneRow): MilestoneDto {
  return {
    id: row.id,
    proposalId: row.proposal_id,
    title: row.title,
    description: row.description,
    dueDate: row.due_date,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toReportDto(row: ReportObligationRow): ReportObligationDto {
  return {
    id: row.id,
    proposalId: row.proposal_id,
    kind: row.kind,
    title: row.title,
    dueDate: row.due_date,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    status: row.filed_at ? 'filed' : 'open',
    dueSoonAt: row.due_soon_at.toISOString(),
    overdueAt: row.overdue_at.toISOString(),
    remindedAt: iso(row.reminded_at),
    overdueNotifiedAt: iso(row.overdue_notified_at),
    filedAt: iso(row.filed_at),
    filedByUserId: row.filed_by_user_id,
    summary: row.summary,
    figures: row.figures,
    spentToDateCents: row.spent_to_date_cents === null ? null : Number(row.spent_to_date_cents),
    late: row.late,
    createdAt: row.created_at.toISOString(),
  };
}
