import { fieldViolation, problem, type ProposalAction, type ProposalStatus } from '@wandelwerk/contracts';
import { ACTION_NAMES, STATUS_NAMES } from './proposal-lifecycle.js';
import type { RuleViolation } from './proposal-rules.js';

const errorsOf = (violations: RuleViolation[]) =>
  violations.map((v) => fieldViolation(v.field, v.rule, { de: v.de, en: v.en }));

/** The refusals of the projects service, in German and English, with stable codes. */
export const ProposalProblems = {
  notFound: (id: string) =>
    problem(404, 'project.not-found', {
      de: `Es gibt keinen Projektvorschlag mit der Id ${id}.`,
      en: `There is no project proposal with id ${id}.`,
    }),
  reviewNotFound: (id: string) =>
    problem(
      422,
      'project.review-not-found',
      {
        de: `Es gibt keine Bewertung ${id} dieses Vorschlags in der laufenden Prüfrunde.`,
        en: `There is no review ${id} of this proposal in the current review round.`,
      },
      {},
      {
        errors: [
          fieldViolation('reviewId', 'reviewOfCurrentRound', {
            de: 'muss eine Bewertung der laufenden Prüfrunde nennen',
            en: 'must name a review of the current review round',
          }),
        ],
      },
    ),
  reviewVotumMismatch: (votum: string, action: ProposalAction) =>
    problem(
      422,
      'project.review-votum-mismatch',
      {
        de: `Die genannte Bewertung hat das Votum „${votum}“ und trägt diesen Schritt (${ACTION_NAMES[action].de}) nicht.`,
        en: `The review named has the votum "${votum}" and does not support this step (${ACTION_NAMES[action].en}).`,
      },
      {},
      {
        errors: [
          fieldViolation('reviewId', 'matchingVotum', {
            de: 'muss eine Bewertung mit passendem Votum nennen',
            en: 'must name a review with a matching votum',
          }),
        ],
      },
    ),
  transitionNotAllowed: (
    current: ProposalStatus,
    action: ProposalAction,
    allowed: readonly ProposalAction[],
  ) =>
    problem(
      409,
      'project.transition-not-allowed',
      {
        de: `Ein Vorschlag im Status „${STATUS_NAMES[current].de}“ kann nicht ${ACTION_NAMES[action].de} werden.`,
        en: `A proposal that is ${STATUS_NAMES[current].en} cannot be ${ACTION_NAMES[action].en}.`,
      },
      { currentState: current, allowedTransitions: [...allowed] },
    ),
  notEditable: (current: ProposalStatus, allowed: readonly ProposalAction[]) =>
    problem(
      409,
      'project.not-editable',
      {
        de: `Ein Vorschlag im Status „${STATUS_NAMES[current].de}“ kann nicht geändert werden; nur Entwürfe und zur Überarbeitung zurückgegebene Vorschläge.`,
        en: `A proposal that is ${STATUS_NAMES[current].en} cannot be changed; only drafts and proposals returned for revision can.`,
      },
      { currentState: current, allowedTransitions: [...allowed] },
    ),
  concurrentModification: (current: ProposalStatus) =>
    problem(
      409,
      'project.concurrent-modification',
      {
        de: 'Der Vorschlag wurde gleichzeitig geändert; bitte neu laden und erneut versuchen.',
        en: 'The proposal was changed at the same time; reload it and try again.',
      },
      { currentState: current },
    ),
  forbidden: (de: string, en: string) => problem(403, 'project.forbidden', { de, en }),
  invalid: (violations: RuleViolation[]) =>
    problem(
      422,
      'project.invalid-proposal',
      {
        de: `${violations.length} Angaben des Vorschlags passen nicht zusammen; siehe errors.`,
        en: `${violations.length} fields of the proposal do not agree; see errors.`,
      },
      {},
      { errors: errorsOf(violations) },
    ),
  municipalitiesUnknown: (violations: RuleViolation[]) =>
    problem(
      422,
      'project.municipality-unknown',
      {
        de: 'Der Vorschlag nennt Kommunen, die nicht bekannt sind; siehe errors.',
        en: 'The proposal names municipalities that are not known; see errors.',
      },
      {},
      { errors: errorsOf(violations) },
    ),
  submitRulesViolated: (violations: RuleViolation[]) =>
    problem(
      422,
      'project.submit-rules-violated',
      {
        de: `Der Vorschlag kann nicht eingereicht werden: ${violations.length} Regeln sind verletzt; siehe errors.`,
        en: `The proposal cannot be submitted: ${violations.length} rules are broken; see errors.`,
      },
      {},
      { errors: errorsOf(violations) },
    ),
};
