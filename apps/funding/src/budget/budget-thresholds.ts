import { BUDGET_THRESHOLDS_PERCENT, type BudgetThresholdPercent } from '@wandelwerk/contracts';

/**
 * The thresholds a change crossed upwards, given the levels before and after (0, 80, 90 or 100, computed by the
 * database from reserved + disbursed of planned). A level that falls (a release, a raise) and rises again crosses
 * again, so each crossing is announced once.
 */
export function thresholdsCrossed(levelBefore: number, levelAfter: number): BudgetThresholdPercent[] {
  return BUDGET_THRESHOLDS_PERCENT.filter((threshold) => levelBefore < threshold && threshold <= levelAfter);
}
