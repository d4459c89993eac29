/**
 * When the reminders of a reporting obligation go out. Due dates are calendar days in Germany: a report due on
 * 2026-03-31 may be filed until the end of that day in Europe/Berlin; the instants are computed and stored in UTC.
 */
const ZONE = 'Europe/Berlin';
const DAY_MS = 86_400_000;

const berlinParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function wallClock(instant: number): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const parts: Record<string, number> = {};
  for (const part of berlinParts.formatToParts(new Date(instant)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return {
    y: parts['year'],
    m: parts['month'],
    d: parts['day'],
    h: parts['hour'],
    min: parts['minute'],
    s: parts['second'],
  };
}

/** The offset of Berlin's wall clock from UTC at an instant, in milliseconds (+1 h in winter, +2 h in summer). */
export function berlinOffsetMs(instant: number): number {
  const w = wallClock(instant);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s) - Math.floor(instant / 1000) * 1000;
}

function parseDate(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

/** `YYYY-MM-DD` plus (or minus) whole calendar days. */
export function addDays(date: string, days: number): string {
  return new Date(parseDate(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The instant (UTC) at which the calendar day `date` begins in Berlin; midnight never falls into a DST gap there. */
export function startOfBerlinDay(date: string): Date {
  const wall = parseDate(date);
  const guess = wall - berlinOffsetMs(wall);
  return new Date(wall - berlinOffsetMs(guess));
}

/** The end of the due day in Berlin (exclusive: the first instant of the next day), in UTC. */
export function overdueAt(dueDate: string): Date {
  return startOfBerlinDay(addDays(dueDate, 1));
}

/** Midnight in Berlin `leadDays` calendar days before the due date, in UTC. */
export function dueSoonAt(dueDate: string, leadDays: number): Date {
  return startOfBerlinDay(addDays(dueDate, -leadDays));
}

/** The calendar day in Berlin at an instant, `YYYY-MM-DD`. */
export function berlinDate(instant: Date): string {
  const w = wallClock(instant.getTime());
  return `${w.y}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

/** Whole calendar days from one date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((parseDate(to) - parseDate(from)) / DAY_MS);
}

/** Days left until the due date, counted in Berlin calendar days (0 on the due day itself). */
export function daysRemaining(dueDate: string, now: Date): number {
  return Math.max(0, daysBetween(berlinDate(now), dueDate));
}

/** Days past the due date, at least 1 once it is overdue (the day after the due day is the first day overdue). */
export function daysOverdue(dueDate: string, now: Date): number {
  return Math.max(1, daysBetween(dueDate, berlinDate(now)));
}

/** A BullMQ delay: how long until an instant, never negative. */
export function delayUntil(instant: Date, now: Date): number {
  return Math.max(0, instant.getTime() - now.getTime());
}
