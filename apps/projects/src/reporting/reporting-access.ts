import type { ActorDto, ProposalDto, ProposalStatus } from '@wandelwerk/contracts';
import type { EntityManager } from 'typeorm';
import type { ProposalsService } from '../proposals/proposals.service.js';
import { ReportingProblems } from './reporting.problems.js';

/** Milestones and obligations are scheduled and moved while the project is approved or being implemented. */
export const SCHEDULABLE: readonly ProposalStatus[] = ['approved', 'in-implementation'];
/** Reports are filed (and their due dates moved) until the end, the final report usually after completion. */
export const REPORTABLE: readonly ProposalStatus[] = ['approved', 'in-implementation', 'completed'];

export function requireOfficer(actor: ActorDto): void {
  if (actor.role !== 'admin' && actor.role !== 'funding_officer') throw ReportingProblems.officersOnly();
}

export function requireOwner(actor: ActorDto, proposal: ProposalDto): void {
  if (actor.role !== 'admin' && actor.userId !== proposal.ownerUserId) throw ReportingProblems.ownerOnly();
}

/**
 * The proposal, locked against a concurrent transition (a transition's update waits for this transaction), checked
 * in this order: 404 when it does not exist or the actor may not see it, 403 when `authorize` refuses the actor, 409
 * with the current state when it is not in one of the allowed statuses.
 */
export async function proposalIn(
  manager: EntityManager,
  proposals: ProposalsService,
  actor: ActorDto,
  id: string,
  allowed: readonly ProposalStatus[],
  authorize: (actor: ActorDto, proposal: ProposalDto) => void,
  refusal: (current: ProposalStatus) => Error = ReportingProblems.notApproved,
): Promise<ProposalDto> {
  await manager.query(`SELECT 1 FROM projects.proposal WHERE id = $1 FOR SHARE`, [id]);
  const proposal = await proposals.loadFor(manager, id, actor);
  authorize(actor, proposal);
  if (!allowed.includes(proposal.status)) throw refusal(proposal.status);
  return proposal;
}
