import { Field, is, ListField, NestedField, NotBefore } from '../../validation/field-rules.js';
import { ChangedFields, REGIONS, type Region } from '../shared/references.event.js';

export class FundingPeriod {
  @Field(is.year) firstYear!: number;
  @NotBefore('firstYear') @Field(is.year) lastYear!: number;
}

/** A funding programme as of this version, whole (subject: the programme's id). */
abstract class ProgrammeSnapshotEvent {
  @Field(is.version) version!: number;
  /** What proposals name the programme by, e.g. INVKG-BB. */
  @Field(is.programmeCode) code!: string;
  @Field(is.text(200)) name!: string;
  @Field(is.text(300)) legalBasis!: string;
  /** The highest share of the eligible cost it pays, e.g. 9000 (90 %, §7 InvKG). */
  @Field(is.basisPoints) maxFundingRateBasisPoints!: number;
  @NestedField(() => FundingPeriod) fundingPeriod!: FundingPeriod;
  /** State codes as in the first two digits of an AGS (12 = Brandenburg). */
  @ListField(is.stateCode, { minItems: 1, maxItems: 16, uniqueItems: true }) eligibleStateCodes!: string[];
  @ListField(is.oneOf(REGIONS), { minItems: 1, maxItems: REGIONS.length, uniqueItems: true })
  eligibleRegions!: Region[];
  /** Allocations of this amount or more need two different approvers. */
  @Field(is.cents) fourEyesThresholdCents!: number;
  @Field(is.boolean) active!: boolean;
  @Field(is.uuid) actorUserId!: string;
}

export class ProgrammePublishedEvent extends ProgrammeSnapshotEvent {
  static readonly type = 'funding.programme.published.v1';
}

export class ProgrammeUpdatedEvent extends ProgrammeSnapshotEvent {
  static readonly type = 'funding.programme.updated.v1';
  @ChangedFields() changedFields!: string[];
}
