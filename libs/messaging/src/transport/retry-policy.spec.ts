import { describe, expect, it } from '@jest/globals';
import { redeliveryDelay } from './retry-policy.js';

const policy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 10_000 };

describe('redeliveryDelay', () => {
  it('doubles with every failed attempt', () => {
    const middle = (): number => 0.5;
    expect([1, 2, 3, 4].map((n) => redeliveryDelay(policy, n, middle))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('never exceeds the cap', () => {
    expect(redeliveryDelay(policy, 30, () => 0.5)).toBe(10_000);
  });

  it('spreads retries by at most 20 % either way', () => {
    expect(redeliveryDelay(policy, 1, () => 0)).toBe(800);
    expect(redeliveryDelay(policy, 1, () => 1)).toBe(1_200);
  });
});
