import { fieldViolation, problem, type ProposalStatus } from '@wandelwerk/contracts';
import { STATUS_NAMES } from '../proposals/proposal-lifecycle.js';

/** The refusals about milestones and reports, in German and English, with stable codes. */
export const ReportingProblems = {
  milestoneNotFound: (id: string) =>
    problem(404, 'project.milestone-not-found', {
      de: `Dieses Projekt hat keinen Meilenstein mit der Id ${id}.`,
      en: `This project has no milestone with id ${id}.`,
    }),
  reportNotFound: (id: string) =>
    problem(404, 'project.report-not-found', {
      de: `Dieses Projekt hat keine Berichtspflicht mit der Id ${id}.`,
      en: `This project has no reporting obligation with id ${id}.`,
    }),
  notApproved: (current: ProposalStatus) =>
    problem(
      409,
      'project.not-approved',
      {
        de: `Meilensteine und Berichtspflichten gibt es erst für bewilligte Projekte; dieser Vorschlag ist „${STATUS_NAMES[current].de}“.`,
        en: `Milestones and reporting obligations exist only for approved projects; this proposal is ${STATUS_NAMES[current].en}.`,
      },
      { currentState: current },
    ),
  notReportable: (current: ProposalStatus) =>
    problem(
      409,
      'project.not-reportable',
      {
        de: `Für einen Vorschlag im Status „${STATUS_NAMES[current].de}“ kann kein Bericht eingereicht werden.`,
        en: `No report can be filed for a proposal that is ${STATUS_NAMES[current].en}.`,
      },
      { currentState: current },
    ),
  alreadyFiled: (filedAt: string) =>
    problem(
      409,
      'project.report-already-filed',
      {
        de: `Dieser Bericht wurde bereits am ${filedAt} eingereicht.`,
        en: `This report was already filed at ${filedAt}.`,
      },
      { currentState: 'filed' },
    ),
  invalidPeriod: () =>
    problem(
      422,
      'project.invalid-report-period',
      {
        de: 'Der Berichtszeitraum endet vor seinem Beginn.',
        en: 'The reporting period ends before it begins.',
      },
      {},
      {
        errors: [
          fieldViolation('periodEnd', 'notBeforePeriodStart', {
            de: 'darf nicht vor dem Beginn des Berichtszeitraums liegen',
            en: 'must not be before the start of the reporting period',
          }),
        ],
      },
    ),
  officersOnly: () =>
    problem(403, 'project.forbidden', {
      de: 'Meilensteine und Berichtspflichten legen nur Förderreferentinnen und -referenten fest.',
      en: 'Only funding officers schedule milestones and reporting obligations.',
    }),
  ownerOnly: () =>
    problem(403, 'project.forbidden', {
      de: 'Berichte reicht nur ein, wer das Projekt verantwortet.',
      en: 'Only the owner of the project files its reports.',
    }),
};
