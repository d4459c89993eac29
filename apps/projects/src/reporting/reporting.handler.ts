import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  FileReportCommand,
  ProposalIdRequest,
  REPORTING_RPC,
  RescheduleMilestoneCommand,
  RescheduleReportCommand,
  ScheduleMilestoneCommand,
  ScheduleReportCommand,
  validateCommand,
  type MilestoneDto,
  type ReportObligationDto,
} from '@wandelwerk/contracts';
import { FileReportUseCase } from './file-report.use-case.js';
import { ReportingQueries } from './list-reporting.query.js';
import { RescheduleMilestoneUseCase } from './reschedule-milestone.use-case.js';
import { RescheduleReportUseCase } from './reschedule-report.use-case.js';
import { ScheduleMilestoneUseCase } from './schedule-milestone.use-case.js';
import { ScheduleReportUseCase } from './schedule-report.use-case.js';

/** The gateway's requests about milestones and reports; every payload is validated here again. */
@Controller()
export class ReportingHandler {
  constructor(
    private readonly scheduleMilestoneUseCase: ScheduleMilestoneUseCase,
    private readonly rescheduleMilestoneUseCase: RescheduleMilestoneUseCase,
    private readonly scheduleReportUseCase: ScheduleReportUseCase,
    private readonly rescheduleReportUseCase: RescheduleReportUseCase,
    private readonly fileReportUseCase: FileReportUseCase,
    private readonly queries: ReportingQueries,
  ) {}

  @MessagePattern(REPORTING_RPC.scheduleMilestone)
  scheduleMilestone(@Payload() payload: unknown): Promise<MilestoneDto> {
    const { actor, id, data } = validateCommand(ScheduleMilestoneCommand, payload);
    return this.scheduleMilestoneUseCase.execute(actor, id, data);
  }

  @MessagePattern(REPORTING_RPC.listMilestones)
  listMilestones(@Payload() payload: unknown): Promise<MilestoneDto[]> {
    const { actor, id } = validateCommand(ProposalIdRequest, payload);
    return this.queries.milestones(actor, id);
  }

  @MessagePattern(REPORTING_RPC.rescheduleMilestone)
  rescheduleMilestone(@Payload() payload: unknown): Promise<MilestoneDto> {
    const { actor, id, itemId, data } = validateCommand(RescheduleMilestoneCommand, payload);
    return this.rescheduleMilestoneUseCase.execute(actor, id, itemId, data.dueDate);
  }

  @MessagePattern(REPORTING_RPC.scheduleReport)
  scheduleReport(@Payload() payload: unknown): Promise<ReportObligationDto> {
    const { actor, id, data } = validateCommand(ScheduleReportCommand, payload);
    return this.scheduleReportUseCase.execute(actor, id, data);
  }

  @MessagePattern(REPORTING_RPC.listReports)
  listReports(@Payload() payload: unknown): Promise<ReportObligationDto[]> {
    const { actor, id } = validateCommand(ProposalIdRequest, payload);
    return this.queries.reports(actor, id);
  }

  @MessagePattern(REPORTING_RPC.rescheduleReport)
  rescheduleReport(@Payload() payload: unknown): Promise<ReportObligationDto> {
    const { actor, id, itemId, data } = validateCommand(RescheduleReportCommand, payload);
    return this.rescheduleReportUseCase.execute(actor, id, itemId, data.dueDate);
  }

  @MessagePattern(REPORTING_RPC.fileReport)
  fileReport(@Payload() payload: unknown): Promise<ReportObligationDto> {
    const { actor, id, itemId, data } = validateCommand(FileReportCommand, payload);
    return this.fileReportUseCase.execute(actor, id, itemId, data);
  }
}
