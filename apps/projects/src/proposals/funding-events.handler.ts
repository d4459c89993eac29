import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { AllocationApprovedEvent, AllocationRejectedEvent, CloudEvent } from '@wandelwerk/contracts';
import type { EventContext } from '@wandelwerk/messaging';
import { ProposalsService } from './proposals.service.js';

const statusOf = async (ctx: EventContext, id: string): Promise<string | undefined> =>
  (
    await ctx.manager.query<{ status: string }[]>(`SELECT status FROM projects.proposal WHERE id = $1`, [id])
  )[0]?.status;

/**
 * Funding decides on endorsed proposals: an approved allocation approves the proposal, a rejected one rejects it.
 * Only an `endorsed` proposal changes, so a late or repeated event has no effect.
 */
@Controller()
export class FundingEventsHandler {
  constructor(private readonly proposals: ProposalsService) {}

  @EventPattern<string>('funding.allocation.approved.v1')
  async approved(
    @Payload() event: CloudEvent<AllocationApprovedEvent>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    const id = event.data.proposal.proposalId;
    if ((await statusOf(ctx, id)) !== 'endorsed') return;
    await this.proposals.transitionIn(ctx.manager, id, {
      action: 'approve',
      actor: null,
      comment: event.data.comment,
      extra: {
        allocationId: event.subject,
        approvedFundingCents: event.data.amountCents,
        grantDecisionDate: event.time.slice(0, 10),
      },
      set: { allocation_id: event.subject, approved_funding_cents: event.data.amountCents },
    });
  }

  @EventPattern<string>('funding.allocation.rejected.v1')
  async rejected(
    @Payload() event: CloudEvent<AllocationRejectedEvent>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    const id = event.data.proposal.proposalId;
    if ((await statusOf(ctx, id)) !== 'endorsed') return;
    await this.proposals.transitionIn(ctx.manager, id, {
      action: 'reject',
      actor: null,
      comment: event.data.reason,
    });
  }
}
