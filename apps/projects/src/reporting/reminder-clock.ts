import { Injectable } from '@nestjs/common';

/**
 * The time the reminders are computed against. Production uses the wall clock; integration tests shift it so that a
 * reminder due in weeks becomes a real BullMQ delayed job due in a second or two.
 */
@Injectable()
export class ReminderClock {
  offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}
