import { fieldViolation, problem } from '@wandelwerk/contracts';

/** The refusals about programmes, in German and English, with stable codes. */
export const ProgrammeProblems = {
  notFound: (id: string) =>
    problem(404, 'funding.programme-not-found', {
      de: `Es gibt kein Förderprogramm mit der Id ${id}.`,
      en: `There is no funding programme with id ${id}.`,
    }),
  codeTaken: (code: string) =>
    problem(
      409,
      'funding.programme-code-taken',
      {
        de: `Es gibt schon ein Förderprogramm mit dem Kürzel ${code}.`,
        en: `There is already a funding programme with the code ${code}.`,
      },
      { programmeCode: code },
    ),
  periodReversed: () =>
    problem(
      422,
      'funding.invalid-programme',
      {
        de: 'Der Förderzeitraum endet vor seinem Beginn; siehe errors.',
        en: 'The funding period ends before it begins; see errors.',
      },
      {},
      {
        errors: [
          fieldViolation('fundingPeriod.lastYear', 'notBeforeFirstYear', {
            de: 'darf nicht vor dem ersten Jahr (fundingPeriod.firstYear) liegen',
            en: 'must not be before the first year (fundingPeriod.firstYear)',
          }),
        ],
      },
    ),
  budgetOutsidePeriod: (years: number[]) =>
    problem(
      422,
      'funding.budget-outside-period',
      {
        de: `Für die Jahre ${years.join(', ')} sind Mittel geplant; der Förderzeitraum muss sie umfassen.`,
        en: `Money is planned for the years ${years.join(', ')}; the funding period must include them.`,
      },
      { years },
      {
        errors: [
          fieldViolation('fundingPeriod', 'coversBudgetYears', {
            de: `muss die Jahre ${years.join(', ')} umfassen, für die Mittel geplant sind`,
            en: `must include the years ${years.join(', ')} that have money planned`,
          }),
        ],
      },
    ),
};
