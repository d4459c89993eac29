import { describe, expect, it } from '@jest/globals';
import {
  PROPOSAL_ACTIONS,
  PROPOSAL_STATUSES,
  type ProposalAction,
  type ProposalStatus,
} from '@wandelwerk/contracts';
import { allowedActions, isEditable, nextStatus } from './proposal-lifecycle.js';

const ALLOWED: [ProposalStatus, ProposalAction, ProposalStatus][] = [
  ['draft', 'submit', 'submitted'],
  ['draft', 'withdraw', 'withdrawn'],
  ['submitted', 'start-review', 'in-review'],
  ['submitted', 'withdraw', 'withdrawn'],
  ['in-review', 'request-revision', 'revision-requested'],
  ['in-review', 'endorse', 'endorsed'],
  ['in-review', 'reject', 'rejected'],
  ['in-review', 'withdraw', 'withdrawn'],
  ['revision-requested', 'submit', 'submitted'],
  ['revision-requested', 'withdraw', 'withdrawn'],
  ['endorsed', 'approve', 'approved'],
  ['endorsed', 'reject', 'rejected'],
  ['endorsed', 'withdraw', 'withdrawn'],
  ['approved', 'start-implementation', 'in-implementation'],
  ['in-implementation', 'complete', 'completed'],
];

const allowedKey = new Set(ALLOWED.map(([from, action]) => `${from}/${action}`));
const FORBIDDEN = PROPOSAL_STATUSES.flatMap((from) =>
  PROPOSAL_ACTIONS.filter((action) => !allowedKey.has(`${from}/${action}`)).map(
    (action) => [from, action] as const,
  ),
);

describe('proposal lifecycle', () => {
  it.each(ALLOWED)('%s --%s--> %s', (from, action, to) => {
    expect(nextStatus(from, action)).toBe(to);
    expect(allowedActions(from)).toContain(action);
  });

  it.each(FORBIDDEN)('refuses %s --%s-->', (from, action) => {
    expect(nextStatus(from, action)).toBeNull();
    expect(allowedActions(from)).not.toContain(action);
  });

  it('covers every pair of status and action', () => {
    expect(ALLOWED.length + FORBIDDEN.length).toBe(PROPOSAL_STATUSES.length * PROPOSAL_ACTIONS.length);
  });

  it('ends in rejected, withdrawn and completed', () => {
    for (const end of ['rejected', 'withdrawn', 'completed'] as const)
      expect(allowedActions(end)).toEqual([]);
  });

  it('lets only the owner edit, while the proposal is a draft or returned for revision', () => {
    expect(PROPOSAL_STATUSES.filter(isEditable)).toEqual(['draft', 'revision-requested']);
  });
});
