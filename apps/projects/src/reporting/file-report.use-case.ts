import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ReportFiledEvent,
  type ActorDto,
  type FileReportDto,
  type ReportObligationDto,
} from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { DataSource } from 'typeorm';
import { refOf } from '../proposals/proposal.record.js';
import { ProposalsService } from '../proposals/proposals.service.js';
import { ReminderClock } from './reminder-clock.js';
import { ReportReminders } from './report-reminders.service.js';
import { proposalIn, REPORTABLE, requireOwner } from './reporting-access.js';
import { ReportingProblems } from './reporting.problems.js';
import { REPORT_COLUMNS, toReportDto, type ReportObligationRow } from './reporting.record.js';

/** The program manager (owner) files a report; once only (409 after). Its reminder jobs are cancelled. */
@Injectable()
export class FileReportUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly proposals: ProposalsService,
    private readonly outbox: OutboxPublisher,
    private readonly reminders: ReportReminders,
    private readonly clock: ReminderClock,
  ) {}

  async execute(
    actor: ActorDto,
    proposalId: string,
    reportId: string,
    input: FileReportDto,
  ): Promise<ReportObligationDto> {
    const report = await this.dataSource.transaction(async (manager) => {
      const proposal = await proposalIn(
        manager,
        this.proposals,
        actor,
        proposalId,
        REPORTABLE,
        requireOwner,
        ReportingProblems.notReportable,
      );
      const [current] = await manager.query<ReportObligationRow[]>(
        `SELECT ${REPORT_COLUMNS} FROM projects.report_obligation WHERE id = $1 AND proposal_id = $2 FOR UPDATE`,
        [reportId, proposalId],
      );
      if (!current) throw ReportingProblems.reportNotFound(reportId);
      if (current.filed_at) throw ReportingProblems.alreadyFiled(current.filed_at.toISOString());
      const now = this.clock.now();
      const late = now >= current.overdue_at;
      const spent = input.spentToDateCents ?? 0;
      const [rows] = await manager.query<[ReportObligationRow[], number]>(
        `UPDATE projects.report_obligation SET filed_at = $2, filed_by_user_id = $3, summary = $4, figures = $5,
           spent_to_date_cents = $6, late = $7, updated_at = now()
         WHERE id = $1 AND filed_at IS NULL RETURNING ${REPORT_COLUMNS}`,
        [reportId, now, actor.userId, input.summary, JSON.stringify(input.figures ?? []), spent, late],
      );
      const filed = toReportDto(rows[0]);
      await this.outbox.publish(manager, {
        type: ReportFiledEvent.type,
        subject: filed.id,
        data: {
          proposal: refOf(proposal),
          kind: filed.kind,
          dueDate: filed.dueDate,
          filedByUserId: actor.userId,
          late,
          spentToDateCents: spent,
        },
      });
      return filed;
    });
    await this.reminders.cancel(report.id);
    return report;
  }
}
