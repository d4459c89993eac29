import { Module } from '@nestjs/common';
import { AllocationsController } from './allocations.controller.js';
import { ProgrammesController } from './programmes.controller.js';
import { ReportsController } from './reports.controller.js';

/** The funding service's public API: programmes, budgets, allocations, reports; the funding service does the work. */
@Module({ controllers: [ProgrammesController, AllocationsController, ReportsController] })
export class FundingApiModule {}
