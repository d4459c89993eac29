import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ReportScheduledEvent, type ActorDto, type ReportObligationDto } from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { DataSource } from 'typeorm';
import { refOf } from '../proposals/proposal.record.js';
import { ProposalsService } from '../proposals/proposals.service.js';
import { ReportReminders } from './report-reminders.service.js';
import { proposalIn, REPORTABLE, requireOfficer } from './reporting-access.js';
import { ReportingProblems } from './reporting.problems.js';
import { REPORT_COLUMNS, toReportDto, type ReportObligationRow } from './reporting.record.js';

/**
 * A funding officer moves the due date of an open obligation: `projects.report.scheduled.v1` goes out again with the
 * new date, and after the commit both reminder jobs are replaced (same ids, new delays). Reminders already sent stay
 * sent: one due-soon and one overdue event per obligation at most.
 */
@Injectable()
export class RescheduleReportUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly proposals: ProposalsService,
    private readonly outbox: OutboxPublisher,
    private readonly reminders: ReportReminders,
  ) {}

  async execute(
    actor: ActorDto,
    proposalId: string,
    reportId: string,
    dueDate: string,
  ): Promise<ReportObligationDto> {
    const { report, moved } = await this.dataSource.transaction(async (manager) => {
      const proposal = await proposalIn(
        manager,
        this.proposals,
        actor,
        proposalId,
        REPORTABLE,
        requireOfficer,
      );
      const [current] = await manager.query<ReportObligationRow[]>(
        `SELECT ${REPORT_COLUMNS} FROM projects.report_obligation WHERE id = $1 AND proposal_id = $2 FOR UPDATE`,
        [reportId, proposalId],
      );
      if (!current) throw ReportingProblems.reportNotFound(reportId);
      if (current.filed_at) throw ReportingProblems.alreadyFiled(current.filed_at.toISOString());
      if (current.due_date === dueDate) return { report: toReportDto(current), moved: false };
      const [rows] = await manager.query<[ReportObligationRow[], number]>(
        `UPDATE projects.report_obligation SET due_date = $2, due_soon_at = $3, overdue_at = $4, updated_at = now()
         WHERE id = $1 RETURNING ${REPORT_COLUMNS}`,
        [
          reportId,
          dueDate,
          this.reminders.fireAt('due-soon', dueDate),
          this.reminders.fireAt('overdue', dueDate),
        ],
      );
      const updated = toReportDto(rows[0]);
      await this.outbox.publish(manager, {
        type: ReportScheduledEvent.type,
        subject: updated.id,
        data: {
          proposal: refOf(proposal),
          kind: updated.kind,
          dueDate: updated.dueDate,
          periodStart: updated.periodStart,
          periodEnd: updated.periodEnd,
        },
      });
      return { report: updated, moved: true };
    });
    if (moved) await this.reminders.schedule(report.id, report.dueDate);
    return report;
  }
}
