import { IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { apply } from '../fields.js';
import { localizedMessage } from '../validation.js';

export { Cents, MAX_CENTS } from '../fields.js';

const DATE_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

export const PROGRAMME_CODE_PATTERN = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$/;

/** A calendar year the platform plans in. */
export function Year(): PropertyDecorator {
  return apply(IsInt(), Min(2000), Max(2100));
}

/** A calendar date `YYYY-MM-DD` that exists (no 2026-02-30). */
export function CalendarDate(): PropertyDecorator {
  return apply(
    IsISO8601(
      { strict: true, strictSeparator: true },
      localizedMessage('muss ein gültiges Kalenderdatum sein', 'must be a real calendar date'),
    ),
    Matches(
      DATE_PATTERN,
      localizedMessage('muss ein Datum JJJJ-MM-TT sein', 'must be a calendar date YYYY-MM-DD'),
    ),
  );
}

/** Text of 1 to `max` characters. */
export function Text(max: number): PropertyDecorator {
  return apply(IsString(), Length(1, max));
}

/** Optional text of 1 to `max` characters (null or absent: none). */
export function OptionalText(max: number): PropertyDecorator {
  return apply(IsOptional(), IsString(), Length(1, max));
}
