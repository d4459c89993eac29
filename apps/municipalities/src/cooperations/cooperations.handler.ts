import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateCooperationCommand,
  JoinCooperationCommand,
  LeaveCooperationCommand,
  ListCooperationsRequest,
  MUNICIPALITIES_RPC,
  MunicipalityIdRequest,
  validateCommand,
  type CooperationDto,
  type Page,
} from '@wandelwerk/contracts';
import { CooperationsService } from './cooperations.service.js';

@Controller()
export class CooperationsHandler {
  constructor(private readonly cooperations: CooperationsService) {}

  @MessagePattern(MUNICIPALITIES_RPC.createCooperation)
  create(@Payload() payload: unknown): Promise<CooperationDto> {
    const command = validateCommand(CreateCooperationCommand, payload);
    return this.cooperations.create(command.actor, command.data);
  }

  @MessagePattern(MUNICIPALITIES_RPC.listCooperations)
  list(@Payload() payload: unknown): Promise<Page<CooperationDto>> {
    return this.cooperations.list(validateCommand(ListCooperationsRequest, payload).query);
  }

  @MessagePattern(MUNICIPALITIES_RPC.getCooperation)
  get(@Payload() payload: unknown): Promise<CooperationDto> {
    return this.cooperations.get(validateCommand(MunicipalityIdRequest, payload).id);
  }

  @MessagePattern(MUNICIPALITIES_RPC.joinCooperation)
  join(@Payload() payload: unknown): Promise<CooperationDto> {
    const command = validateCommand(JoinCooperationCommand, payload);
    return this.cooperations.join(command.actor, command.cooperationId, command.data);
  }

  @MessagePattern(MUNICIPALITIES_RPC.leaveCooperation)
  leave(@Payload() payload: unknown): Promise<CooperationDto> {
    const command = validateCommand(LeaveCooperationCommand, payload);
    return this.cooperations.leave(command.actor, command.cooperationId, command.data);
  }
}
