import { Module } from '@nestjs/common';
import { BudgetModule } from '../budget/budget.module.js';
import { ProgrammesModule } from '../programmes/programmes.module.js';
import { AllocationsHandler } from './allocations.handler.js';
import { AllocationsService } from './allocations.service.js';
import { AllocationQueries } from './list-allocations.query.js';
import { ProposalEventsHandler } from './proposal-events.handler.js';

/** Allocations of endorsed proposals: approvals (four eyes), grant decisions, disbursements, the decision log. */
@Module({
  imports: [ProgrammesModule, BudgetModule],
  controllers: [AllocationsHandler, ProposalEventsHandler],
  providers: [AllocationsService, AllocationQueries],
})
export class AllocationsModule {}
