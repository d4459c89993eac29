import { Module } from '@nestjs/common';
import { ReportFileController } from './report-file.controller.js';
import { ReportFiles } from './report-files.js';
import { ReportProcessor } from './report.processor.js';
import { ReportsHandler } from './reports.handler.js';
import { ReportsService } from './reports.service.js';

/** Funding reports: monthly and on-demand report jobs, CSV files, their internal download route. */
@Module({
  controllers: [ReportsHandler, ReportFileController],
  providers: [ReportsService, ReportFiles, ReportProcessor],
})
export class ReportsModule {}
