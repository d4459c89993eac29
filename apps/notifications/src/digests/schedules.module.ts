import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module.js';
import { ReviewWaitReminder } from '../reminders/review-wait.service.js';
import { DigestsService } from './digests.service.js';
import { SchedulesProcessor } from './schedules.processor.js';

/** Daily digests and the review-wait reminder. */
@Module({
  imports: [DeliveriesModule],
  providers: [DigestsService, ReviewWaitReminder, SchedulesProcessor],
  exports: [DigestsService, ReviewWaitReminder],
})
export class SchedulesModule {}
