import { Module } from '@nestjs/common';
import { ProposalsModule } from '../proposals/proposals.module.js';
import { FileReportUseCase } from './file-report.use-case.js';
import { ReportingQueries } from './list-reporting.query.js';
import { ReminderClock } from './reminder-clock.js';
import { ReportReminderProcessor } from './report-reminder.processor.js';
import { ReportReminders } from './report-reminders.service.js';
import { ReportingHandler } from './reporting.handler.js';
import { RescheduleMilestoneUseCase } from './reschedule-milestone.use-case.js';
import { RescheduleReportUseCase } from './reschedule-report.use-case.js';
import { ScheduleMilestoneUseCase } from './schedule-milestone.use-case.js';
import { ScheduleReportUseCase } from './schedule-report.use-case.js';

/** Milestones, reporting obligations, filed reports and their reminder jobs. */
@Module({
  imports: [ProposalsModule],
  controllers: [ReportingHandler],
  providers: [
    ReminderClock,
    ReportReminders,
    ReportReminderProcessor,
    ScheduleMilestoneUseCase,
    RescheduleMilestoneUseCase,
    ScheduleReportUseCase,
    RescheduleReportUseCase,
    FileReportUseCase,
    ReportingQueries,
  ],
})
export class ReportingModule {}
