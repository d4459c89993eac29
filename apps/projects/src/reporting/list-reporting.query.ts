import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ActorDto, MilestoneDto, ReportObligationDto } from '@wandelwerk/contracts';
import { DataSource } from 'typeorm';
import { ProposalsService } from '../proposals/proposals.service.js';
import {
  MILESTONE_COLUMNS,
  REPORT_COLUMNS,
  toMilestoneDto,
  toReportDto,
  type MilestoneRow,
  type ReportObligationRow,
} from './reporting.record.js';

/**
 * The schedule of a project: milestones and reporting obligations by due date (404 for an unknown proposal and for
 * one the actor may not see).
 */
@Injectable()
export class ReportingQueries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly proposals: ProposalsService,
  ) {}

  async milestones(actor: ActorDto, proposalId: string): Promise<MilestoneDto[]> {
    await this.proposals.loadFor(this.dataSource.manager, proposalId, actor);
    const rows = await this.dataSource.query<MilestoneRow[]>(
      `SELECT ${MILESTONE_COLUMNS} FROM projects.milestone WHERE proposal_id = $1 ORDER BY due_date, id`,
      [proposalId],
    );
    return rows.map(toMilestoneDto);
  }

  async reports(actor: ActorDto, proposalId: string): Promise<ReportObligationDto[]> {
    await this.proposals.loadFor(this.dataSource.manager, proposalId, actor);
    const rows = await this.dataSource.query<ReportObligationRow[]>(
      `SELECT ${REPORT_COLUMNS} FROM projects.report_obligation WHERE proposal_id = $1 ORDER BY due_date, id`,
      [proposalId],
    );
    return rows.map(toReportDto);
  }
}
