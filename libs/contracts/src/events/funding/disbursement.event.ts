import { Field, is, NestedField, NotGreaterThan } from '../../validation/field-rules.js';
import { ProposalRef } from '../shared/references.event.js';

/** An instalment paid against a committed allocation (subject: the disbursement's id). */
export class DisbursementPaidEvent {
  static readonly type = 'funding.disbursement.paid.v1';
  @Field(is.uuid) allocationId!: string;
  @NestedField(() => ProposalRef) proposal!: ProposalRef;
  @Field(is.programmeCode) programmeCode!: string;
  @Field(is.int(1, 1000)) instalment!: number;
  @NotGreaterThan('paidTotalCents') @Field(is.cents) amountCents!: number;
  @Field(is.date) paidOn!: string;
  /** Paid on the allocation so far, this instalment included. */
  @Field(is.cents) paidTotalCents!: number;
  /** Committed and not yet paid. */
  @Field(is.cents) remainingCents!: number;
  /** The report (Zwischennachweis) the instalment was paid against, if any. */
  @Field(is.uuid, { nullable: true }) reportId!: string | null;
  @Field(is.uuid) actorUserId!: string;
}
