import { IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { localizedMessage } from '../validation.js';

const DATE_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** Largest amount of money any field takes: sums of such amounts stay exact in JavaScript numbers. */
export const MAX_CENTS = Number.MAX_SAFE_INTEGER;
export const PROGRAMME_CODE_PATTERN = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$/;

const apply =
  (...decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, property) =>
    decorators.forEach((decorate) => decorate(target, property));

/** Whole euro cents from `minimum` (0 by default) to MAX_CENTS. */
export function Cents(minimum = 0): PropertyDecorator {
  return apply(IsInt(), Min(minimum), Max(MAX_CENTS));
}

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
