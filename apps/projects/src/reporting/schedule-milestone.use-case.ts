import { oncePerRequest } from '@wandelwerk/platform';
import { PROJECTS_SCHEMA } from '../infrastructure/persistence/schema.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  MilestoneScheduledEvent,
  type ActorDto,
  type MilestoneDto,
  type ScheduleMilestoneDto,
} from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { refOf } from '../proposals/proposal.record.js';
import { ProposalsService } from '../proposals/proposals.service.js';
import { proposalIn, requireOfficer, SCHEDULABLE } from './reporting-access.js';
import { MILESTONE_COLUMNS, toMilestoneDto, type MilestoneRow } from './reporting.record.js';

/** A funding officer adds a milestone to an approved project's schedule. */
@Injectable()
export class ScheduleMilestoneUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly proposals: ProposalsService,
    private readonly outbox: OutboxPublisher,
  ) {}

  execute(actor: ActorDto, proposalId: string, input: ScheduleMilestoneDto): Promise<MilestoneDto> {
    return this.dataSource.transaction((manager) =>
      oncePerRequest(manager, PROJECTS_SCHEMA, 'milestone.schedule', async () => {
        const proposal = await proposalIn(
          manager,
          this.proposals,
          actor,
          proposalId,
          SCHEDULABLE,
          requireOfficer,
        );
        const [row] = await manager.query<MilestoneRow[]>(
          `INSERT INTO projects.milestone (id, proposal_id, title, description, due_date, created_by_user_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${MILESTONE_COLUMNS}`,
          [randomUUID(), proposalId, input.title, input.description ?? '', input.dueDate, actor.userId],
        );
        const milestone = toMilestoneDto(row);
        await this.outbox.publish(manager, {
          type: MilestoneScheduledEvent.type,
          subject: milestone.id,
          data: { proposal: refOf(proposal), title: milestone.title, dueDate: milestone.dueDate },
        });
        return milestone;
      }),
    );
  }
}
