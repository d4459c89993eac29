import { oncePerRequest } from '@wandelwerk/platform';
import { PROJECTS_SCHEMA } from '../infrastructure/persistence/schema.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ReportScheduledEvent,
  type ActorDto,
  type ReportObligationDto,
  type ScheduleReportDto,
} from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { refOf } from '../proposals/proposal.record.js';
import { ProposalsService } from '../proposals/proposals.service.js';
import { ReportReminders } from './report-reminders.service.js';
import { proposalIn, requireOfficer, SCHEDULABLE } from './reporting-access.js';
import { ReportingProblems } from './reporting.problems.js';
import { REPORT_COLUMNS, toReportDto, type ReportObligationRow } from './reporting.record.js';

/**
 * A funding officer sets a reporting obligation (Zwischen- or Verwendungsnachweis) of an approved project. After the
 * commit its reminders are scheduled as BullMQ delayed jobs.
 */
@Injectable()
export class ScheduleReportUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly proposals: ProposalsService,
    private readonly outbox: OutboxPublisher,
    private readonly reminders: ReportReminders,
  ) {}

  async execute(actor: ActorDto, proposalId: string, input: ScheduleReportDto): Promise<ReportObligationDto> {
    const report = await this.dataSource.transaction((manager) =>
      oncePerRequest(manager, PROJECTS_SCHEMA, 'report.schedule', async () => {
        const proposal = await proposalIn(
          manager,
          this.proposals,
          actor,
          proposalId,
          SCHEDULABLE,
          requireOfficer,
        );
        const periodStart = input.periodStart ?? proposal.plannedStart;
        const periodEnd = input.periodEnd ?? (input.kind === 'final' ? proposal.plannedEnd : input.dueDate);
        if (periodEnd < periodStart) throw ReportingProblems.invalidPeriod();
        const [row] = await manager.query<ReportObligationRow[]>(
          `INSERT INTO projects.report_obligation (id, proposal_id, kind, title, due_date, period_start, period_end,
           due_soon_at, overdue_at, created_by_user_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${REPORT_COLUMNS}`,
          [
            randomUUID(),
            proposalId,
            input.kind,
            input.title,
            input.dueDate,
            periodStart,
            periodEnd,
            this.reminders.fireAt('due-soon', input.dueDate),
            this.reminders.fireAt('overdue', input.dueDate),
            actor.userId,
          ],
        );
        const created = toReportDto(row);
        await this.outbox.publish(manager, {
          type: ReportScheduledEvent.type,
          subject: created.id,
          data: {
            proposal: refOf(proposal),
            kind: created.kind,
            dueDate: created.dueDate,
            periodStart: created.periodStart,
            periodEnd: created.periodEnd,
          },
        });
        return created;
      }),
    );
    await this.reminders.schedule(report.id, report.dueDate);
    return report;
  }
}
