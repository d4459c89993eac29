import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ChangeDueDateDto,
  FileReportDto,
  MilestoneDto,
  REPORTING_RPC,
  ReportObligationDto,
  ScheduleMilestoneDto,
  ScheduleReportDto,
  type ActorDto,
} from '@wandelwerk/contracts';
import { RpcClient } from '@wandelwerk/messaging';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiProblemResponses, Idempotent, UuidParam } from '../http/index.js';

/** Everyone signed in reads; the projects service narrows each read to the proposals the caller may see (404). */
const READERS = ['admin', 'program_manager', 'funding_officer', 'municipality'] as const;

/**
 * Milestones and reporting obligations of approved projects; the projects service does the work. Funding officers
 * schedule, the program manager who owns the project files its reports.
 */
@ApiTags('projects')
@Controller('api/v1/projects/:id')
export class ReportingController {
  constructor(private readonly rpc: RpcClient) {}

  @Get('milestones')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Meilensteine / the milestones of a project, by due date' })
  @ApiOkResponse({ type: [MilestoneDto] })
  @ApiProblemResponses(404)
  milestones(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<MilestoneDto[]> {
    return this.rpc.request(REPORTING_RPC.listMilestones, { actor, id });
  }

  @Post('milestones')
  @Roles('funding_officer')
  @Idempotent()
  @ApiOperation({ summary: 'Meilenstein festlegen / schedule a milestone (funding officer)' })
  @ApiCreatedResponse({ type: MilestoneDto })
  @ApiProblemResponses(403, 404, 409)
  scheduleMilestone(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: ScheduleMilestoneDto,
  ): Promise<MilestoneDto> {
    return this.rpc.request(REPORTING_RPC.scheduleMilestone, { actor, id, data });
  }

  @Patch('milestones/:milestoneId')
  @Roles('funding_officer')
  @ApiOperation({ summary: 'Meilenstein verschieben / change the due date of a milestone' })
  @ApiOkResponse({ type: MilestoneDto })
  @ApiProblemResponses(403, 404, 409)
  rescheduleMilestone(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @UuidParam('milestoneId') itemId: string,
    @Body() data: ChangeDueDateDto,
  ): Promise<MilestoneDto> {
    return this.rpc.request(REPORTING_RPC.rescheduleMilestone, { actor, id, itemId, data });
  }

  @Get('reports')
  @Roles(...READERS)
  @ApiOperation({ summary: 'Berichtspflichten / the reporting obligations of a project, by due date' })
  @ApiOkResponse({ type: [ReportObligationDto] })
  @ApiProblemResponses(404)
  reports(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<ReportObligationDto[]> {
    return this.rpc.request(REPORTING_RPC.listReports, { actor, id });
  }

  @Post('reports')
  @Roles('funding_officer')
  @Idempotent()
  @ApiOperation({
    summary:
      'Berichtspflicht festlegen / schedule a reporting obligation (funding officer); reminders follow',
  })
  @ApiCreatedResponse({ type: ReportObligationDto })
  @ApiProblemResponses(403, 404, 409, 422)
  scheduleReport(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: ScheduleReportDto,
  ): Promise<ReportObligationDto> {
    return this.rpc.request(REPORTING_RPC.scheduleReport, { actor, id, data });
  }

  @Patch('reports/:reportId')
  @Roles('funding_officer')
  @ApiOperation({ summary: 'Fälligkeit ändern / change the due date; the reminders move with it' })
  @ApiOkResponse({ type: ReportObligationDto })
  @ApiProblemResponses(403, 404, 409)
  rescheduleReport(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @UuidParam('reportId') itemId: string,
    @Body() data: ChangeDueDateDto,
  ): Promise<ReportObligationDto> {
    return this.rpc.request(REPORTING_RPC.rescheduleReport, { actor, id, itemId, data });
  }

  @Post('reports/:reportId/file')
  @Roles('program_manager')
  @Idempotent()
  @HttpCode(201)
  @ApiOperation({ summary: 'Bericht einreichen / file the report (the owner); 409 when filed before' })
  @ApiCreatedResponse({ type: ReportObligationDto })
  @ApiProblemResponses(403, 404, 409)
  fileReport(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @UuidParam('reportId') itemId: string,
    @Body() data: FileReportDto,
  ): Promise<ReportObligationDto> {
    return this.rpc.request(REPORTING_RPC.fileReport, { actor, id, itemId, data });
  }
}
