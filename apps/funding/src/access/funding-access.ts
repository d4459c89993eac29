import { problem, type ActorDto, type Role } from '@wandelwerk/contracts';

const ROLE_NAMES: Record<Role, { de: string; en: string }> = {
  admin: { de: 'Administratorinnen und Administratoren', en: 'administrators' },
  funding_officer: { de: 'Förderreferentinnen und -referenten', en: 'funding officers' },
  program_manager: { de: 'Programmverantwortliche', en: 'program managers' },
  municipality: { de: 'Kommunen', en: 'municipalities' },
};

export const forbidden = (de: string, en: string) => problem(403, 'funding.forbidden', { de, en });

/**
 * The service checks the role of every command itself: the gateway's `@Roles` is the first gate, not the only one.
 */
export function requireRole(actor: ActorDto, roles: readonly Role[], what: { de: string; en: string }): void {
  if (roles.includes(actor.role)) return;
  const names = roles.map((role) => ROLE_NAMES[role]);
  throw forbidden(
    `${what.de}: nur ${names.map((n) => n.de).join(' oder ')}.`,
    `${what.en}: only ${names.map((n) => n.en).join(' or ')}.`,
  );
}

/** Programmes and budgets are the administrators'. */
export const requireAdmin = (actor: ActorDto, what: { de: string; en: string }): void =>
  requireRole(actor, ['admin'], what);

/** Decisions on allocations (approve, reject, commit, disburse, cancel) are the funding officers'. */
export const requireFundingOfficer = (actor: ActorDto, what: { de: string; en: string }): void =>
  requireRole(actor, ['funding_officer'], what);

/** Who sees the budget ledger and every allocation. */
export const FUNDING_STAFF: readonly Role[] = ['admin', 'funding_officer'];

/** Whether the actor may read an allocation: funding staff all, an owner theirs, a municipality those it takes part in. */
export function maySeeAllocation(
  actor: ActorDto,
  allocation: { ownerUserId: string; municipalityIds: readonly string[] },
): boolean {
  if (FUNDING_STAFF.includes(actor.role)) return true;
  if (actor.role === 'program_manager') return actor.userId === allocation.ownerUserId;
  return !!actor.municipalityId && allocation.municipalityIds.includes(actor.municipalityId);
}
