import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsUUID, ValidateIf } from 'class-validator';
import { CursorPageQueryDto, SortQuery } from '../pagination.js';
import { CalendarDate, Cents, OptionalText, Text, Year } from './funding-fields.js';

export const ALLOCATION_STATUSES = [
  'requested',
  'approved',
  'committed',
  'disbursing',
  'closed',
  'rejected',
  'cancelled',
] as const;
export type AllocationStatus = (typeof ALLOCATION_STATUSES)[number];

/** What the decision log records; `approve` from `requested` to `requested` is the first of two approvals. */
export const ALLOCATION_ACTIONS = [
  'request',
  'approve',
  'reject',
  'commit',
  'disburse',
  'close',
  'cancel',
] as const;
export type AllocationAction = (typeof ALLOCATION_ACTIONS)[number];

// ---------------------------------------------------------------------------------------------------------------
// Bodies

export class ApproveAllocationDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 4000 })
  @OptionalText(4000)
  comment?: string | null;
}

export class RejectAllocationDto {
  @ApiProperty({ minLength: 1, maxLength: 4000, description: 'Begründung / why' })
  @Text(4000)
  reason!: string;
}

export class CancelAllocationDto {
  @ApiProperty({ minLength: 1, maxLength: 4000, description: 'Begründung / why' })
  @Text(4000)
  reason!: string;
}

/** The grant decision (Bewilligungsbescheid). */
export class CommitAllocationDto {
  @ApiProperty({ format: 'date', example: '2026-03-02' })
  @CalendarDate()
  grantDecisionDate!: string;

  @ApiProperty({
    minLength: 1,
    maxLength: 64,
    example: '80-2026-0417',
    description: 'Aktenzeichen / reference number',
  })
  @Text(64)
  grantReference!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 4000 })
  @OptionalText(4000)
  comment?: string | null;
}

/** A tranche paid against one year of an allocation. */
export class DisburseDto {
  @ApiProperty({ minimum: 2000, maximum: 2100, example: 2026, description: 'A year of the allocation' })
  @Year()
  year!: number;

  @ApiProperty({ minimum: 1, description: 'Euro-Cent / euro cents; at most what is still open of the year' })
  @Cents(1)
  amountCents!: number;

  @ApiProperty({ format: 'date', example: '2026-06-30', description: 'not before the grant decision' })
  @CalendarDate()
  paidOn!: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Zwischennachweis / the report paid against',
  })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsUUID('4')
  reportId?: string | null;

  @ApiPropertyOptional({
    default: false,
    description: 'Schlusszahlung / last tranche: closes the allocation and releases what is not paid',
  })
  @IsOptional()
  @IsBoolean()
  final?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 4000 })
  @OptionalText(4000)
  comment?: string | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Answers

export class AllocationYearDto {
  @ApiProperty({ example: 2026 }) year!: number;
  @ApiProperty({ description: 'Approved for the year' }) amountCents!: number;
  @ApiProperty() paidCents!: number;
  @ApiProperty({ description: 'amountCents − paidCents' }) remainingCents!: number;
}

export class AllocationApprovalDto {
  @ApiProperty({ format: 'uuid' }) approverUserId!: string;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

/** A municipality of the proposal with its cost share, as the proposal named it when it was endorsed. */
export class AllocationMunicipalityDto {
  @ApiProperty({ format: 'uuid' }) municipalityId!: string;
  @ApiProperty({ example: '12066304' }) ags!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Basispunkte / basis points' }) costShareBasisPoints!: number;
}

export class AllocationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ALLOCATION_STATUSES }) status!: AllocationStatus;
  @ApiProperty({ description: 'Increases with every change' }) version!: number;
  @ApiProperty({ format: 'uuid' }) proposalId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ format: 'uuid' }) ownerUserId!: string;
  @ApiProperty({ format: 'uuid' }) programmeId!: string;
  @ApiProperty() programmeCode!: string;
  @ApiProperty({ description: 'Requested funding capped at the programme rate × eligible cost' })
  amountCents!: number;
  @ApiProperty() requestedFundingCents!: number;
  @ApiProperty() eligibleCostCents!: number;
  @ApiProperty() totalCostCents!: number;
  @ApiProperty({ description: 'The programme rate applied, in basis points' })
  fundingRateBasisPoints!: number;
  @ApiProperty({ type: [AllocationYearDto] }) years!: AllocationYearDto[];
  @ApiProperty() paidCents!: number;
  @ApiProperty({ description: 'Given back to the budget when cancelled or closed' }) releasedCents!: number;
  @ApiProperty({ description: '1, or 2 (four eyes) at or above the threshold' }) approvalsRequired!: number;
  @ApiProperty({ type: [AllocationApprovalDto] }) approvals!: AllocationApprovalDto[];
  @ApiProperty({ type: AllocationMunicipalityDto }) leadMunicipality!: AllocationMunicipalityDto;
  @ApiProperty({ type: [AllocationMunicipalityDto] }) partners!: AllocationMunicipalityDto[];
  @ApiProperty({ format: 'date' }) plannedStart!: string;
  @ApiProperty({ format: 'date' }) plannedEnd!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) grantDecisionDate!: string | null;
  @ApiProperty({ type: String, nullable: true }) grantReference!: string | null;
  @ApiProperty({ type: String, nullable: true }) rejectionReason!: string | null;
  @ApiProperty({ type: String, nullable: true }) cancellationReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class DisbursementDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) allocationId!: string;
  @ApiProperty({ description: '1, 2, … per allocation' }) instalment!: number;
  @ApiProperty() year!: number;
  @ApiProperty() amountCents!: number;
  @ApiProperty({ format: 'date' }) paidOn!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) reportId!: string | null;
  @ApiProperty({ format: 'uuid' }) actorUserId!: string;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

/** A disbursement with the allocation after it (status `disbursing`, or `closed` after the last tranche). */
export class DisbursementResultDto extends DisbursementDto {
  @ApiProperty({ type: AllocationDto }) allocation!: AllocationDto;
}

/** One entry of an allocation's decision log: who, when, why. */
export class AllocationDecisionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ALLOCATION_ACTIONS }) action!: AllocationAction;
  @ApiProperty({ type: String, enum: ALLOCATION_STATUSES, nullable: true })
  fromStatus!: AllocationStatus | null;
  @ApiProperty({ enum: ALLOCATION_STATUSES }) toStatus!: AllocationStatus;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null: the platform' })
  actorUserId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Begründung oder Kommentar / reason or comment' })
  reason!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Money the decision moved, if any' })
  amountCents!: number | null;
  @ApiProperty({ type: Object, description: 'E.g. grant reference, tranche year, released amount' })
  details!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export const ALLOCATION_SORT_FIELDS = ['createdAt', 'updatedAt', 'amountCents'] as const;

export class ListAllocationsQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ enum: ALLOCATION_STATUSES })
  @IsOptional()
  @IsIn(ALLOCATION_STATUSES)
  status?: AllocationStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('4')
  programmeId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('4')
  proposalId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Lead or partner municipality' })
  @IsOptional()
  @IsUUID('4')
  municipalityId?: string;

  @SortQuery(ALLOCATION_SORT_FIELDS, '-createdAt') sort: string = '-createdAt';
}
