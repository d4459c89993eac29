import { describe, expect, it } from '@jest/globals';
import {
  addDays,
  berlinDate,
  daysOverdue,
  daysRemaining,
  delayUntil,
  dueSoonAt,
  overdueAt,
  startOfBerlinDay,
} from './report-deadlines.js';

describe('report deadlines (Europe/Berlin, stored in UTC)', () => {
  it('ends a winter due day at 23:00 UTC and a summer one at 22:00 UTC', () => {
    expect(overdueAt('2026-01-15').toISOString()).toBe('2026-01-15T23:00:00.000Z');
    expect(overdueAt('2026-07-15').toISOString()).toBe('2026-07-15T22:00:00.000Z');
  });

  it('handles the spring change (29 March 2026, 02:00 → 03:00)', () => {
    expect(startOfBerlinDay('2026-03-29').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(overdueAt('2026-03-28').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(overdueAt('2026-03-29').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    // The due day of the change is 23 hours long.
    expect(overdueAt('2026-03-29').getTime() - startOfBerlinDay('2026-03-29').getTime()).toBe(23 * 3_600_000);
  });

  it('handles the autumn change (25 October 2026, 03:00 → 02:00)', () => {
    expect(overdueAt('2026-10-24').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(overdueAt('2026-10-25').toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(overdueAt('2026-10-25').getTime() - startOfBerlinDay('2026-10-25').getTime()).toBe(25 * 3_600_000);
  });

  it('sends the due-soon reminder at midnight in Berlin the lead time before, across a DST change', () => {
    expect(dueSoonAt('2026-04-10', 14).toISOString()).toBe('2026-03-26T23:00:00.000Z');
    expect(dueSoonAt('2026-04-05', 14).toISOString()).toBe('2026-03-21T23:00:00.000Z');
    expect(dueSoonAt('2026-11-01', 14).toISOString()).toBe('2026-10-17T22:00:00.000Z');
    expect(dueSoonAt('2026-03-31', 1).toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });

  it('counts calendar days in Berlin, not in UTC', () => {
    // 23:30 UTC on 31 March is already 1 April in Berlin.
    const lateEvening = new Date('2026-03-31T23:30:00Z');
    expect(berlinDate(lateEvening)).toBe('2026-04-01');
    expect(daysRemaining('2026-04-15', lateEvening)).toBe(14);
    expect(daysRemaining('2026-04-01', lateEvening)).toBe(0);
    expect(daysRemaining('2026-03-01', lateEvening)).toBe(0);
    expect(daysOverdue('2026-03-31', lateEvening)).toBe(1);
    expect(daysOverdue('2026-03-21', lateEvening)).toBe(11);
    expect(daysRemaining('2026-04-15', dueSoonAt('2026-04-15', 14))).toBe(14);
  });

  it('adds calendar days over month and year ends and never delays negatively', () => {
    expect(addDays('2026-12-25', 14)).toBe('2027-01-08');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    const now = new Date('2026-01-01T00:00:00Z');
    expect(delayUntil(new Date('2026-01-01T00:00:02Z'), now)).toBe(2000);
    expect(delayUntil(new Date('2025-12-31T00:00:00Z'), now)).toBe(0);
  });
});
