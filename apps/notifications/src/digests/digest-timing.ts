const BERLIN = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Berlin',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The local date (YYYY-MM-DD) and time (HH:MM) in Europe/Berlin of an instant, summer time included. */
export function berlinLocal(instant: Date): { date: string; time: string } {
  const parts = Object.fromEntries(BERLIN.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    date: `${parts['year']}-${parts['month']}-${parts['day']}`,
    time: `${parts['hour']}:${parts['minute']}`,
  };
}

/**
 * Whether the daily digest of a recipient whose digest time is `digestTime` (HH:MM, Europe/Berlin) is due at
 * `instant`, and for which local day. Due from that local time on, for the rest of the local day (so a run a few
 * minutes late, or after a restart, still sends it; the digest row makes it once a day).
 */
export function digestDue(digestTime: string, instant: Date): { due: boolean; day: string } {
  const local = berlinLocal(instant);
  return { due: local.time >= digestTime, day: local.date };
}
