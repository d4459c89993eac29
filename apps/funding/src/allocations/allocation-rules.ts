import type { FundingYear } from '@wandelwerk/contracts';

export const FULL_RATE_BASIS_POINTS = 10_000;

/**
 * What the programme pays: the requested funding, but never more than the programme's rate of the eligible cost
 * (the rate may have been lowered since the proposal was submitted). Integers only: floor(rate × eligible / 10000).
 */
export function allocationAmount(
  requestedFundingCents: number,
  eligibleCostCents: number,
  maxFundingRateBasisPoints: number,
): number {
  const cap =
    (BigInt(maxFundingRateBasisPoints) * BigInt(eligibleCostCents)) / BigInt(FULL_RATE_BASIS_POINTS);
  return Number(BigInt(requestedFundingCents) < cap ? BigInt(requestedFundingCents) : cap);
}

/** The share of the eligible cost the allocation pays, in basis points (rounded down). */
export function appliedRate(amountCents: number, eligibleCostCents: number): number {
  if (eligibleCostCents === 0) return 0;
  return Number((BigInt(amountCents) * BigInt(FULL_RATE_BASIS_POINTS)) / BigInt(eligibleCostCents));
}

/**
 * The allocation split by year: the proposal's requested funding by year (from its cost plan), scaled down in
 * proportion when the amount is capped. The rounding remainder goes to the last year, so the rows add up exactly.
 */
export function splitByYear(requestedByYear: readonly FundingYear[], amountCents: number): FundingYear[] {
  const rows = [...requestedByYear].sort((a, b) => a.year - b.year);
  const requested = rows.reduce((sum, row) => sum + BigInt(row.amountCents), 0n);
  const amount = BigInt(amountCents);
  if (requested === amount) return rows.map((row) => ({ year: row.year, amountCents: row.amountCents }));
  let given = 0n;
  return rows.map((row, index) => {
    const share =
      index === rows.length - 1
        ? amount - given
        : requested === 0n
          ? 0n
          : (amount * BigInt(row.amountCents)) / requested;
    given += share;
    return { year: row.year, amountCents: Number(share) };
  });
}

/** Four eyes: at or above the programme's threshold two different officers approve. */
export function approvalsRequired(amountCents: number, fourEyesThresholdCents: number): 1 | 2 {
  return amountCents >= fourEyesThresholdCents ? 2 : 1;
}

export type ApprovalRefusal = 'own-proposal' | 'already-approved' | null;

/** Why this officer may not approve (the role is checked before), or null. */
export function approvalRefusal(
  approverUserId: string,
  allocation: { ownerUserId: string; approverUserIds: readonly string[] },
): ApprovalRefusal {
  if (approverUserId === allocation.ownerUserId) return 'own-proposal';
  if (allocation.approverUserIds.includes(approverUserId)) return 'already-approved';
  return null;
}
