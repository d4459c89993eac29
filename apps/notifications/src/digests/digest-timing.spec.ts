import { describe, expect, it } from '@jest/globals';
import { berlinLocal, digestDue } from './digest-timing.js';

describe('digest timing (Europe/Berlin)', () => {
  it('reads local time in winter (UTC+1) and summer (UTC+2)', () => {
    expect(berlinLocal(new Date('2026-01-15T06:00:00Z'))).toEqual({ date: '2026-01-15', time: '07:00' });
    expect(berlinLocal(new Date('2026-07-15T05:00:00Z'))).toEqual({ date: '2026-07-15', time: '07:00' });
    expect(berlinLocal(new Date('2026-03-31T22:30:00Z'))).toEqual({ date: '2026-04-01', time: '00:30' });
  });

  it('is due from the set local time for the rest of that local day', () => {
    expect(digestDue('07:00', new Date('2026-01-15T05:59:00Z'))).toEqual({ due: false, day: '2026-01-15' });
    expect(digestDue('07:00', new Date('2026-01-15T06:00:00Z'))).toEqual({ due: true, day: '2026-01-15' });
    expect(digestDue('07:00', new Date('2026-07-15T04:59:00Z')).due).toBe(false);
    expect(digestDue('07:00', new Date('2026-07-15T05:00:00Z')).due).toBe(true);
    // Sunday of the change to summer time: 03:30 local is 01:30 UTC.
    expect(digestDue('03:30', new Date('2026-03-29T01:30:00Z'))).toEqual({ due: true, day: '2026-03-29' });
    expect(digestDue('23:00', new Date('2026-01-15T22:30:00Z'))).toEqual({ due: true, day: '2026-01-15' });
  });
});
