import { fieldViolation, problem, type FundingReportStatus } from '@wandelwerk/contracts';

const STATUS_NAMES: Record<FundingReportStatus, { de: string; en: string }> = {
  queued: { de: 'wartet', en: 'queued' },
  running: { de: 'wird erstellt', en: 'running' },
  done: { de: 'fertig', en: 'done' },
  failed: { de: 'fehlgeschlagen', en: 'failed' },
};

/** The refusals about funding reports, in German and English, with stable codes. */
export const ReportProblems = {
  notFound: (id: string) =>
    problem(404, 'funding.report-not-found', {
      de: `Es gibt keinen Förderbericht mit der Id ${id}.`,
      en: `There is no funding report with id ${id}.`,
    }),
  notReady: (id: string, status: FundingReportStatus) =>
    problem(
      409,
      'funding.report-not-ready',
      {
        de: `Der Förderbericht ${id} ${status === 'failed' ? 'ist fehlgeschlagen' : `ist noch nicht fertig (${STATUS_NAMES[status].de})`}; es gibt nichts herunterzuladen.`,
        en: `Funding report ${id} ${status === 'failed' ? 'has failed' : `is not finished yet (${STATUS_NAMES[status].en})`}; there is nothing to download.`,
      },
      { currentState: status, allowedTransitions: [] },
    ),
  fileGone: (id: string) =>
    problem(410, 'funding.report-file-gone', {
      de: `Die Datei des Förderberichts ${id} ist nicht mehr vorhanden; bitte erstellen Sie den Bericht neu.`,
      en: `The file of funding report ${id} no longer exists; please request the report again.`,
    }),
  unknownProgramme: (code: string) =>
    problem(
      422,
      'funding.programme-not-found',
      {
        de: `Es gibt kein Förderprogramm mit dem Code ${code}.`,
        en: `There is no funding programme with code ${code}.`,
      },
      { programmeCode: code },
      {
        errors: [
          fieldViolation('programmeCode', 'programmeExists', {
            de: 'muss der Code eines Förderprogramms sein',
            en: 'must be the code of a funding programme',
          }),
        ],
      },
    ),
  yearsReversed: () =>
    problem(
      422,
      'funding.invalid-report-period',
      {
        de: 'Das letzte Jahr des Berichts liegt vor dem ersten.',
        en: 'The last year of the report is before its first.',
      },
      {},
      {
        errors: [
          fieldViolation('toYear', 'notBeforeFromYear', {
            de: 'darf nicht vor fromYear liegen',
            en: 'must not be before fromYear',
          }),
        ],
      },
    ),
};
