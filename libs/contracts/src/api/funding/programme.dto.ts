import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { REGIONS, type Region } from '../../events/shared/references.event.js';
import { CursorPageQueryDto, SortQuery } from '../pagination.js';
import { ToBoolean } from '../query-params.js';
import { localizedMessage } from '../validation.js';
import { Cents, PROGRAMME_CODE_PATTERN, Text, Year } from './funding-fields.js';

/** EUR 1,000,000: allocations of this amount or more need two approvals unless the programme says otherwise. */
export const DEFAULT_FOUR_EYES_THRESHOLD_CENTS = 100_000_000;

export class FundingPeriodDto {
  @ApiProperty({ minimum: 2000, maximum: 2100, example: 2020 })
  @Year()
  firstYear!: number;

  @ApiProperty({ minimum: 2000, maximum: 2100, example: 2038, description: 'not before firstYear' })
  @Year()
  lastYear!: number;
}

export class CreateProgrammeDto {
  @ApiProperty({ example: 'INVKG-BB', minLength: 2, maxLength: 32, pattern: PROGRAMME_CODE_PATTERN.source })
  @IsString()
  @Length(2, 32)
  @Matches(
    PROGRAMME_CODE_PATTERN,
    localizedMessage(
      'muss aus Großbuchstaben, Ziffern und einzelnen Bindestrichen bestehen, z. B. INVKG-BB',
      'must be upper-case letters, digits and single dashes, e.g. INVKG-BB',
    ),
  )
  code!: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'InvKG Arm 1 Brandenburg' })
  @Text(200)
  name!: string;

  @ApiProperty({
    minLength: 1,
    maxLength: 300,
    example: 'Investitionsgesetz Kohleregionen (InvKG), §§ 1, 3, 7',
  })
  @Text(300)
  legalBasis!: string;

  @ApiProperty({
    minimum: 1,
    maximum: 10000,
    example: 9000,
    description: 'Basispunkte / basis points (9000 = 90 %)',
  })
  @IsInt()
  @Min(1)
  @Max(10000)
  maxFundingRateBasisPoints!: number;

  @ApiProperty({ type: FundingPeriodDto })
  @ValidateNested()
  @Type(() => FundingPeriodDto)
  fundingPeriod!: FundingPeriodDto;

  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: 16,
    example: ['12'],
    description: 'first two digits of the AGS',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(16)
  @ArrayUnique()
  @Matches(
    /^(0[1-9]|1[0-6])$/,
    localizedMessage('muss ein Länderschlüssel 01 bis 16 sein', 'must be a state code 01 to 16', {
      each: true,
    }),
  )
  eligibleStateCodes!: string[];

  @ApiProperty({ enum: REGIONS, isArray: true, minItems: 1, example: ['lausitz'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(REGIONS.length)
  @ArrayUnique()
  @IsIn(REGIONS, { each: true })
  eligibleRegions!: Region[];

  @ApiPropertyOptional({
    default: DEFAULT_FOUR_EYES_THRESHOLD_CENTS,
    description: 'Ab diesem Betrag zwei Freigaben / from this amount two approvals (euro cents)',
  })
  @IsOptional()
  @Cents()
  fourEyesThresholdCents?: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

/** Changes of a programme; only the fields sent change. The code stays: proposals name the programme by it. */
export class UpdateProgrammeDto extends PartialType(OmitType(CreateProgrammeDto, ['code'] as const)) {}

export class ProgrammeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'INVKG-BB' }) code!: string;
  @ApiProperty() name!: string;
  @ApiProperty() legalBasis!: string;
  @ApiProperty({ example: 9000 }) maxFundingRateBasisPoints!: number;
  @ApiProperty({ type: FundingPeriodDto }) fundingPeriod!: FundingPeriodDto;
  @ApiProperty({ type: [String] }) eligibleStateCodes!: string[];
  @ApiProperty({ enum: REGIONS, isArray: true }) eligibleRegions!: Region[];
  @ApiProperty() fourEyesThresholdCents!: number;
  @ApiProperty() active!: boolean;
  @ApiProperty({ description: 'Increases with every change' }) version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export const PROGRAMME_SORT_FIELDS = ['code', 'name', 'createdAt'] as const;

export class ListProgrammesQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  active?: boolean;

  @SortQuery(PROGRAMME_SORT_FIELDS, 'code') sort: string = 'code';
}
