import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateProgrammeCommand,
  FUNDING_RPC,
  FundingIdRequest,
  ListProgrammesRequest,
  UpdateProgrammeCommand,
  validateCommand,
  type Page,
  type ProgrammeDto,
} from '@wandelwerk/contracts';
import { ProgrammesService } from './programmes.service.js';

/** The gateway's requests about programmes; every payload is validated here again. */
@Controller()
export class ProgrammesHandler {
  constructor(private readonly programmes: ProgrammesService) {}

  @MessagePattern(FUNDING_RPC.createProgramme)
  create(@Payload() payload: unknown): Promise<ProgrammeDto> {
    const { actor, data } = validateCommand(CreateProgrammeCommand, payload);
    return this.programmes.create(actor, data);
  }

  @MessagePattern(FUNDING_RPC.updateProgramme)
  update(@Payload() payload: unknown): Promise<ProgrammeDto> {
    const { actor, id, data } = validateCommand(UpdateProgrammeCommand, payload);
    return this.programmes.update(actor, id, data);
  }

  @MessagePattern(FUNDING_RPC.getProgramme)
  get(@Payload() payload: unknown): Promise<ProgrammeDto> {
    return this.programmes.get(validateCommand(FundingIdRequest, payload).id);
  }

  @MessagePattern(FUNDING_RPC.listProgrammes)
  list(@Payload() payload: unknown): Promise<Page<ProgrammeDto>> {
    return this.programmes.list(validateCommand(ListProgrammesRequest, payload).query);
  }
}
