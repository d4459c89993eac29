import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { CloudEvent, ProposalEndorsedEvent, ProposalWithdrawnEvent } from '@wandelwerk/contracts';
import type { EventContext } from '@wandelwerk/messaging';
import { AllocationsService } from './allocations.service.js';

/**
 * The proposals funding decides on: an endorsement opens the allocation request, a withdrawal cancels it (and gives
 * back what it reserved). Both are idempotent beyond the inbox: one allocation per proposal, and only an allocation
 * that can still be cancelled is.
 */
@Controller()
export class ProposalEventsHandler {
  constructor(private readonly allocations: AllocationsService) {}

  @EventPattern<string>('projects.proposal.endorsed.v1')
  async endorsed(
    @Payload() event: CloudEvent<ProposalEndorsedEvent>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.allocations.open(ctx.manager, event.subject, event.data);
  }

  @EventPattern<string>('projects.proposal.withdrawn.v1')
  async withdrawn(
    @Payload() event: CloudEvent<ProposalWithdrawnEvent>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.allocations.proposalWithdrawn(ctx.manager, event.subject);
  }
}
