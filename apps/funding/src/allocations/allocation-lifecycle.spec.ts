import { describe, expect, it } from '@jest/globals';
import { ALLOCATION_STATUSES } from '@wandelwerk/contracts';
import { allowedCommands, holdsReservation, isAllowed, LIFECYCLE } from './allocation-lifecycle.js';

describe('allocation lifecycle', () => {
  it('allows per status exactly what the issue describes', () => {
    expect(
      Object.fromEntries(ALLOCATION_STATUSES.map((status) => [status, allowedCommands(status)])),
    ).toEqual({
      requested: ['approve', 'reject', 'cancel'],
      approved: ['commit', 'cancel'],
      committed: ['disburse', 'cancel'],
      disbursing: ['disburse'],
      closed: [],
      rejected: [],
      cancelled: [],
    });
  });

  it('leads only to known statuses, and the terminal ones nowhere', () => {
    for (const status of ALLOCATION_STATUSES) {
      for (const targets of Object.values(LIFECYCLE[status])) {
        for (const target of targets ?? []) expect(ALLOCATION_STATUSES).toContain(target);
      }
    }
    expect(isAllowed('closed', 'disburse')).toBe(false);
    expect(isAllowed('disbursing', 'cancel')).toBe(false);
  });

  it('holds a reservation from approval until paid or released', () => {
    expect(ALLOCATION_STATUSES.filter(holdsReservation)).toEqual(['approved', 'committed', 'disbursing']);
  });
});
