import { fieldViolation, problem, type AllocationStatus } from '@wandelwerk/contracts';
import {
  allowedCommands,
  COMMAND_NAMES,
  STATUS_NAMES,
  type AllocationCommand,
} from './allocation-lifecycle.js';

const euro = (cents: number): string =>
  `${(BigInt(cents) / 100n).toLocaleString('de-DE')},${String(BigInt(cents) % 100n).padStart(2, '0')} €`;

/** The refusals about allocations, in German and English, with stable codes. */
export const AllocationProblems = {
  notFound: (id: string) =>
    problem(404, 'funding.allocation-not-found', {
      de: `Es gibt keine Mittelzuweisung mit der Id ${id}.`,
      en: `There is no allocation with id ${id}.`,
    }),
  transitionNotAllowed: (current: AllocationStatus, command: AllocationCommand) =>
    problem(
      409,
      'funding.transition-not-allowed',
      {
        de: `Eine Mittelzuweisung im Status „${STATUS_NAMES[current].de}“ kann nicht ${COMMAND_NAMES[command].de} werden.`,
        en: `An allocation that is ${STATUS_NAMES[current].en} cannot be ${COMMAND_NAMES[command].en}.`,
      },
      { currentState: current, allowedTransitions: allowedCommands(current) },
    ),
  ownProposal: () =>
    problem(403, 'funding.own-proposal', {
      de: 'Niemand gibt Mittel für einen eigenen Projektvorschlag frei.',
      en: 'Nobody approves funding for a proposal of their own.',
    }),
  secondApproverRequired: (current: AllocationStatus) =>
    problem(
      409,
      'funding.second-approver-required',
      {
        de: 'Sie haben diese Mittelzuweisung schon freigegeben; die zweite Freigabe muss eine andere Förderreferentin oder ein anderer Förderreferent erteilen (Vier-Augen-Prinzip).',
        en: 'You have already approved this allocation; the second approval must come from another funding officer (four eyes).',
      },
      { currentState: current },
    ),
  yearNotAllocated: (year: number, years: number[]) =>
    problem(
      422,
      'funding.year-not-allocated',
      {
        de: `Die Mittelzuweisung hat für ${year} keine Mittel; Jahre: ${years.join(', ')}.`,
        en: `The allocation has no money for ${year}; years: ${years.join(', ')}.`,
      },
      { year, years },
      {
        errors: [
          fieldViolation('year', 'allocatedYear', {
            de: `muss ein Jahr der Mittelzuweisung sein (${years.join(', ')})`,
            en: `must be a year of the allocation (${years.join(', ')})`,
          }),
        ],
      },
    ),
  trancheExceedsYear: (year: number, amountCents: number, remainingCents: number) =>
    problem(
      409,
      'funding.tranche-exceeds-year',
      {
        de: `Die Rate von ${euro(amountCents)} übersteigt, was für ${year} noch offen ist (${euro(remainingCents)}).`,
        en: `The tranche of ${euro(amountCents)} exceeds what is still open for ${year} (${euro(remainingCents)}).`,
      },
      { year, requestedCents: amountCents, remainingCents },
    ),
  paidBeforeGrantDecision: (grantDecisionDate: string) =>
    problem(
      422,
      'funding.paid-before-grant-decision',
      {
        de: `Eine Rate kann nicht vor dem Bewilligungsbescheid (${grantDecisionDate}) gezahlt werden.`,
        en: `A tranche cannot be paid before the grant decision (${grantDecisionDate}).`,
      },
      {},
      {
        errors: [
          fieldViolation('paidOn', 'notBeforeGrantDecision', {
            de: `darf nicht vor dem ${grantDecisionDate} liegen`,
            en: `must not be before ${grantDecisionDate}`,
          }),
        ],
      },
    ),
};
