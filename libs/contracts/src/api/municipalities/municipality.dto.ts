import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { REGIONS, type Region } from '../../events/shared/references.event.js';
import { ActorDto } from '../actor.js';
import { CursorPageQueryDto, SortQuery } from '../pagination.js';
import { ToBoolean } from '../query-params.js';
import { AGS_PATTERN } from './ags.js';

const AGS_MESSAGE = 'must be an 8-digit AGS whose first two digits are a Land code 01 to 16';

export class RegisterMunicipalityDto {
  @ApiProperty({
    example: '12066304',
    pattern: AGS_PATTERN.source,
    description: 'Amtlicher Gemeindeschlüssel',
  })
  @Matches(AGS_PATTERN, { message: AGS_MESSAGE })
  ags!: string;

  @ApiProperty({ example: 'Senftenberg', minLength: 1, maxLength: 120 })
  @IsString()
  @Length(1, 120)
  name!: string;

  @ApiProperty({ example: 'Senftenberg/Zły Komorow, Stadt', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  officialName!: string;

  @ApiProperty({ example: 'Oberspreewald-Lausitz', description: 'Landkreis, or "kreisfrei"', maxLength: 120 })
  @IsString()
  @Length(1, 120)
  district!: string;

  @ApiProperty({ example: 'Brandenburg', maxLength: 60 })
  @IsString()
  @Length(1, 60)
  state!: string;

  @ApiPropertyOptional({ type: String, enum: REGIONS, nullable: true, example: 'lausitz' })
  @IsOptional()
  @IsIn(REGIONS)
  region?: Region | null;
}

export class UpdateMunicipalityDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 120 })
  @IsOptional()
  @IsString()
  @Length(1, 120)
  name?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  officialName?: string;

  @ApiPropertyOptional({ maxLength: 120 })
  @IsOptional()
  @IsString()
  @Length(1, 120)
  district?: string;

  @ApiPropertyOptional({ maxLength: 60 })
  @IsOptional()
  @IsString()
  @Length(1, 60)
  state?: string;

  @ApiPropertyOptional({ type: String, enum: REGIONS, nullable: true })
  @IsOptional()
  @IsIn([...REGIONS, null])
  region?: Region | null;

  /** Setting it to false deactivates the municipality (it stays in the registry, but takes part in nothing new). */
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({
    description: 'Why it was deactivated; required when `active` becomes false',
    maxLength: 1000,
  })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  deactivationReason?: string;
}

export class MunicipalityDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '12066304' }) ags!: string;
  @ApiProperty() name!: string;
  @ApiProperty() officialName!: string;
  @ApiProperty() district!: string;
  @ApiProperty() state!: string;
  @ApiProperty({ type: String, enum: REGIONS, nullable: true }) region!: Region | null;
  @ApiProperty() active!: boolean;
  @ApiProperty({ description: 'Increases with every change' }) version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ImportRejectionDto {
  @ApiProperty({ description: 'Line number in the file, the header being line 1' }) line!: number;
  @ApiProperty({ type: String, nullable: true }) ags!: string | null;
  @ApiProperty({ description: 'Why the row was rejected, in German' }) reason!: string;
  @ApiProperty({ description: 'Why the row was rejected, in English' }) reasonEn!: string;
}

export class ImportReportDto {
  @ApiProperty({ enum: ['wandelwerk', 'destatis-gv'] }) layout!: 'wandelwerk' | 'destatis-gv';
  @ApiProperty() rows!: number;
  @ApiProperty() created!: number;
  @ApiProperty() updated!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty({ type: [ImportRejectionDto] }) rejected!: ImportRejectionDto[];
}

/** RPC commands: the gateway sends the validated body with the acting user. */
export class RegisterMunicipalityCommand {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @ValidateNested() @Type(() => RegisterMunicipalityDto) data!: RegisterMunicipalityDto;
}

export class UpdateMunicipalityCommand {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsUUID('4') id!: string;
  @ValidateNested() @Type(() => UpdateMunicipalityDto) data!: UpdateMunicipalityDto;
}

export class ImportMunicipalitiesCommand {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  /** The CSV text (at most 5 MiB). */
  @IsString() @Length(1, 5 * 1024 * 1024) csv!: string;
}

export const MUNICIPALITY_SORT_FIELDS = ['name', 'ags', 'createdAt', 'updatedAt'] as const;

/** `GET /municipalities`: filters, sort and cursor pagination. */
export class ListMunicipalitiesQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ example: '12066304', description: 'Exactly this AGS (lookup by key)' })
  @IsOptional()
  @Matches(AGS_PATTERN, { message: AGS_MESSAGE })
  ags?: string;

  @ApiPropertyOptional({ example: 'Brandenburg' }) @IsOptional() @IsString() @Length(1, 60) state?: string;
  @ApiPropertyOptional({ example: 'Oberspreewald-Lausitz' })
  @IsOptional()
  @IsString()
  @Length(1, 120)
  district?: string;
  @ApiPropertyOptional({ enum: REGIONS }) @IsOptional() @IsIn(REGIONS) region?: Region;
  @ApiPropertyOptional() @IsOptional() @ToBoolean() @IsBoolean() active?: boolean;

  @ApiPropertyOptional({
    description: 'Part of the name or official name (case-insensitive)',
    maxLength: 100,
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;

  @SortQuery(MUNICIPALITY_SORT_FIELDS, 'name') sort: string = 'name';
}

export class ListMunicipalitiesRequest {
  @ValidateNested() @Type(() => ListMunicipalitiesQueryDto) query!: ListMunicipalitiesQueryDto;
}

export class MunicipalityIdRequest {
  @IsUUID('4') id!: string;
}

export const MUNICIPALITIES_RPC = {
  register: 'municipalities.municipality.register',
  update: 'municipalities.municipality.update',
  get: 'municipalities.municipality.get',
  list: 'municipalities.municipality.list',
  import: 'municipalities.municipality.import',
  addContact: 'municipalities.contact.add',
  listContacts: 'municipalities.contact.list',
  updateContact: 'municipalities.contact.update',
  removeContact: 'municipalities.contact.remove',
  createCooperation: 'municipalities.cooperation.create',
  listCooperations: 'municipalities.cooperation.list',
  getCooperation: 'municipalities.cooperation.get',
  joinCooperation: 'municipalities.cooperation.join',
  leaveCooperation: 'municipalities.cooperation.leave',
} as const;
