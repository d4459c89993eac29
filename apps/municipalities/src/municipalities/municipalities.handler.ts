import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ImportMunicipalitiesCommand,
  ListMunicipalitiesRequest,
  MUNICIPALITIES_RPC,
  MunicipalityIdRequest,
  RegisterMunicipalityCommand,
  UpdateMunicipalityCommand,
  validateCommand,
  type ImportReportDto,
  type MunicipalityDto,
  type Page,
} from '@wandelwerk/contracts';
import { ImportMunicipalitiesUseCase } from './import/import-municipalities.use-case.js';
import { MunicipalityQueries } from './list-municipalities.query.js';
import { MunicipalityRegistryService } from './municipality-registry.service.js';

/** The registry's requests from the gateway; every payload is validated here again (class-validator at every edge). */
@Controller()
export class MunicipalitiesHandler {
  constructor(
    private readonly registry: MunicipalityRegistryService,
    private readonly queries: MunicipalityQueries,
    private readonly importer: ImportMunicipalitiesUseCase,
  ) {}

  @MessagePattern(MUNICIPALITIES_RPC.register)
  register(@Payload() payload: unknown): Promise<MunicipalityDto> {
    const command = validateCommand(RegisterMunicipalityCommand, payload);
    return this.registry.register(command.actor, command.data);
  }

  @MessagePattern(MUNICIPALITIES_RPC.update)
  update(@Payload() payload: unknown): Promise<MunicipalityDto> {
    const command = validateCommand(UpdateMunicipalityCommand, payload);
    return this.registry.update(command.actor, command.id, command.data);
  }

  @MessagePattern(MUNICIPALITIES_RPC.get)
  get(@Payload() payload: unknown): Promise<MunicipalityDto> {
    return this.queries.get(validateCommand(MunicipalityIdRequest, payload).id);
  }

  @MessagePattern(MUNICIPALITIES_RPC.list)
  list(@Payload() payload: unknown): Promise<Page<MunicipalityDto>> {
    return this.queries.list(validateCommand(ListMunicipalitiesRequest, payload).query);
  }

  @MessagePattern(MUNICIPALITIES_RPC.import)
  import(@Payload() payload: unknown): Promise<ImportReportDto> {
    const command = validateCommand(ImportMunicipalitiesCommand, payload);
    return this.importer.execute(command.actor, command.csv);
  }
}
