import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CompleteProposalCommand,
  CreateProposalCommand,
  EndorseProposalCommand,
  ListProposalsRequest,
  PROJECTS_RPC,
  ProposalIdRequest,
  RecordReviewCommand,
  RejectProposalCommand,
  RequestRevisionCommand,
  StartImplementationCommand,
  StartReviewCommand,
  SubmitProposalCommand,
  UpdateProposalCommand,
  validateCommand,
  WithdrawProposalCommand,
  type Page,
  type ProposalDto,
  type ProposalTransitionDto,
  type ReviewDto,
} from '@wandelwerk/contracts';
import { ReviewsService } from '../reviews/reviews.service.js';
import { ProposalQueries } from './list-proposals.query.js';
import { ProposalsService } from './proposals.service.js';

/**
 * The gateway's requests about proposals; every payload is validated here again. Every request names the actor:
 * what they may not see answers 404 (`proposal-visibility.ts`), what they see but may not do 403.
 */
@Controller()
export class ProposalsHandler {
  constructor(
    private readonly proposals: ProposalsService,
    private readonly queries: ProposalQueries,
    private readonly reviews: ReviewsService,
  ) {}

  @MessagePattern(PROJECTS_RPC.create)
  create(@Payload() payload: unknown): Promise<ProposalDto> {
    const command = validateCommand(CreateProposalCommand, payload);
    return this.proposals.create(command.actor, command.data);
  }

  @MessagePattern(PROJECTS_RPC.update)
  update(@Payload() payload: unknown): Promise<ProposalDto> {
    const command = validateCommand(UpdateProposalCommand, payload);
    return this.proposals.update(command.actor, command.id, command.data);
  }

  @MessagePattern(PROJECTS_RPC.get)
  get(@Payload() payload: unknown): Promise<ProposalDto> {
    const { actor, id } = validateCommand(ProposalIdRequest, payload);
    return this.proposals.get(actor, id);
  }

  @MessagePattern(PROJECTS_RPC.list)
  list(@Payload() payload: unknown): Promise<Page<ProposalDto>> {
    const { actor, query } = validateCommand(ListProposalsRequest, payload);
    return this.queries.list(actor, query);
  }

  @MessagePattern(PROJECTS_RPC.history)
  history(@Payload() payload: unknown): Promise<ProposalTransitionDto[]> {
    const { actor, id } = validateCommand(ProposalIdRequest, payload);
    return this.proposals.history(actor, id);
  }

  @MessagePattern(PROJECTS_RPC.submit)
  submit(@Payload() payload: unknown): Promise<ProposalDto> {
    const { actor, id, data } = validateCommand(SubmitProposalCommand, payload);
    return this.proposals.transition(id, {
      action: 'submit',
      actor,
      comment: data.comment ?? null,
      precondition: (manager, proposal) => this.proposals.checkSubmitRules(manager, proposal),
    });
  }

  @MessagePattern(PROJECTS_RPC.startReview)
  startReview(@Payload() payload: unknown): Promise<ProposalDto> {
    const { actor, id, data } = validateCommand(StartReviewCommand, payload);
    return this.proposals.transition(id, {
      action: 'start-review',
      actor,
      comment: data.comment ?? null,
      extra: { reviewerUserId: data.reviewerUserId ?? actor.userId, reviewDueDate: data.reviewDueDate },
    });
  }

  @MessagePattern(PROJECTS_RPC.requestRevision)
  requestRevision(@Payload() payload: unknown): Promise<ProposalDto> {
    const { actor, id, data } = validateCommand(RequestRevisionCommand, payload);
    return this.proposals.transition(id, {
      action: 'request-revision',
      actor,
      comment: data.comment,
      extra: { responseDueDate: data.responseDueDate },
    });
  }

  @MessagePattern(PROJECTS_RPC.endorse)
  endorse(@Payload() payload: unknown): Promise<ProposalDto> {
    const { actor, id, data } = validateCommand(EndorseProposalCommand, payload);
    return this.proposals.transition(id, {
      action: 'endorse',
      actor,
      comment: data.comment ?? null,
      extra: { reviewId: data.reviewId },
      precondition: async (manager, proposal) => {
        await this.reviews.requireVotum(manager, id, this.roundOf(proposal), data.reviewId, 'endorse');
        return this.proposals.endorsedExtras(proposal);
      },
    });
  }

  @MessagePattern(PROJECTS_RPC.reject)
  reject(@Payload() payload: unknown): Promise<ProposalDto> {
    const { actor, id, data } = validateCommand(RejectProposalCommand, payload);
    return this.proposals.transition(id, {
      action: 'reject',
      actor,
      comment: data.comment,
      precondition: async (manager, proposal) => {
        // After endorsement only funding rejects (funding.allocation.rejected.v1).
        if (proposal.status !== 'in-review') return;
        await this.reviews.requireVotum(manager, id, this.roundOf(proposal), data.reviewId, 'reject');
      },
    });
  }

  @MessagePattern(PROJECTS_RPC.withdraw)
  withdraw(@Payload() payload: unknown): Promise<ProposalDto> {
    const { actor, id, data } = validateCommand(WithdrawProposalCommand, payload);
    return this.proposals.transition(id, { action: 'withdraw', actor, comment: data.comment ?? null });
  }

  @MessagePattern(PROJECTS_RPC.startImplementation)
  startImplementation(@Payload() payload: unknown): Promise<ProposalDto> {
    const { actor, id, data } = validateCommand(StartImplementationCommand, payload);
    return this.proposals.transition(id, {
      action: 'start-implementation',
      actor,
      comment: data.comment ?? null,
      extra: { startedOn: data.startedOn },
    });
  }

  @MessagePattern(PROJECTS_RPC.complete)
  complete(@Payload() payload: unknown): Promise<ProposalDto> {
    const { actor, id, data } = validateCommand(CompleteProposalCommand, payload);
    return this.proposals.transition(id, {
      action: 'complete',
      actor,
      comment: data.comment ?? null,
      extra: { completedOn: data.completedOn, finalCostCents: data.finalCostCents },
    });
  }

  @MessagePattern(PROJECTS_RPC.recordReview)
  recordReview(@Payload() payload: unknown): Promise<ReviewDto> {
    const { actor, id, data } = validateCommand(RecordReviewCommand, payload);
    return this.reviews.record(actor, id, data);
  }

  @MessagePattern(PROJECTS_RPC.listReviews)
  listReviews(@Payload() payload: unknown): Promise<ReviewDto[]> {
    const { actor, id } = validateCommand(ProposalIdRequest, payload);
    return this.reviews.list(actor, id);
  }

  private roundOf(proposal: ProposalDto): number {
    return (proposal as ProposalDto & { reviewRound: number }).reviewRound;
  }
}
