import { validateEventData } from '@wandelwerk/contracts';
import type { ServiceBlueprint } from '@wandelwerk/platform';
import { AllocationsModule } from './allocations/allocations.module.js';
import { BudgetModule } from './budget/budget.module.js';
import type { FundingSettings } from './config/funding.settings.js';
import { FUNDING_MIGRATIONS } from './infrastructure/persistence/migrations/index.js';
import { FUNDING_SCHEMA } from './infrastructure/persistence/schema.js';
import { ProgrammesModule } from './programmes/programmes.module.js';
import { ReportsModule } from './reports/reports.module.js';

/** How the funding service is put together, for its entry point, its CLI and its end-to-end tests. */
export function fundingBlueprint(settings: FundingSettings): ServiceBlueprint<FundingSettings> {
  return {
    name: 'funding',
    settings,
    modules: [ProgrammesModule, BudgetModule, AllocationsModule, ReportsModule],
    database: { schema: FUNDING_SCHEMA, entities: [], migrations: FUNDING_MIGRATIONS },
    redis: true,
    messaging: { validatePayload: validateEventData },
  };
}

export { FundingSettings } from './config/funding.settings.js';
// For the report benchmark (bench/funding-report.bench.ts), which drives the report job in the service it starts.
export { ReportFiles } from './reports/report-files.js';
export { REPORT_LAYOUTS } from './reports/report-layouts.js';
export { ReportsService } from './reports/reports.service.js';
