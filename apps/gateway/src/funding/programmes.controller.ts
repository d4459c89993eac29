import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AmendBudgetDto,
  BudgetAmendmentDto,
  BudgetLedgerDto,
  CreateProgrammeDto,
  FUNDING_RPC,
  ListProgrammesQueryDto,
  ProgrammeDto,
  UpdateProgrammeDto,
  type ActorDto,
  type Page,
} from '@wandelwerk/contracts';
import { RpcClient } from '@wandelwerk/messaging';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiPageResponse, ApiProblemResponses, Idempotent, UuidParam } from '../http/index.js';

/** Funding programmes and their budgets; the funding service does the work (and checks the roles again). */
@ApiTags('funding')
@Controller('api/v1/funding/programmes')
export class ProgrammesController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @Roles('admin', 'funding_officer', 'program_manager', 'municipality')
  @ApiOperation({ summary: 'Förderprogramme auflisten / list funding programmes' })
  @ApiPageResponse(ProgrammeDto)
  list(@CurrentActor() actor: ActorDto, @Query() query: ListProgrammesQueryDto): Promise<Page<ProgrammeDto>> {
    return this.rpc.request(FUNDING_RPC.listProgrammes, { actor, query });
  }

  @Post()
  @Roles('admin')
  @Idempotent()
  @ApiOperation({ summary: 'Förderprogramm anlegen / create a funding programme (published as an event)' })
  @ApiCreatedResponse({ type: ProgrammeDto })
  @ApiProblemResponses(403, 409, 422)
  create(@CurrentActor() actor: ActorDto, @Body() data: CreateProgrammeDto): Promise<ProgrammeDto> {
    return this.rpc.request(FUNDING_RPC.createProgramme, { actor, data });
  }

  @Get(':id')
  @Roles('admin', 'funding_officer', 'program_manager', 'municipality')
  @ApiOperation({ summary: 'Ein Förderprogramm / one funding programme' })
  @ApiOkResponse({ type: ProgrammeDto })
  @ApiProblemResponses(404)
  get(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<ProgrammeDto> {
    return this.rpc.request(FUNDING_RPC.getProgramme, { actor, id });
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Förderprogramm ändern / change a funding programme (the code stays)' })
  @ApiOkResponse({ type: ProgrammeDto })
  @ApiProblemResponses(403, 404, 422)
  update(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: UpdateProgrammeDto,
  ): Promise<ProgrammeDto> {
    return this.rpc.request(FUNDING_RPC.updateProgramme, { actor, id, data });
  }

  @Get(':id/budget')
  @Roles('admin', 'funding_officer')
  @ApiOperation({
    summary: 'Haushaltsübersicht / the ledger: planned, reserved, disbursed, available per year',
  })
  @ApiOkResponse({ type: BudgetLedgerDto })
  @ApiProblemResponses(403, 404)
  budget(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<BudgetLedgerDto> {
    return this.rpc.request(FUNDING_RPC.budget, { actor, id });
  }

  @Get(':id/budget/amendments')
  @Roles('admin', 'funding_officer')
  @ApiOperation({ summary: 'Budgetänderungen / every amendment: who, when, why' })
  @ApiOkResponse({ type: [BudgetAmendmentDto] })
  @ApiProblemResponses(403, 404)
  amendments(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<BudgetAmendmentDto[]> {
    return this.rpc.request(FUNDING_RPC.budgetAmendments, { actor, id });
  }

  @Post(':id/budget/amendments')
  @Roles('admin')
  @Idempotent()
  @ApiOperation({
    summary:
      'Budget ändern / raise, cut or move money between years (a cut below what is reserved answers 409)',
  })
  @ApiCreatedResponse({ type: BudgetAmendmentDto })
  @ApiProblemResponses(403, 404, 409, 422)
  amend(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: AmendBudgetDto,
  ): Promise<BudgetAmendmentDto> {
    return this.rpc.request(FUNDING_RPC.amendBudget, { actor, id, data });
  }
}
