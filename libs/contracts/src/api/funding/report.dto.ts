import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches, ValidateNested } from 'class-validator';
import { ActorDto } from '../actor.js';
import { CursorPageQueryDto, SortQuery } from '../pagination.js';
import { ToInt } from '../query-params.js';
import { localizedMessage } from '../validation.js';
import { PROGRAMME_CODE_PATTERN, Year } from './funding-fields.js';

/**
 * What a report holds; each is one CSV file:
 * - `ledger`: per programme and budget year planned, reserved, disbursed and available;
 * - `municipalities`: per programme and municipality the approved and disbursed money by lead and partner cost shares;
 * - `kohesio`: one row per funded operation in the column layout of the EU's Kohesio project list (open data).
 */
export const FUNDING_REPORT_CONTENTS = ['ledger', 'municipalities', 'kohesio'] as const;
export type FundingReportContent = (typeof FUNDING_REPORT_CONTENTS)[number];
/** Who started it: the monthly schedule or a person. */
export const FUNDING_REPORT_TRIGGERS = ['monthly', 'on-demand'] as const;
export type FundingReportTrigger = (typeof FUNDING_REPORT_TRIGGERS)[number];
export const FUNDING_REPORT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type FundingReportStatus = (typeof FUNDING_REPORT_STATUSES)[number];
export const FUNDING_REPORT_FORMATS = ['csv'] as const;
export type FundingReportFormat = (typeof FUNDING_REPORT_FORMATS)[number];

/** `POST /api/v1/funding/reports`: what to report on; without filters, every programme and year. */
export class RequestFundingReportDto {
  @ApiProperty({ enum: FUNDING_REPORT_CONTENTS })
  @IsIn(FUNDING_REPORT_CONTENTS)
  kind!: FundingReportContent;

  @ApiPropertyOptional({ enum: FUNDING_REPORT_FORMATS, default: 'csv' })
  @IsOptional()
  @IsIn(FUNDING_REPORT_FORMATS)
  format?: FundingReportFormat;

  @ApiPropertyOptional({ example: 'INVKG-BB', description: 'Only this programme' })
  @IsOptional()
  @IsString()
  @Length(2, 32)
  @Matches(
    PROGRAMME_CODE_PATTERN,
    localizedMessage(
      'muss aus Großbuchstaben, Ziffern und einzelnen Bindestrichen bestehen, z. B. INVKG-BB',
      'must be upper-case letters, digits and single dashes, e.g. INVKG-BB',
    ),
  )
  programmeCode?: string;

  @ApiPropertyOptional({ minimum: 2000, maximum: 2100, description: 'First budget year (inclusive)' })
  @IsOptional()
  @Year()
  fromYear?: number;

  @ApiPropertyOptional({ minimum: 2000, maximum: 2100, description: 'Last budget year (inclusive)' })
  @IsOptional()
  @Year()
  toYear?: number;
}

export class FundingReportParametersDto {
  @ApiProperty({ type: String, nullable: true }) programmeCode!: string | null;
  @ApiProperty({ type: Number, nullable: true }) fromYear!: number | null;
  @ApiProperty({ type: Number, nullable: true }) toYear!: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-03',
    description: 'monthly: the month it closes',
  })
  month!: string | null;
}

/** A report: its request, its progress and, when done, what the file holds. */
export class FundingReportDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'The BullMQ job that generates it', example: 'report-6f1a…' }) jobId!: string;
  @ApiProperty({ enum: FUNDING_REPORT_CONTENTS }) kind!: FundingReportContent;
  @ApiProperty({ enum: FUNDING_REPORT_TRIGGERS }) trigger!: FundingReportTrigger;
  @ApiProperty({ enum: FUNDING_REPORT_FORMATS }) format!: FundingReportFormat;
  @ApiProperty({ type: FundingReportParametersDto }) parameters!: FundingReportParametersDto;
  @ApiProperty({ format: 'date', description: 'First day of the budget years covered' }) periodStart!: string;
  @ApiProperty({ format: 'date', description: 'Last day of the budget years covered' }) periodEnd!: string;
  @ApiProperty({ enum: FUNDING_REPORT_STATUSES }) status!: FundingReportStatus;
  @ApiProperty({ minimum: 0, maximum: 100, description: 'Percent' }) progress!: number;
  @ApiProperty({ description: 'Data rows written so far (without the header)' }) rowCount!: number;
  @ApiProperty({ type: Number, nullable: true }) byteSize!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 of the file, lower-case hex' })
  sha256!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'wandelwerk-kohesio-2026-04-01.csv' })
  fileName!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Where to download it, once done' })
  downloadUrl!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null: the monthly schedule' })
  createdByUserId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiProperty({ description: 'Generation attempts so far' }) attempts!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Why it failed' }) error!: string | null;
}

export const FUNDING_REPORT_SORT_FIELDS = ['createdAt'] as const;

export class ListFundingReportsQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ enum: FUNDING_REPORT_CONTENTS })
  @IsOptional()
  @IsIn(FUNDING_REPORT_CONTENTS)
  kind?: FundingReportContent;

  @ApiPropertyOptional({ enum: FUNDING_REPORT_TRIGGERS })
  @IsOptional()
  @IsIn(FUNDING_REPORT_TRIGGERS)
  trigger?: FundingReportTrigger;

  @ApiPropertyOptional({ enum: FUNDING_REPORT_STATUSES })
  @IsOptional()
  @IsIn(FUNDING_REPORT_STATUSES)
  status?: FundingReportStatus;

  @ApiPropertyOptional({ minimum: 2000, maximum: 2100, description: 'Reports covering this budget year' })
  @IsOptional()
  @ToInt()
  @Year()
  year?: number;

  @SortQuery(FUNDING_REPORT_SORT_FIELDS, '-createdAt') sort: string = '-createdAt';
}

/**
 * Internal: where the gateway fetches a finished report's file from the funding service (a signed link that
 * expires within a minute), and what to tell the client about it.
 */
export class FundingReportDownloadDto {
  @ApiProperty() url!: string;
  @ApiProperty() fileName!: string;
  @ApiProperty() contentType!: string;
  @ApiProperty() byteSize!: number;
  @ApiProperty() sha256!: string;
}

// ---------------------------------------------------------------------------------------------------------------
// RPC

export class RequestFundingReportCommand {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @ValidateNested() @Type(() => RequestFundingReportDto) data!: RequestFundingReportDto;
}

export class ListFundingReportsRequest {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @ValidateNested() @Type(() => ListFundingReportsQueryDto) query!: ListFundingReportsQueryDto;
}

export class FundingReportIdRequest {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsUUID('4') id!: string;
}

/** The request/reply patterns of the funding reports. */
export const FUNDING_REPORT_RPC = {
  request: 'funding.report.request',
  get: 'funding.report.get',
  list: 'funding.report.list',
  download: 'funding.report.download',
} as const;
