import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ROLES,
  CooperationDto,
  CreateCooperationDto,
  JoinCooperationDto,
  LeaveCooperationDto,
  ListCooperationsQueryDto,
  MUNICIPALITIES_RPC,
  type ActorDto,
  type Page,
} from '@wandelwerk/contracts';
import { RpcClient } from '@wandelwerk/messaging';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiPageResponse, ApiProblemResponses, Idempotent, UuidParam } from '../http/index.js';

@ApiTags('cooperations')
@Controller('api/v1/cooperations')
export class CooperationsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @Roles(...ROLES)
  @ApiOperation({ summary: 'Kooperationen mit ihren Mitgliedschaften / cooperations with their memberships' })
  @ApiPageResponse(CooperationDto)
  list(@Query() query: ListCooperationsQueryDto): Promise<Page<CooperationDto>> {
    return this.rpc.request(MUNICIPALITIES_RPC.listCooperations, { query });
  }

  @Post()
  @Roles('admin')
  @Idempotent()
  @ApiOperation({ summary: 'Kooperation gründen / found a cooperation' })
  @ApiCreatedResponse({ type: CooperationDto })
  @ApiProblemResponses(409, 422)
  create(@CurrentActor() actor: ActorDto, @Body() data: CreateCooperationDto): Promise<CooperationDto> {
    return this.rpc.request(MUNICIPALITIES_RPC.createCooperation, { actor, data });
  }

  @Get(':id')
  @Roles(...ROLES)
  @ApiOperation({ summary: 'Eine Kooperation / one cooperation' })
  @ApiOkResponse({ type: CooperationDto })
  @ApiProblemResponses(404)
  get(@UuidParam() id: string): Promise<CooperationDto> {
    return this.rpc.request(MUNICIPALITIES_RPC.getCooperation, { id });
  }

  @Post(':id/members')
  @Roles('admin')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Kommune tritt bei / a municipality joins' })
  @ApiOkResponse({ type: CooperationDto })
  @ApiProblemResponses(404, 409)
  join(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: JoinCooperationDto,
  ): Promise<CooperationDto> {
    return this.rpc.request(MUNICIPALITIES_RPC.joinCooperation, { actor, cooperationId: id, data });
  }

  @Post(':id/members/leave')
  @Roles('admin')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Kommune tritt aus (mit letztem Tag) / a municipality leaves (with its last day)',
  })
  @ApiOkResponse({ type: CooperationDto })
  @ApiProblemResponses(404, 409, 422)
  leave(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: LeaveCooperationDto,
  ): Promise<CooperationDto> {
    return this.rpc.request(MUNICIPALITIES_RPC.leaveCooperation, { actor, cooperationId: id, data });
  }
}
