import { describe, expect, it } from '@jest/globals';
import { thresholdsCrossed } from './budget-thresholds.js';

describe('budget thresholds', () => {
  it('announces each threshold a change crosses upwards', () => {
    expect(thresholdsCrossed(0, 80)).toEqual([80]);
    expect(thresholdsCrossed(0, 100)).toEqual([80, 90, 100]);
    expect(thresholdsCrossed(80, 90)).toEqual([90]);
  });

  it('announces nothing when the level stays or falls', () => {
    expect(thresholdsCrossed(90, 90)).toEqual([]);
    expect(thresholdsCrossed(100, 80)).toEqual([]);
    expect(thresholdsCrossed(0, 0)).toEqual([]);
  });

  it('announces a threshold again after the level fell below it', () => {
    expect(thresholdsCrossed(80, 90)).toEqual([90]);
    expect(thresholdsCrossed(0, 90)).toEqual([80, 90]);
  });
});
