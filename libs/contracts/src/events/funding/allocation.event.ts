import { Field, is, ListField, NestedField, NotGreaterThan } from '../../validation/field-rules.js';
import { FundingByYear, FundingYear, ProposalRef } from '../shared/references.event.js';

/**
 * Funding reserved for an endorsed proposal from a programme's budget lines (subject: the allocation's id). Every
 * allocation event names the proposal and its municipalities, so notifications can address them directly.
 */
abstract class AllocationEvent {
  @Field(is.version) version!: number;
  @NestedField(() => ProposalRef) proposal!: ProposalRef;
  @Field(is.uuid) programmeId!: string;
  @Field(is.programmeCode) programmeCode!: string;
  @Field(is.cents) amountCents!: number;
}

/** Requested when funding takes up `projects.proposal.endorsed.v1`; its money is reserved when it is approved. */
export class AllocationRequestedEvent extends AllocationEvent {
  static readonly type = 'funding.allocation.requested.v1';
  @FundingByYear('amountCents') amountByYear!: FundingYear[];
  /** amountCents reaches the programme's four-eyes threshold: two different officers must approve. */
  @Field(is.boolean) requiresTwoApprovals!: boolean;
}

/** The first of two approvals of an allocation above the four-eyes threshold. */
export class AllocationApprovalRecordedEvent extends AllocationEvent {
  static readonly type = 'funding.allocation.approval-recorded.v1';
  @Field(is.uuid) approverUserId!: string;
  @Field(is.text(4000), { nullable: true }) comment!: string | null;
}

export class AllocationApprovedEvent extends AllocationEvent {
  static readonly type = 'funding.allocation.approved.v1';
  /** One approver, or two different ones above the four-eyes threshold. */
  @ListField(is.uuid, { minItems: 1, maxItems: 2, uniqueItems: true }) approverUserIds!: string[];
  @FundingByYear('amountCents') amountByYear!: FundingYear[];
  @Field(is.text(4000), { nullable: true }) comment!: string | null;
}

export class AllocationRejectedEvent extends AllocationEvent {
  static readonly type = 'funding.allocation.rejected.v1';
  @Field(is.uuid) actorUserId!: string;
  @Field(is.text(4000)) reason!: string;
}

export class AllocationCancelledEvent extends AllocationEvent {
  static readonly type = 'funding.allocation.cancelled.v1';
  /** Null when the platform cancelled it (e.g. the proposal was withdrawn). */
  @Field(is.uuid, { nullable: true }) actorUserId!: string | null;
  @Field(is.text(4000)) reason!: string;
  /** Reservations given back to the budget lines. */
  @Field(is.cents) releasedCents!: number;
}

/** The grant decision (Bewilligungsbescheid) has been issued: the money is committed. */
export class AllocationCommittedEvent extends AllocationEvent {
  static readonly type = 'funding.allocation.committed.v1';
  @Field(is.date) grantDecisionDate!: string;
  /** The funding bank's reference number of the grant decision. */
  @Field(is.text(64)) grantReference!: string;
  @Field(is.uuid) actorUserId!: string;
}

/** Paid out and reported in full, or ended; what was committed but not paid goes back to the budget. */
export class AllocationClosedEvent extends AllocationEvent {
  static readonly type = 'funding.allocation.closed.v1';
  @NotGreaterThan('amountCents') @Field(is.cents) paidTotalCents!: number;
  @Field(is.cents) releasedCents!: number;
  @Field(is.uuid, { nullable: true }) actorUserId!: string | null;
}
