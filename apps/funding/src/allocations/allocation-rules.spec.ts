import { describe, expect, it } from '@jest/globals';
import {
  allocationAmount,
  appliedRate,
  approvalRefusal,
  approvalsRequired,
  splitByYear,
} from './allocation-rules.js';

describe('allocation rules', () => {
  describe('allocationAmount', () => {
    it('is the requested funding when it is within the programme rate', () => {
      expect(allocationAmount(1_062_000_000, 1_180_000_000, 9000)).toBe(1_062_000_000);
    });

    it('is capped at rate × eligible cost, rounded down to the cent', () => {
      // 90 % of 1,000,001 cents is 900,000.9 cents: the programme pays 900,000.
      expect(allocationAmount(1_000_001, 1_000_001, 9000)).toBe(900_000);
    });

    it('stays exact beyond 2^53 intermediate products', () => {
      const eligible = Number.MAX_SAFE_INTEGER;
      expect(allocationAmount(eligible, eligible, 10_000)).toBe(eligible);
      expect(allocationAmount(eligible, eligible, 5_000)).toBe(Math.floor(eligible / 2));
    });
  });

  describe('splitByYear', () => {
    const requested = [
      { year: 2027, amountCents: 531_000_000 },
      { year: 2026, amountCents: 531_000_000 },
    ];

    it('keeps the proposal split (sorted by year) when nothing is capped', () => {
      expect(splitByYear(requested, 1_062_000_000)).toEqual([
        { year: 2026, amountCents: 531_000_000 },
        { year: 2027, amountCents: 531_000_000 },
      ]);
    });

    it('scales down in proportion and gives the remainder to the last year, adding up exactly', () => {
      const rows = splitByYear(
        [
          { year: 2026, amountCents: 1 },
          { year: 2027, amountCents: 1 },
          { year: 2028, amountCents: 1 },
        ],
        2,
      );
      expect(rows).toEqual([
        { year: 2026, amountCents: 0 },
        { year: 2027, amountCents: 0 },
        { year: 2028, amountCents: 2 },
      ]);
      const uneven = splitByYear(
        [
          { year: 2026, amountCents: 300 },
          { year: 2027, amountCents: 700 },
        ],
        333,
      );
      expect(uneven).toEqual([
        { year: 2026, amountCents: 99 },
        { year: 2027, amountCents: 234 },
      ]);
    });
  });

  it('applies the rate as basis points of the eligible cost', () => {
    expect(appliedRate(1_062_000_000, 1_180_000_000)).toBe(9000);
    expect(appliedRate(1, 3)).toBe(3333);
    expect(appliedRate(0, 0)).toBe(0);
  });

  it('needs two approvals at or above the four-eyes threshold, one below', () => {
    expect(approvalsRequired(99_999_999, 100_000_000)).toBe(1);
    expect(approvalsRequired(100_000_000, 100_000_000)).toBe(2);
    expect(approvalsRequired(0, 0)).toBe(2);
  });

  describe('approvalRefusal', () => {
    const owner = '11111111-1111-4111-8111-111111111111';
    const first = '22222222-2222-4222-8222-222222222222';
    const second = '33333333-3333-4333-8333-333333333333';

    it('refuses the owner of the proposal, even as the first approver', () => {
      expect(approvalRefusal(owner, { ownerUserId: owner, approverUserIds: [] })).toBe('own-proposal');
    });

    it('refuses an officer who approved already', () => {
      expect(approvalRefusal(first, { ownerUserId: owner, approverUserIds: [first] })).toBe(
        'already-approved',
      );
    });

    it('lets another officer approve', () => {
      expect(approvalRefusal(second, { ownerUserId: owner, approverUserIds: [first] })).toBeNull();
    });
  });
});
