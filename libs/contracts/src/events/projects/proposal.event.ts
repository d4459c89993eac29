import {
  CrossFieldRule,
  Field,
  is,
  NestedField,
  NestedListField,
  NotBefore,
  NotGreaterThan,
  UniqueBy,
} from '../../validation/field-rules.js';
import {
  ChangedFields,
  FundingByYear,
  FundingYear,
  MAX_PARTNERS,
  MunicipalityRef,
} from '../shared/references.event.js';

export const PROPOSAL_STATUSES = [
  'draft',
  'submitted',
  'in-review',
  'revision-requested',
  'endorsed',
  'rejected',
  'withdrawn',
  'approved',
  'in-implementation',
  'completed',
] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** The thematic Werkstätten of the Lausitz that qualify project ideas and give a Votum. */
export const WORKSHOPS = [
  'business-skilled-labour',
  'innovation-digitalisation',
  'infrastructure-mobility',
  'general-interest-rural-development',
  'culture-tourism-marketing',
] as const;
export type Workshop = (typeof WORKSHOPS)[number];

/** A municipality taking part in a proposal, with the share of the eligible cost it bears. */
export class MunicipalityShare extends MunicipalityRef {
  /** Basis points (10000 = 100 %), so that splits such as three equal thirds stay exact integers. */
  @Field(is.basisPoints) costShareBasisPoints!: number;
}

/** A proposal as of one version: what a consumer's read model of it holds. */
export class ProposalDetails {
  @Field(is.text(300)) title!: string;
  @Field(is.text(5000, 0)) summary!: string;
  @Field(is.programmeCode) programmeCode!: string;
  /** The Werkstatt that reviews it; null outside the Lausitz. */
  @Field(is.oneOf(WORKSHOPS), { nullable: true }) workshop!: Workshop | null;
  /** The program manager who drafts it and answers revision requests. */
  @Field(is.uuid) ownerUserId!: string;
  @NestedField(() => MunicipalityShare) leadMunicipality!: MunicipalityShare;
  @CrossFieldRule('must not contain the lead municipality', (partners, proposal) =>
    (partners as MunicipalityShare[]).every(
      (partner) =>
        partner.municipalityId !== (proposal['leadMunicipality'] as MunicipalityShare).municipalityId,
    ),
  )
  @CrossFieldRule(
    "must have cost shares that add up to 10000 basis points with the lead municipality's",
    (partners, proposal) =>
      [proposal['leadMunicipality'] as MunicipalityShare, ...(partners as MunicipalityShare[])].reduce(
        (sum, share) => sum + share.costShareBasisPoints,
        0,
      ) === 10_000,
  )
  @UniqueBy('municipalityId')
  @NestedListField(() => MunicipalityShare, { maxItems: MAX_PARTNERS })
  partners!: MunicipalityShare[];
  @Field(is.cents) totalCostCents!: number;
  @NotGreaterThan('totalCostCents') @Field(is.cents) eligibleCostCents!: number;
  @NotGreaterThan('eligibleCostCents') @Field(is.cents) requestedFundingCents!: number;
  @Field(is.date) plannedStart!: string;
  @NotBefore('plannedStart') @Field(is.date) plannedEnd!: string;
}

/**
 * Every proposal event carries the whole proposal after the change and its version, so a consumer keeps its read
 * model by overwriting when the version is newer, and never needs to ask the projects service.
 */
abstract class ProposalSnapshotEvent {
  @Field(is.version) version!: number;
  @NestedField(() => ProposalDetails) proposal!: ProposalDetails;
}

export class ProposalCreatedEvent extends ProposalSnapshotEvent {
  static readonly type = 'projects.proposal.created.v1';
  @Field(is.oneOf(['draft'])) status!: 'draft';
  @Field(is.uuid) actorUserId!: string;
}

export class ProposalUpdatedEvent extends ProposalSnapshotEvent {
  static readonly type = 'projects.proposal.updated.v1';
  /** A proposal is edited only while it is with its owner. */
  @Field(is.oneOf(['draft', 'revision-requested'])) status!: 'draft' | 'revision-requested';
  @ChangedFields() changedFields!: string[];
  @Field(is.uuid) actorUserId!: string;
}

/**
 * A status change. Each subclass states the statuses it leaves and enters, so the contract is also the lifecycle.
 * The actor is null when the platform made the change itself (a reaction to a funding event).
 */
abstract class ProposalTransitionEvent extends ProposalSnapshotEvent {
  @Field(is.uuid, { nullable: true }) actorUserId!: string | null;
}

const COMMENT = is.text(4000);

export class ProposalSubmittedEvent extends ProposalTransitionEvent {
  static readonly type = 'projects.proposal.submitted.v1';
  @Field(is.oneOf(['draft', 'revision-requested'])) fromStatus!: 'draft' | 'revision-requested';
  @Field(is.oneOf(['submitted'])) toStatus!: 'submitted';
  @Field(COMMENT, { nullable: true }) comment!: string | null;
}

export class ProposalReviewStartedEvent extends ProposalTransitionEvent {
  static readonly type = 'projects.proposal.review-started.v1';
  @Field(is.oneOf(['submitted'])) fromStatus!: 'submitted';
  @Field(is.oneOf(['in-review'])) toStatus!: 'in-review';
  @Field(is.uuid) reviewerUserId!: string;
  /** When the Votum is due; the reminder job publishes `projects.proposal.review-overdue.v1` after it. */
  @Field(is.date) reviewDueDate!: string;
  @Field(COMMENT, { nullable: true }) comment!: string | null;
}

export class ProposalRevisionRequestedEvent extends ProposalTransitionEvent {
  static readonly type = 'projects.proposal.revision-requested.v1';
  @Field(is.oneOf(['in-review'])) fromStatus!: 'in-review';
  @Field(is.oneOf(['revision-requested'])) toStatus!: 'revision-requested';
  /** What to revise: required, the owner cannot act without it. */
  @Field(COMMENT) comment!: string;
  @Field(is.date) responseDueDate!: string;
}

export class ProposalEndorsedEvent extends ProposalTransitionEvent {
  static readonly type = 'projects.proposal.endorsed.v1';
  @Field(is.oneOf(['in-review'])) fromStatus!: 'in-review';
  @Field(is.oneOf(['endorsed'])) toStatus!: 'endorsed';
  /** The review whose Votum endorsed it. */
  @Field(is.uuid) reviewId!: string;
  /** The requested funding by year, from the cost plan; funding reserves its budget lines from it. */
  @FundingByYear('proposal.requestedFundingCents') requestedFundingByYear!: FundingYear[];
  @Field(COMMENT, { nullable: true }) comment!: string | null;
}

export class ProposalRejectedEvent extends ProposalTransitionEvent {
  static readonly type = 'projects.proposal.rejected.v1';
  /** By the review (in-review) or because funding rejected the allocation (endorsed). */
  @Field(is.oneOf(['in-review', 'endorsed'])) fromStatus!: 'in-review' | 'endorsed';
  @Field(is.oneOf(['rejected'])) toStatus!: 'rejected';
  @Field(COMMENT) comment!: string;
}

export class ProposalWithdrawnEvent extends ProposalTransitionEvent {
  static readonly type = 'projects.proposal.withdrawn.v1';
  @Field(is.oneOf(['draft', 'submitted', 'in-review', 'revision-requested', 'endorsed']))
  fromStatus!: 'draft' | 'submitted' | 'in-review' | 'revision-requested' | 'endorsed';
  @Field(is.oneOf(['withdrawn'])) toStatus!: 'withdrawn';
  @Field(COMMENT, { nullable: true }) comment!: string | null;
}

/** Follows the grant decision (`funding.allocation.committed.v1`). */
export class ProposalApprovedEvent extends ProposalTransitionEvent {
  static readonly type = 'projects.proposal.approved.v1';
  @Field(is.oneOf(['endorsed'])) fromStatus!: 'endorsed';
  @Field(is.oneOf(['approved'])) toStatus!: 'approved';
  @Field(is.uuid) allocationId!: string;
  @Field(is.cents) approvedFundingCents!: number;
  @Field(is.date) grantDecisionDate!: string;
  @Field(COMMENT, { nullable: true }) comment!: string | null;
}

export class ProposalImplementationStartedEvent extends ProposalTransitionEvent {
  static readonly type = 'projects.proposal.implementation-started.v1';
  @Field(is.oneOf(['approved'])) fromStatus!: 'approved';
  @Field(is.oneOf(['in-implementation'])) toStatus!: 'in-implementation';
  @Field(is.date) startedOn!: string;
  @Field(COMMENT, { nullable: true }) comment!: string | null;
}

export class ProposalCompletedEvent extends ProposalTransitionEvent {
  static readonly type = 'projects.proposal.completed.v1';
  @Field(is.oneOf(['in-implementation'])) fromStatus!: 'in-implementation';
  @Field(is.oneOf(['completed'])) toStatus!: 'completed';
  @Field(is.date) completedOn!: string;
  @Field(is.cents) finalCostCents!: number;
  @Field(COMMENT, { nullable: true }) comment!: string | null;
}

/** Published by the reminder job when a Votum is late; changes nothing, so `version` is the current one. */
export class ProposalReviewOverdueEvent extends ProposalSnapshotEvent {
  static readonly type = 'projects.proposal.review-overdue.v1';
  @Field(is.oneOf(['in-review'])) status!: 'in-review';
  @Field(is.uuid) reviewerUserId!: string;
  @Field(is.date) reviewDueDate!: string;
  @Field(is.int(1, 3650)) daysOverdue!: number;
}
