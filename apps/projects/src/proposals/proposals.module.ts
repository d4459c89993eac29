import { Module } from '@nestjs/common';
import { ReviewsService } from '../reviews/reviews.service.js';
import { FundingEventsHandler } from './funding-events.handler.js';
import { ProposalQueries } from './list-proposals.query.js';
import { ProposalsHandler } from './proposals.handler.js';
import { ProposalsService } from './proposals.service.js';

/** Proposals, their lifecycle and reviews. */
@Module({
  controllers: [ProposalsHandler, FundingEventsHandler],
  providers: [ProposalsService, ProposalQueries, ReviewsService],
  exports: [ProposalsService],
})
export class ProposalsModule {}
