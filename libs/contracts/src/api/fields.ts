import { IsInt, Max, Min } from 'class-validator';

/** Largest amount of money any field takes: sums of such amounts stay exact in JavaScript numbers. */
export const MAX_CENTS = Number.MAX_SAFE_INTEGER;

/** One property decorator applying `decorators` in the order given. */
export const apply =
  (...decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, property) =>
    decorators.forEach((decorate) => decorate(target, property));

/** Whole euro cents from `minimum` (0 by default) to MAX_CENTS. */
export function Cents(minimum = 0): PropertyDecorator {
  return apply(IsInt(), Min(minimum), Max(MAX_CENTS));
}
