import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  PROPOSAL_STATUSES,
  WORKSHOPS,
  type ProposalStatus,
  type Workshop,
} from '../../events/projects/proposal.event.js';
import { MAX_PARTNERS } from '../../events/shared/references.event.js';
import { ActorDto } from '../actor.js';
import { Cents } from '../fields.js';
import { IndicatorName, IndicatorValue } from './indicator-fields.js';
import { proposalCommand } from './proposal-commands.js';
import { CursorPageQueryDto, SortQuery } from '../pagination.js';
import { ToInt } from '../query-params.js';
import { localizedMessage } from '../validation.js';

const DATE_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const PROGRAMME_CODE_PATTERN = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$/;

/** A calendar date `YYYY-MM-DD` that exists (no 2026-02-30). */
function IsCalendarDate(): PropertyDecorator {
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

/** A municipality taking part, with its share of the eligible cost in basis points (10000 = 100 %). */
export class MunicipalityShareDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('4')
  municipalityId!: string;

  @ApiProperty({
    minimum: 0,
    maximum: 10000,
    example: 8000,
    description: 'Basispunkte / basis points (10000 = 100 %)',
  })
  @IsInt()
  @Min(0)
  @Max(10000)
  costShareBasisPoints!: number;
}

/** One year of the cost plan (eligible cost in that year). */
export class CostPlanYearDto {
  @ApiProperty({ minimum: 2000, maximum: 2100, example: 2026 })
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;

  @ApiProperty({ minimum: 0, example: 500_000_000, description: 'Euro-Cent / euro cents' })
  @Cents()
  amountCents!: number;
}

/** An expected outcome, e.g. "Arbeitsplätze geschaffen", unit "Anzahl", target 25. */
export class IndicatorDto {
  @IndicatorName()
  name!: string;

  @ApiProperty({ minLength: 1, maxLength: 40, example: 'Anzahl' })
  @IsString()
  @Length(1, 40)
  unit!: string;

  @IndicatorValue(25)
  targetValue!: number;
}

export class CreateProposalDto {
  @ApiProperty({ minLength: 1, maxLength: 300, example: 'Niederlausitzhalle Senftenberg' })
  @IsString()
  @Length(1, 300)
  title!: string;

  @ApiProperty({ minLength: 1, maxLength: 5000 })
  @IsString()
  @Length(1, 5000)
  summary!: string;

  @ApiProperty({ minLength: 0, maxLength: 20000 })
  @IsString()
  @Length(0, 20000)
  description!: string;

  @ApiProperty({
    type: String,
    enum: WORKSHOPS,
    nullable: true,
    description: 'Werkstatt (Lausitz); null outside',
  })
  @IsIn([...WORKSHOPS, null])
  workshop!: Workshop | null;

  @ApiProperty({ example: 'INVKG-BB', pattern: PROGRAMME_CODE_PATTERN.source })
  @IsString()
  @Length(2, 32)
  @Matches(PROGRAMME_CODE_PATTERN)
  programmeCode!: string;

  @ApiProperty({ type: MunicipalityShareDto })
  @ValidateNested()
  @Type(() => MunicipalityShareDto)
  leadMunicipality!: MunicipalityShareDto;

  @ApiProperty({ type: [MunicipalityShareDto], maxItems: MAX_PARTNERS })
  @IsArray()
  @ArrayMaxSize(MAX_PARTNERS)
  @ValidateNested({ each: true })
  @Type(() => MunicipalityShareDto)
  partners!: MunicipalityShareDto[];

  @ApiProperty({ description: 'Gesamtkosten in Euro-Cent / total cost in euro cents' })
  @Cents()
  totalCostCents!: number;

  @ApiProperty({ description: 'Förderfähige Kosten in Euro-Cent / eligible cost in euro cents' })
  @Cents()
  eligibleCostCents!: number;

  @ApiProperty({ description: 'Beantragte Förderung in Euro-Cent / requested funding in euro cents' })
  @Cents()
  requestedFundingCents!: number;

  @ApiProperty({
    type: [CostPlanYearDto],
    minItems: 1,
    maxItems: 20,
    description: 'sums to eligibleCostCents',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => CostPlanYearDto)
  costPlan!: CostPlanYearDto[];

  @ApiProperty({ format: 'date', example: '2026-01-01' })
  @IsCalendarDate()
  plannedStart!: string;

  @ApiProperty({ format: 'date', example: '2027-12-31' })
  @IsCalendarDate()
  plannedEnd!: string;

  @ApiProperty({ type: [IndicatorDto], maxItems: 50 })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => IndicatorDto)
  indicators!: IndicatorDto[];
}

/** Changes of a draft (or of a proposal in revision); only the fields sent change. */
export class UpdateProposalDto extends PartialType(CreateProposalDto) {}

export class ProposalMunicipalityDto {
  @ApiProperty({ format: 'uuid' }) municipalityId!: string;
  @ApiProperty({ example: '12066304' }) ags!: string;
  @ApiProperty() name!: string;
  @ApiProperty() costShareBasisPoints!: number;
}

export class ProposalDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: PROPOSAL_STATUSES }) status!: ProposalStatus;
  @ApiProperty({ description: 'Increases with every change' }) version!: number;
  @ApiProperty() title!: string;
  @ApiProperty() summary!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: String, enum: WORKSHOPS, nullable: true }) workshop!: Workshop | null;
  @ApiProperty() programmeCode!: string;
  @ApiProperty({ format: 'uuid' }) ownerUserId!: string;
  @ApiProperty({ type: ProposalMunicipalityDto }) leadMunicipality!: ProposalMunicipalityDto;
  @ApiProperty({ type: [ProposalMunicipalityDto] }) partners!: ProposalMunicipalityDto[];
  @ApiProperty() totalCostCents!: number;
  @ApiProperty() eligibleCostCents!: number;
  @ApiProperty() requestedFundingCents!: number;
  @ApiProperty({ type: [CostPlanYearDto] }) costPlan!: CostPlanYearDto[];
  @ApiProperty({ format: 'date' }) plannedStart!: string;
  @ApiProperty({ format: 'date' }) plannedEnd!: string;
  @ApiProperty({ type: [IndicatorDto] }) indicators!: IndicatorDto[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) allocationId!: string | null;
  @ApiProperty({ type: Number, nullable: true }) approvedFundingCents!: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Transitions

export const PROPOSAL_ACTIONS = [
  'submit',
  'start-review',
  'request-revision',
  'endorse',
  'reject',
  'withdraw',
  'approve',
  'start-implementation',
  'complete',
] as const;
export type ProposalAction = (typeof PROPOSAL_ACTIONS)[number];

export class TransitionCommentDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 4000 })
  @IsOptional()
  @IsString()
  @Length(1, 4000)
  comment?: string | null;
}

export class StartReviewDto extends TransitionCommentDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Defaults to the acting user' })
  @IsOptional()
  @IsUUID('4')
  reviewerUserId?: string;

  @ApiProperty({ format: 'date', description: 'When the Votum is due' })
  @IsCalendarDate()
  reviewDueDate!: string;
}

export class RequestRevisionDto {
  @ApiProperty({ minLength: 1, maxLength: 4000, description: 'What to revise' })
  @IsString()
  @Length(1, 4000)
  comment!: string;

  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  responseDueDate!: string;
}

export class EndorseProposalDto extends TransitionCommentDto {
  @ApiProperty({ format: 'uuid', description: 'The review whose Votum endorses it' })
  @IsUUID('4')
  reviewId!: string;
}

export class RejectProposalDto {
  @ApiProperty({ format: 'uuid', description: 'The review whose Votum rejects it' })
  @IsUUID('4')
  reviewId!: string;

  @ApiProperty({ minLength: 1, maxLength: 4000 })
  @IsString()
  @Length(1, 4000)
  comment!: string;
}

export class StartImplementationDto extends TransitionCommentDto {
  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  startedOn!: string;
}

export class CompleteProposalDto extends TransitionCommentDto {
  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  completedOn!: string;

  @ApiProperty({ description: 'Euro-Cent / euro cents' })
  @Cents()
  finalCostCents!: number;
}

export class ProposalTransitionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: PROPOSAL_ACTIONS }) action!: ProposalAction;
  @ApiProperty({ enum: PROPOSAL_STATUSES }) fromStatus!: ProposalStatus;
  @ApiProperty({ enum: PROPOSAL_STATUSES }) toStatus!: ProposalStatus;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null: the platform' })
  actorUserId!: string | null;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Reviews

export const REVIEW_CRITERIA = [
  'regionalValueAdded',
  'jobs',
  'sustainability',
  'cooperation',
  'feasibility',
] as const;
export type ReviewCriterion = (typeof REVIEW_CRITERIA)[number];

export class ReviewScoresDto {
  @ApiProperty({ minimum: 0, maximum: 5 }) @IsInt() @Min(0) @Max(5) regionalValueAdded!: number;
  @ApiProperty({ minimum: 0, maximum: 5 }) @IsInt() @Min(0) @Max(5) jobs!: number;
  @ApiProperty({ minimum: 0, maximum: 5 }) @IsInt() @Min(0) @Max(5) sustainability!: number;
  @ApiProperty({ minimum: 0, maximum: 5 }) @IsInt() @Min(0) @Max(5) cooperation!: number;
  @ApiProperty({ minimum: 0, maximum: 5 }) @IsInt() @Min(0) @Max(5) feasibility!: number;
}

export class RecordReviewDto {
  @ApiProperty({ enum: ['endorse', 'revise', 'reject'] })
  @IsIn(['endorse', 'revise', 'reject'])
  votum!: 'endorse' | 'revise' | 'reject';

  @ApiProperty({ type: ReviewScoresDto })
  @ValidateNested()
  @Type(() => ReviewScoresDto)
  scores!: ReviewScoresDto;

  @ApiProperty({ minLength: 1, maxLength: 4000 })
  @IsString()
  @Length(1, 4000)
  comment!: string;
}

export class ReviewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) proposalId!: string;
  @ApiProperty() round!: number;
  @ApiProperty({ format: 'uuid' }) reviewerUserId!: string;
  @ApiProperty({ enum: ['endorse', 'revise', 'reject'] }) votum!: 'endorse' | 'revise' | 'reject';
  @ApiProperty({ type: ReviewScoresDto }) scores!: ReviewScoresDto;
  @ApiProperty({ description: 'Sum of the scores, 0 to 25' }) totalScore!: number;
  @ApiProperty() comment!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Lists

export const PROPOSAL_SORT_FIELDS = ['createdAt', 'updatedAt', 'title', 'requestedFundingCents'] as const;

/** `GET /projects`: filters, sort and cursor pagination. */
export class ListProposalsQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ enum: PROPOSAL_STATUSES })
  @IsOptional()
  @IsIn(PROPOSAL_STATUSES)
  status?: ProposalStatus;

  @ApiPropertyOptional({ format: 'uuid', description: 'Lead or partner municipality' })
  @IsOptional()
  @IsUUID('4')
  municipalityId?: string;

  @ApiPropertyOptional({ example: 'INVKG-BB' })
  @IsOptional()
  @IsString()
  @Matches(PROGRAMME_CODE_PATTERN)
  programmeCode?: string;

  @ApiPropertyOptional({ enum: WORKSHOPS }) @IsOptional() @IsIn(WORKSHOPS) workshop?: Workshop;

  @ApiPropertyOptional({ minimum: 2000, maximum: 2100, description: 'A year of the cost plan' })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(2000)
  @Max(2100)
  year?: number;

  @ApiPropertyOptional({ maxLength: 200, description: 'Volltext in Titel und Zusammenfassung / full text' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;

  @SortQuery(PROPOSAL_SORT_FIELDS, '-createdAt') sort: string = '-createdAt';
}

// ---------------------------------------------------------------------------------------------------------------
// RPC commands

export class CreateProposalCommand {
  @IsDefined() @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsDefined() @ValidateNested() @Type(() => CreateProposalDto) data!: CreateProposalDto;
}

export class UpdateProposalCommand {
  @IsDefined() @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsUUID('4') id!: string;
  @IsDefined() @ValidateNested() @Type(() => UpdateProposalDto) data!: UpdateProposalDto;
}

/**
 * A read of one proposal (or of its history, reviews, milestones, reports). The actor decides what is visible: a
 * proposal the caller may not see answers 404 as if it did not exist.
 */
export class ProposalIdRequest {
  @IsDefined() @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsUUID('4') id!: string;
}

/** The list, filtered to what the actor may see before any other filter. */
export class ListProposalsRequest {
  @IsDefined() @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsDefined() @ValidateNested() @Type(() => ListProposalsQueryDto) query!: ListProposalsQueryDto;
}

export const SubmitProposalCommand = proposalCommand(TransitionCommentDto);
export const StartReviewCommand = proposalCommand(StartReviewDto);
export const RequestRevisionCommand = proposalCommand(RequestRevisionDto);
export const EndorseProposalCommand = proposalCommand(EndorseProposalDto);
export const RejectProposalCommand = proposalCommand(RejectProposalDto);
export const WithdrawProposalCommand = proposalCommand(TransitionCommentDto);
export const StartImplementationCommand = proposalCommand(StartImplementationDto);
export const CompleteProposalCommand = proposalCommand(CompleteProposalDto);
export const RecordReviewCommand = proposalCommand(RecordReviewDto);

export const PROJECTS_RPC = {
  create: 'projects.proposal.create',
  update: 'projects.proposal.update',
  get: 'projects.proposal.get',
  list: 'projects.proposal.list',
  history: 'projects.proposal.history',
  submit: 'projects.proposal.submit',
  startReview: 'projects.proposal.start-review',
  requestRevision: 'projects.proposal.request-revision',
  endorse: 'projects.proposal.endorse',
  reject: 'projects.proposal.reject',
  withdraw: 'projects.proposal.withdraw',
  startImplementation: 'projects.proposal.start-implementation',
  complete: 'projects.proposal.complete',
  recordReview: 'projects.review.record',
  listReviews: 'projects.review.list',
} as const;
