import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AllocationDecisionDto,
  AllocationDto,
  ApproveAllocationDto,
  CancelAllocationDto,
  CommitAllocationDto,
  DisbursementDto,
  DisbursementResultDto,
  DisburseDto,
  FUNDING_RPC,
  ListAllocationsQueryDto,
  RejectAllocationDto,
  type ActorDto,
  type Page,
} from '@wandelwerk/contracts';
import { RpcClient } from '@wandelwerk/messaging';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiPageResponse, ApiProblemResponses, Idempotent, UuidParam } from '../http/index.js';

/**
 * Allocations of programme money to endorsed proposals. Funding officers decide; administrators read. Program
 * managers and municipalities read only the allocations of their own proposals (the funding service scopes them).
 */
@ApiTags('funding')
@Controller('api/v1/funding/allocations')
export class AllocationsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @Roles('admin', 'funding_officer', 'program_manager', 'municipality')
  @ApiOperation({ summary: 'Mittelzuweisungen auflisten / list allocations' })
  @ApiPageResponse(AllocationDto)
  list(
    @CurrentActor() actor: ActorDto,
    @Query() query: ListAllocationsQueryDto,
  ): Promise<Page<AllocationDto>> {
    return this.rpc.request(FUNDING_RPC.listAllocations, { actor, query });
  }

  @Get(':id')
  @Roles('admin', 'funding_officer', 'program_manager', 'municipality')
  @ApiOperation({ summary: 'Eine Mittelzuweisung mit Jahren und Freigaben / one allocation' })
  @ApiOkResponse({ type: AllocationDto })
  @ApiProblemResponses(404)
  get(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<AllocationDto> {
    return this.rpc.request(FUNDING_RPC.getAllocation, { actor, id });
  }

  @Get(':id/decisions')
  @Roles('admin', 'funding_officer', 'program_manager', 'municipality')
  @ApiOperation({ summary: 'Entscheidungsprotokoll / every decision: who, when, why' })
  @ApiOkResponse({ type: [AllocationDecisionDto] })
  @ApiProblemResponses(404)
  decisions(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<AllocationDecisionDto[]> {
    return this.rpc.request(FUNDING_RPC.decisions, { actor, id });
  }

  @Get(':id/disbursements')
  @Roles('admin', 'funding_officer', 'program_manager', 'municipality')
  @ApiOperation({ summary: 'Auszahlungen / the tranches paid' })
  @ApiOkResponse({ type: [DisbursementDto] })
  @ApiProblemResponses(404)
  disbursements(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<DisbursementDto[]> {
    return this.rpc.request(FUNDING_RPC.disbursements, { actor, id });
  }

  @Post(':id/approve')
  @Roles('funding_officer')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Freigeben / approve (reserves the money; at or above the four-eyes threshold a second officer approves)',
  })
  @ApiOkResponse({ type: AllocationDto })
  @ApiProblemResponses(403, 404, 409)
  approve(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: ApproveAllocationDto,
  ): Promise<AllocationDto> {
    return this.rpc.request(FUNDING_RPC.approve, { actor, id, data });
  }

  @Post(':id/reject')
  @Roles('funding_officer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ablehnen / reject with a reason' })
  @ApiOkResponse({ type: AllocationDto })
  @ApiProblemResponses(403, 404, 409)
  reject(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: RejectAllocationDto,
  ): Promise<AllocationDto> {
    return this.rpc.request(FUNDING_RPC.reject, { actor, id, data });
  }

  @Post(':id/commit')
  @Roles('funding_officer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Bewilligungsbescheid erfassen / record the grant decision (date, reference number)',
  })
  @ApiOkResponse({ type: AllocationDto })
  @ApiProblemResponses(403, 404, 409)
  commit(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: CommitAllocationDto,
  ): Promise<AllocationDto> {
    return this.rpc.request(FUNDING_RPC.commit, { actor, id, data });
  }

  @Post(':id/cancel')
  @Roles('funding_officer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stornieren / cancel with a reason (releases what was reserved)' })
  @ApiOkResponse({ type: AllocationDto })
  @ApiProblemResponses(403, 404, 409)
  cancel(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: CancelAllocationDto,
  ): Promise<AllocationDto> {
    return this.rpc.request(FUNDING_RPC.cancel, { actor, id, data });
  }

  @Post(':id/disbursements')
  @Roles('funding_officer')
  @Idempotent()
  @ApiOperation({
    summary: 'Rate auszahlen / pay a tranche of one year (the last one closes the allocation)',
  })
  @ApiCreatedResponse({ type: DisbursementResultDto })
  @ApiProblemResponses(403, 404, 409, 422)
  disburse(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: DisburseDto,
  ): Promise<DisbursementResultDto> {
    return this.rpc.request(FUNDING_RPC.disburse, { actor, id, data });
  }
}
