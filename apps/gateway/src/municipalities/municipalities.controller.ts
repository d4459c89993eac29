import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ROLES,
  ImportReportDto,
  ListMunicipalitiesQueryDto,
  MUNICIPALITIES_RPC,
  MunicipalityDto,
  RegisterMunicipalityDto,
  UpdateMunicipalityDto,
  type ActorDto,
  type Page,
} from '@wandelwerk/contracts';
import { RpcClient } from '@wandelwerk/messaging';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { AcceptsCsv, ApiPageResponse, ApiProblemResponses, Idempotent, UuidParam } from '../http/index.js';
import { MunicipalityImportDto } from './municipality-import.dto.js';

@ApiTags('municipalities')
@Controller('api/v1/municipalities')
export class MunicipalitiesController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @Roles(...ROLES)
  @ApiOperation({ summary: 'Kommunen auflisten, filtern, nach AGS suchen / list, filter, look up by AGS' })
  @ApiPageResponse(MunicipalityDto)
  list(@Query() query: ListMunicipalitiesQueryDto): Promise<Page<MunicipalityDto>> {
    return this.rpc.request(MUNICIPALITIES_RPC.list, { query });
  }

  @Post()
  @Roles('admin')
  @Idempotent()
  @ApiOperation({ summary: 'Kommune erfassen / register a municipality' })
  @ApiCreatedResponse({ type: MunicipalityDto })
  @ApiProblemResponses(409)
  register(@CurrentActor() actor: ActorDto, @Body() data: RegisterMunicipalityDto): Promise<MunicipalityDto> {
    return this.rpc.request(MUNICIPALITIES_RPC.register, { actor, data });
  }

  @Post('import')
  @Roles('admin')
  @HttpCode(200)
  @Idempotent()
  @AcceptsCsv()
  @ApiOperation({
    summary:
      'Kommunen aus CSV importieren (Upsert nach AGS) / import municipalities from CSV (upsert by AGS)',
    description:
      'Layouts: `ags,name,official_name,district,state,region` or a Destatis Gemeindeverzeichnis extract ' +
      '(`Satzart;Textkennzeichen;Land;RB;Kreis;VB;Gem;Gemeindename`). Send `text/csv` or JSON `{ "csv": "..." }`.',
  })
  @ApiConsumes('text/csv', 'application/json')
  @ApiOkResponse({ type: ImportReportDto })
  import(@CurrentActor() actor: ActorDto, @Body() body: MunicipalityImportDto): Promise<ImportReportDto> {
    return this.rpc.request(MUNICIPALITIES_RPC.import, { actor, csv: body.csv }, 30_000);
  }

  @Get(':id')
  @Roles(...ROLES)
  @ApiOperation({ summary: 'Eine Kommune / one municipality' })
  @ApiOkResponse({ type: MunicipalityDto })
  @ApiProblemResponses(404)
  get(@UuidParam() id: string): Promise<MunicipalityDto> {
    return this.rpc.request(MUNICIPALITIES_RPC.get, { id });
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Kommune ändern oder deaktivieren / change or deactivate a municipality' })
  @ApiOkResponse({ type: MunicipalityDto })
  @ApiProblemResponses(404)
  update(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: UpdateMunicipalityDto,
  ): Promise<MunicipalityDto> {
    return this.rpc.request(MUNICIPALITIES_RPC.update, { actor, id, data });
  }
}
