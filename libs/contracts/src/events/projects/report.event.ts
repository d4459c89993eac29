import { Field, is, NestedField, NotBefore } from '../../validation/field-rules.js';
import { ProposalRef } from '../shared/references.event.js';

/** Zwischennachweis (interim) and Verwendungsnachweis (final) reports to the funding bank. */
export const REPORT_KINDS = ['interim', 'final'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** A reporting obligation of a project (subject: the report's id). */
abstract class ReportObligationEvent {
  @NestedField(() => ProposalRef) proposal!: ProposalRef;
  @Field(is.oneOf(REPORT_KINDS)) kind!: ReportKind;
  @Field(is.date) dueDate!: string;
}

export class ReportScheduledEvent extends ReportObligationEvent {
  static readonly type = 'projects.report.scheduled.v1';
  @Field(is.date) periodStart!: string;
  @NotBefore('periodStart') @Field(is.date) periodEnd!: string;
}

export class ReportFiledEvent extends ReportObligationEvent {
  static readonly type = 'projects.report.filed.v1';
  @Field(is.uuid) filedByUserId!: string;
  /** Filed after the due date. */
  @Field(is.boolean) late!: boolean;
  /** What the project has spent up to the report's period end. */
  @Field(is.cents) spentToDateCents!: number;
}

/** Published by the reminder job a set number of days before the due date. */
export class ReportDueSoonEvent extends ReportObligationEvent {
  static readonly type = 'projects.report.due-soon.v1';
  @Field(is.int(0, 365)) daysRemaining!: number;
}

/** Published by the reminder job after the due date while the report is missing. */
export class ReportOverdueEvent extends ReportObligationEvent {
  static readonly type = 'projects.report.overdue.v1';
  @Field(is.int(1, 3650)) daysOverdue!: number;
}
