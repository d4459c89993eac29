import { fieldViolation, problem } from '@wandelwerk/contracts';

const euro = (cents: number): string =>
  `${(BigInt(cents) / 100n).toLocaleString('de-DE')},${String(BigInt(cents) % 100n).padStart(2, '0')} €`;

export interface LineFigures {
  year: number;
  plannedCents: number;
  reservedCents: number;
  disbursedCents: number;
  availableCents: number;
}

/** The refusals about budgets, in German and English, with stable codes. */
export const BudgetProblems = {
  /** A reservation that does not fit: the available amount of the year is named. */
  exceeded: (programmeCode: string, year: number, requestedCents: number, line: LineFigures | null) =>
    problem(
      409,
      'funding.budget-exceeded',
      {
        de: line
          ? `Das Budget ${year} des Programms ${programmeCode} reicht nicht: benötigt ${euro(requestedCents)}, verfügbar ${euro(line.availableCents)}.`
          : `Das Programm ${programmeCode} hat für ${year} kein Budget; benötigt ${euro(requestedCents)}.`,
        en: line
          ? `The ${year} budget of programme ${programmeCode} does not suffice: ${euro(requestedCents)} needed, ${euro(line.availableCents)} available.`
          : `Programme ${programmeCode} has no budget for ${year}; ${euro(requestedCents)} needed.`,
      },
      {
        year,
        requestedCents,
        availableCents: line?.availableCents ?? 0,
        plannedCents: line?.plannedCents ?? 0,
        reservedCents: line?.reservedCents ?? 0,
        disbursedCents: line?.disbursedCents ?? 0,
      },
    ),
  /** A cut below what is reserved and disbursed. */
  belowReserved: (programmeCode: string, year: number, cutCents: number, line: LineFigures) =>
    problem(
      409,
      'funding.budget-below-reserved',
      {
        de: `Das Budget ${year} des Programms ${programmeCode} kann nicht um ${euro(cutCents)} gekürzt werden: ${euro(line.reservedCents + line.disbursedCents)} sind reserviert oder ausgezahlt, höchstens ${euro(line.availableCents)} sind frei.`,
        en: `The ${year} budget of programme ${programmeCode} cannot be cut by ${euro(cutCents)}: ${euro(line.reservedCents + line.disbursedCents)} are reserved or paid, at most ${euro(line.availableCents)} are free.`,
      },
      {
        year,
        requestedCents: cutCents,
        availableCents: line.availableCents,
        plannedCents: line.plannedCents,
        reservedCents: line.reservedCents,
        disbursedCents: line.disbursedCents,
      },
    ),
  lineNotFound: (programmeCode: string, year: number) =>
    problem(
      422,
      'funding.budget-line-not-found',
      {
        de: `Das Programm ${programmeCode} hat für ${year} keine Budgetlinie.`,
        en: `Programme ${programmeCode} has no budget line for ${year}.`,
      },
      { year },
      {
        errors: [
          fieldViolation('year', 'budgetLineExists', {
            de: 'muss ein Jahr mit Budgetlinie sein',
            en: 'must be a year with a budget line',
          }),
        ],
      },
    ),
  yearOutsidePeriod: (field: string, year: number, first: number, last: number, programmeCode: string) =>
    problem(
      422,
      'funding.year-outside-period',
      {
        de: `Das Jahr ${year} liegt nicht im Förderzeitraum ${first}–${last} des Programms ${programmeCode}.`,
        en: `The year ${year} is outside the funding period ${first}–${last} of programme ${programmeCode}.`,
      },
      { year },
      {
        errors: [
          fieldViolation(field, 'insideFundingPeriod', {
            de: `muss im Förderzeitraum ${first}–${last} liegen`,
            en: `must be inside the funding period ${first}–${last}`,
          }),
        ],
      },
    ),
  invalidMove: (rule: 'isDefined' | 'otherYear' | 'onlyForMove') =>
    problem(
      422,
      'funding.invalid-amendment',
      {
        de: 'Die Änderung des Budgets ist in sich widersprüchlich; siehe errors.',
        en: 'The budget amendment contradicts itself; see errors.',
      },
      {},
      {
        errors: [
          fieldViolation(
            'toYear',
            rule,
            rule === 'isDefined'
              ? { de: 'ist bei einer Umschichtung (move) erforderlich', en: 'is required to move money' }
              : rule === 'otherYear'
                ? { de: 'muss ein anderes Jahr als year sein', en: 'must be another year than year' }
                : { de: 'gibt es nur bei einer Umschichtung (move)', en: 'is only for moving money (move)' },
          ),
        ],
      },
    ),
};
