import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MilestoneScheduledEvent, type ActorDto, type MilestoneDto } from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { DataSource } from 'typeorm';
import { refOf } from '../proposals/proposal.record.js';
import { ProposalsService } from '../proposals/proposals.service.js';
import { proposalIn, requireOfficer, SCHEDULABLE } from './reporting-access.js';
import { ReportingProblems } from './reporting.problems.js';
import { MILESTONE_COLUMNS, toMilestoneDto, type MilestoneRow } from './reporting.record.js';

/** A funding officer moves a milestone; `projects.milestone.scheduled.v1` goes out again with the new date. */
@Injectable()
export class RescheduleMilestoneUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly proposals: ProposalsService,
    private readonly outbox: OutboxPublisher,
  ) {}

  execute(actor: ActorDto, proposalId: string, milestoneId: string, dueDate: string): Promise<MilestoneDto> {
    return this.dataSource.transaction(async (manager) => {
      const proposal = await proposalIn(
        manager,
        this.proposals,
        actor,
        proposalId,
        SCHEDULABLE,
        requireOfficer,
      );
      const [current] = await manager.query<MilestoneRow[]>(
        `SELECT ${MILESTONE_COLUMNS} FROM projects.milestone WHERE id = $1 AND proposal_id = $2 FOR UPDATE`,
        [milestoneId, proposalId],
      );
      if (!current) throw ReportingProblems.milestoneNotFound(milestoneId);
      if (current.due_date === dueDate) return toMilestoneDto(current);
      const [rows] = await manager.query<[MilestoneRow[], number]>(
        `UPDATE projects.milestone SET due_date = $2, updated_at = now() WHERE id = $1 RETURNING ${MILESTONE_COLUMNS}`,
        [milestoneId, dueDate],
      );
      const milestone = toMilestoneDto(rows[0]);
      await this.outbox.publish(manager, {
        type: MilestoneScheduledEvent.type,
        subject: milestone.id,
        data: { proposal: refOf(proposal), title: milestone.title, dueDate: milestone.dueDate },
      });
      return milestone;
    });
  }
}
