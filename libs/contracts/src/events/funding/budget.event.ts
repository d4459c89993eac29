import { Field, is } from '../../validation/field-rules.js';

/** The budget aggregate is one programme's budget line for one year (subject: the budget line's id). */
abstract class BudgetLineEvent {
  @Field(is.uuid) programmeId!: string;
  @Field(is.programmeCode) programmeCode!: string;
  @Field(is.year) year!: number;
}

export class BudgetAmendedEvent extends BudgetLineEvent {
  static readonly type = 'funding.budget.amended.v1';
  @Field(is.version) version!: number;
  @Field(is.cents) previousBudgetCents!: number;
  @Field(is.cents) budgetCents!: number;
  /** Reserved by allocations when amended; may exceed a cut budget, which then shows as over-reserved. */
  @Field(is.cents) reservedCents!: number;
  @Field(is.text(1000)) reason!: string;
  @Field(is.uuid) actorUserId!: string;
}

export const BUDGET_THRESHOLDS_PERCENT = [80, 90, 100] as const;
export type BudgetThresholdPercent = (typeof BUDGET_THRESHOLDS_PERCENT)[number];

/**
 * Published once per crossing when the money bound on a year (reserved + disbursed, as `reservedCents`) reaches a
 * threshold of the plan; after it falls below (a release, a raise) a new crossing is announced again.
 */
export class BudgetThresholdReachedEvent extends BudgetLineEvent {
  static readonly type = 'funding.budget.threshold-reached.v1';
  @Field(is.oneOf(BUDGET_THRESHOLDS_PERCENT)) thresholdPercent!: BudgetThresholdPercent;
  @Field(is.cents) budgetCents!: number;
  @Field(is.cents) reservedCents!: number;
}
