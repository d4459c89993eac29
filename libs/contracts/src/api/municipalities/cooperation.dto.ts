import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  ValidateNested,
} from 'class-validator';
import {
  COOPERATION_KINDS,
  MAX_COOPERATION_MEMBERS,
  type CooperationKind,
} from '../../events/municipalities/cooperation.event.js';
import { ActorDto } from '../actor.js';
import { CursorPageQueryDto, SortQuery } from '../pagination.js';

const DATE = { strict: true, strictSeparator: true } as const;

export class CreateCooperationDto {
  @ApiProperty({ example: 'Regionaler Wachstumskern Westlausitz', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ enum: COOPERATION_KINDS, example: 'regional-growth-core' })
  @IsIn(COOPERATION_KINDS)
  kind!: CooperationKind;

  @ApiProperty({ type: [String], format: 'uuid', description: 'The founding members (municipality ids)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_COOPERATION_MEMBERS)
  @ArrayUnique()
  @IsUUID('4', { each: true })
  memberIds!: string[];

  @ApiProperty({
    example: '2024-11-07',
    format: 'date',
    description: 'First day of the founding memberships',
  })
  @IsISO8601(DATE, { message: 'must be a date YYYY-MM-DD' })
  @Length(10, 10, { message: 'must be a date YYYY-MM-DD' })
  startDate!: string;
}

export class JoinCooperationDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID('4') municipalityId!: string;
  @ApiProperty({ format: 'date', example: '2025-02-03' })
  @IsISO8601(DATE, { message: 'must be a date YYYY-MM-DD' })
  @Length(10, 10, { message: 'must be a date YYYY-MM-DD' })
  startDate!: string;
}

export class LeaveCooperationDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID('4') municipalityId!: string;
  @ApiProperty({ format: 'date', description: 'Last day of the membership' })
  @IsISO8601(DATE, { message: 'must be a date YYYY-MM-DD' })
  @Length(10, 10, { message: 'must be a date YYYY-MM-DD' })
  endDate!: string;
  @ApiPropertyOptional({ type: String, maxLength: 1000, nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  reason?: string | null;
}

export class MembershipDto {
  @ApiProperty({ format: 'uuid' }) municipalityId!: string;
  @ApiProperty() ags!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date' }) startDate!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) endDate!: string | null;
}

export class CooperationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: COOPERATION_KINDS }) kind!: CooperationKind;
  @ApiProperty({ type: [MembershipDto], description: 'Current and past memberships, oldest first' })
  memberships!: MembershipDto[];
  @ApiProperty() version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class CreateCooperationCommand {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @ValidateNested() @Type(() => CreateCooperationDto) data!: CreateCooperationDto;
}

export class JoinCooperationCommand {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsUUID('4') cooperationId!: string;
  @ValidateNested() @Type(() => JoinCooperationDto) data!: JoinCooperationDto;
}

export class LeaveCooperationCommand {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsUUID('4') cooperationId!: string;
  @ValidateNested() @Type(() => LeaveCooperationDto) data!: LeaveCooperationDto;
}

export const COOPERATION_SORT_FIELDS = ['name', 'createdAt'] as const;

/** `GET /cooperations`: filters, sort and cursor pagination. */
export class ListCooperationsQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ enum: COOPERATION_KINDS })
  @IsOptional()
  @IsIn(COOPERATION_KINDS)
  kind?: CooperationKind;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only cooperations this municipality is a member of now',
  })
  @IsOptional()
  @IsUUID('4')
  municipalityId?: string;

  @SortQuery(COOPERATION_SORT_FIELDS, 'name') sort: string = 'name';
}

export class ListCooperationsRequest {
  @ValidateNested() @Type(() => ListCooperationsQueryDto) query!: ListCooperationsQueryDto;
}
