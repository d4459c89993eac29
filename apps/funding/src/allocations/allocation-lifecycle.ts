import type { AllocationStatus } from '@wandelwerk/contracts';

/** What a funding officer can do to an allocation. */
export const ALLOCATION_COMMANDS = ['approve', 'reject', 'commit', 'disburse', 'cancel'] as const;
export type AllocationCommand = (typeof ALLOCATION_COMMANDS)[number];

/**
 * The lifecycle as a pure table: for each status, the commands allowed and where they can lead. `approve` stays in
 * `requested` after the first of two approvals; `disburse` leads to `closed` with the last tranche.
 */
export const LIFECYCLE: Readonly<
  Record<AllocationStatus, Partial<Record<AllocationCommand, readonly AllocationStatus[]>>>
> = {
  requested: { approve: ['requested', 'approved'], reject: ['rejected'], cancel: ['cancelled'] },
  approved: { commit: ['committed'], cancel: ['cancelled'] },
  committed: { disburse: ['disbursing', 'closed'], cancel: ['cancelled'] },
  disbursing: { disburse: ['disbursing', 'closed'] },
  closed: {},
  rejected: {},
  cancelled: {},
};

export function allowedCommands(status: AllocationStatus): AllocationCommand[] {
  return ALLOCATION_COMMANDS.filter((command) => LIFECYCLE[status][command] !== undefined);
}

export function isAllowed(status: AllocationStatus, command: AllocationCommand): boolean {
  return LIFECYCLE[status][command] !== undefined;
}

/** Money of the allocation is reserved in the budget in these statuses (approved and not yet paid). */
export function holdsReservation(status: AllocationStatus): boolean {
  return status === 'approved' || status === 'committed' || status === 'disbursing';
}

export const STATUS_NAMES: Readonly<Record<AllocationStatus, { de: string; en: string }>> = {
  requested: { de: 'beantragt', en: 'requested' },
  approved: { de: 'freigegeben', en: 'approved' },
  committed: { de: 'bewilligt', en: 'committed' },
  disbursing: { de: 'in Auszahlung', en: 'disbursing' },
  closed: { de: 'abgeschlossen', en: 'closed' },
  rejected: { de: 'abgelehnt', en: 'rejected' },
  cancelled: { de: 'storniert', en: 'cancelled' },
};

export const COMMAND_NAMES: Readonly<Record<AllocationCommand, { de: string; en: string }>> = {
  approve: { de: 'freigegeben', en: 'approved' },
  reject: { de: 'abgelehnt', en: 'rejected' },
  commit: { de: 'bewilligt', en: 'committed' },
  disburse: { de: 'ausgezahlt', en: 'paid out' },
  cancel: { de: 'storniert', en: 'cancelled' },
};
