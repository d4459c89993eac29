import { Field, is, NotBefore } from '../../validation/field-rules.js';

export const FUNDING_REPORT_KINDS = ['budget-overview', 'allocations', 'disbursements'] as const;
export type FundingReportKind = (typeof FUNDING_REPORT_KINDS)[number];

/** A report the funding report job has generated and stored (subject: the report's id). */
export class FundingReportGeneratedEvent {
  static readonly type = 'funding.report.generated.v1';
  @Field(is.oneOf(FUNDING_REPORT_KINDS)) kind!: FundingReportKind;
  /** Null for a report across all programmes. */
  @Field(is.programmeCode, { nullable: true }) programmeCode!: string | null;
  @Field(is.date) periodStart!: string;
  @NotBefore('periodStart') @Field(is.date) periodEnd!: string;
  @Field(is.oneOf(['csv'])) format!: 'csv';
  @Field(is.int(0, 1_000_000_000)) byteSize!: number;
  @Field(is.sha256) sha256!: string;
  /** Null when the schedule ran it. */
  @Field(is.uuid, { nullable: true }) requestedByUserId!: string | null;
}
