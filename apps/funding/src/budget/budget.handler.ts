import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AmendBudgetCommand,
  FUNDING_RPC,
  FundingIdRequest,
  validateCommand,
  type BudgetAmendmentDto,
  type BudgetLedgerDto,
} from '@wandelwerk/contracts';
import { BudgetService } from './budget.service.js';

/** The gateway's requests about budgets; every payload is validated here again. */
@Controller()
export class BudgetHandler {
  constructor(private readonly budgets: BudgetService) {}

  @MessagePattern(FUNDING_RPC.budget)
  ledger(@Payload() payload: unknown): Promise<BudgetLedgerDto> {
    const { actor, id } = validateCommand(FundingIdRequest, payload);
    return this.budgets.ledgerOf(actor, id);
  }

  @MessagePattern(FUNDING_RPC.amendBudget)
  amend(@Payload() payload: unknown): Promise<BudgetAmendmentDto> {
    const { actor, id, data } = validateCommand(AmendBudgetCommand, payload);
    return this.budgets.amend(actor, id, data);
  }

  @MessagePattern(FUNDING_RPC.budgetAmendments)
  amendments(@Payload() payload: unknown): Promise<BudgetAmendmentDto[]> {
    const { actor, id } = validateCommand(FundingIdRequest, payload);
    return this.budgets.amendments(actor, id);
  }
}
