import { Module } from '@nestjs/common';
import { ProgrammesModule } from '../programmes/programmes.module.js';
import { BudgetLedger } from './budget-ledger.js';
import { BudgetHandler } from './budget.handler.js';
import { BudgetService } from './budget.service.js';

/** Budget lines per programme and year, amendments and the ledger; the ledger is what allocations write through. */
@Module({
  imports: [ProgrammesModule],
  controllers: [BudgetHandler],
  providers: [BudgetLedger, BudgetService],
  exports: [BudgetLedger, BudgetService],
})
export class BudgetModule {}
