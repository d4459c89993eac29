import type { ProposalAction, ProposalStatus } from '@wandelwerk/contracts';

/**
 * The lifecycle of a proposal as a pure table: for each status, the actions allowed and where they lead.
 * `approve` and the `reject` from `endorsed` are the platform's reactions to funding events.
 */
export const LIFECYCLE: Readonly<Record<ProposalStatus, Partial<Record<ProposalAction, ProposalStatus>>>> = {
  draft: { submit: 'submitted', withdraw: 'withdrawn' },
  submitted: { 'start-review': 'in-review', withdraw: 'withdrawn' },
  'in-review': {
    'request-revision': 'revision-requested',
    endorse: 'endorsed',
    reject: 'rejected',
    withdraw: 'withdrawn',
  },
  'revision-requested': { submit: 'submitted', withdraw: 'withdrawn' },
  endorsed: { approve: 'approved', reject: 'rejected', withdraw: 'withdrawn' },
  approved: { 'start-implementation': 'in-implementation' },
  'in-implementation': { complete: 'completed' },
  rejected: {},
  withdrawn: {},
  completed: {},
};

/** The actions a person may take through the API (approval comes from funding). */
export const USER_ACTIONS: readonly ProposalAction[] = [
  'submit',
  'start-review',
  'request-revision',
  'endorse',
  'reject',
  'withdraw',
  'start-implementation',
  'complete',
];

export function allowedActions(status: ProposalStatus): ProposalAction[] {
  return Object.keys(LIFECYCLE[status]) as ProposalAction[];
}

/** Where the action leads from the status, or null when it is not allowed there. */
export function nextStatus(status: ProposalStatus, action: ProposalAction): ProposalStatus | null {
  return LIFECYCLE[status][action] ?? null;
}

/** A proposal can be edited only while it is with its owner. */
export function isEditable(status: ProposalStatus): boolean {
  return status === 'draft' || status === 'revision-requested';
}

export const STATUS_NAMES: Readonly<Record<ProposalStatus, { de: string; en: string }>> = {
  draft: { de: 'Entwurf', en: 'draft' },
  submitted: { de: 'eingereicht', en: 'submitted' },
  'in-review': { de: 'in Prüfung', en: 'in review' },
  'revision-requested': { de: 'zur Überarbeitung zurückgegeben', en: 'returned for revision' },
  endorsed: { de: 'befürwortet', en: 'endorsed' },
  rejected: { de: 'abgelehnt', en: 'rejected' },
  withdrawn: { de: 'zurückgezogen', en: 'withdrawn' },
  approved: { de: 'bewilligt', en: 'approved' },
  'in-implementation': { de: 'in Umsetzung', en: 'in implementation' },
  completed: { de: 'abgeschlossen', en: 'completed' },
};

export const ACTION_NAMES: Readonly<Record<ProposalAction, { de: string; en: string }>> = {
  submit: { de: 'eingereicht', en: 'submitted' },
  'start-review': { de: 'in Prüfung genommen', en: 'taken into review' },
  'request-revision': { de: 'zur Überarbeitung zurückgegeben', en: 'returned for revision' },
  endorse: { de: 'befürwortet', en: 'endorsed' },
  reject: { de: 'abgelehnt', en: 'rejected' },
  withdraw: { de: 'zurückgezogen', en: 'withdrawn' },
  approve: { de: 'bewilligt', en: 'approved' },
  'start-implementation': { de: 'in Umsetzung genommen', en: 'put into implementation' },
  complete: { de: 'abgeschlossen', en: 'completed' },
};
