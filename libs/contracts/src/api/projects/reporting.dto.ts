import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { REPORT_KINDS, type ReportKind } from '../../events/projects/report.event.js';
import { IndicatorName, IndicatorValue } from './indicator-fields.js';
import { proposalCommand, proposalItemCommand } from './proposal-commands.js';
import { localizedMessage } from '../validation.js';

const DATE_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** A calendar date `YYYY-MM-DD` that exists. */
function IsDueDate(): PropertyDecorator {
  const matches = Matches(
    DATE_PATTERN,
    localizedMessage('muss ein Datum JJJJ-MM-TT sein', 'must be a calendar date YYYY-MM-DD'),
  );
  const real = IsISO8601(
    { strict: true, strictSeparator: true },
    localizedMessage('muss ein gültiges Kalenderdatum sein', 'must be a real calendar date'),
  );
  return (target, property) => {
    real(target, property);
    matches(target, property);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Milestones

export class ScheduleMilestoneDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Baubeginn Kongresssaal' })
  @IsString()
  @Length(1, 200)
  title!: string;

  @ApiProperty({ format: 'date', example: '2026-06-30' })
  @IsDueDate()
  dueDate!: string;

  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @IsString()
  @Length(0, 4000)
  description?: string;
}

/** `PATCH …/milestones/{milestoneId}` and `PATCH …/reports/{reportId}`: a new due date. */
export class ChangeDueDateDto {
  @ApiProperty({ format: 'date', example: '2026-07-31' })
  @IsDueDate()
  dueDate!: string;
}

export class MilestoneDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) proposalId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ format: 'date' }) dueDate!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting obligations and reports

export class ScheduleReportDto {
  @ApiProperty({
    enum: REPORT_KINDS,
    description: 'Zwischennachweis (interim) / Verwendungsnachweis (final)',
  })
  @IsIn(REPORT_KINDS)
  kind!: ReportKind;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Zwischennachweis 2026' })
  @IsString()
  @Length(1, 200)
  title!: string;

  @ApiProperty({ format: 'date', example: '2026-03-31' })
  @IsDueDate()
  dueDate!: string;

  @ApiPropertyOptional({ format: 'date', description: 'Berichtszeitraum ab; default: planned start' })
  @IsOptional()
  @IsDueDate()
  periodStart?: string;

  @ApiPropertyOptional({
    format: 'date',
    description: 'Berichtszeitraum bis; default: the due date (interim) or the planned end (final)',
  })
  @IsOptional()
  @IsDueDate()
  periodEnd?: string;
}

/** A figure reached for one of the proposal's indicators. */
export class IndicatorFigureDto {
  @IndicatorName()
  name!: string;

  @IndicatorValue(12)
  value!: number;
}

export class FileReportDto {
  @ApiProperty({ minLength: 1, maxLength: 20000, description: 'Sachbericht / text summary' })
  @IsString()
  @Length(1, 20000)
  summary!: string;

  @ApiPropertyOptional({ type: [IndicatorFigureDto], maxItems: 50 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => IndicatorFigureDto)
  figures?: IndicatorFigureDto[];

  @ApiPropertyOptional({
    minimum: 0,
    description: 'Bisher ausgegeben in Euro-Cent / spent to date; default 0',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  spentToDateCents?: number;
}

export const REPORT_OBLIGATION_STATUSES = ['open', 'filed'] as const;
export type ReportObligationStatus = (typeof REPORT_OBLIGATION_STATUSES)[number];

export class ReportObligationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) proposalId!: string;
  @ApiProperty({ enum: REPORT_KINDS }) kind!: ReportKind;
  @ApiProperty() title!: string;
  @ApiProperty({ format: 'date' }) dueDate!: string;
  @ApiProperty({ format: 'date' }) periodStart!: string;
  @ApiProperty({ format: 'date' }) periodEnd!: string;
  @ApiProperty({ enum: REPORT_OBLIGATION_STATUSES }) status!: ReportObligationStatus;
  @ApiProperty({ format: 'date-time', description: 'When the due-soon reminder goes out (UTC)' })
  dueSoonAt!: string;
  @ApiProperty({ format: 'date-time', description: 'End of the due day, Europe/Berlin, in UTC' })
  overdueAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) remindedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) overdueNotifiedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) filedAt!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) filedByUserId!: string | null;
  @ApiProperty({ type: String, nullable: true }) summary!: string | null;
  @ApiProperty({ type: [IndicatorFigureDto] }) figures!: IndicatorFigureDto[];
  @ApiProperty({ type: Number, nullable: true }) spentToDateCents!: number | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'Filed after the due date' }) late!:
    boolean | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

// ---------------------------------------------------------------------------------------------------------------
// RPC commands

export const ScheduleMilestoneCommand = proposalCommand(ScheduleMilestoneDto);
export const RescheduleMilestoneCommand = proposalItemCommand(ChangeDueDateDto);
export const ScheduleReportCommand = proposalCommand(ScheduleReportDto);
export const RescheduleReportCommand = proposalItemCommand(ChangeDueDateDto);
export const FileReportCommand = proposalItemCommand(FileReportDto);

export const REPORTING_RPC = {
  scheduleMilestone: 'projects.milestone.schedule',
  listMilestones: 'projects.milestone.list',
  rescheduleMilestone: 'projects.milestone.reschedule',
  scheduleReport: 'projects.report.schedule',
  listReports: 'projects.report.list',
  rescheduleReport: 'projects.report.reschedule',
  fileReport: 'projects.report.file',
} as const;
