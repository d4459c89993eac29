import type { ActorDto, ProposalDto, Role } from '@wandelwerk/contracts';

/** Roles that see every proposal: they review, decide and administer across all municipalities. */
export const SEES_ALL: readonly Role[] = ['admin', 'funding_officer'];

/**
 * Which proposals an actor may see, as data: the list turns it into SQL, single reads and commands into
 * `maySee`. One rule for both, so that a list never shows what a direct read would answer 404 for, and back.
 */
export type ProposalScope =
  | { kind: 'all' }
  | { kind: 'owner'; userId: string }
  | { kind: 'municipality'; municipalityId: string }
  | { kind: 'none' };

export function scopeOf(actor: ActorDto): ProposalScope {
  if (SEES_ALL.includes(actor.role)) return { kind: 'all' };
  if (actor.role === 'program_manager') return { kind: 'owner', userId: actor.userId };
  // A municipality account sees what its municipality leads or takes part in; one without a municipality nothing.
  if (actor.role === 'municipality' && actor.municipalityId)
    return { kind: 'municipality', municipalityId: actor.municipalityId };
  return { kind: 'none' };
}

export type VisibilityFacts = Pick<ProposalDto, 'ownerUserId' | 'leadMunicipality' | 'partners'>;

/**
 * Whether the actor may see the proposal. `null` is the platform itself (reactions to funding events, reminder
 * jobs), which sees everything. A proposal the actor may not see is answered 404, never 403: its existence is
 * not the caller's to know.
 */
export function maySee(actor: ActorDto | null, proposal: VisibilityFacts): boolean {
  if (actor === null) return true;
  const scope = scopeOf(actor);
  switch (scope.kind) {
    case 'all':
      return true;
    case 'owner':
      return proposal.ownerUserId === scope.userId;
    case 'municipality':
      return (
        proposal.leadMunicipality.municipalityId === scope.municipalityId ||
        proposal.partners.some((partner) => partner.municipalityId === scope.municipalityId)
      );
    case 'none':
      return false;
  }
}
