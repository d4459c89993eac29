import { fieldViolation, problem } from '@wandelwerk/contracts';

export const CooperationProblems = {
  notFound: (id: string) =>
    problem(404, 'cooperation.not-found', {
      de: `Es gibt keine Kooperation mit der Id ${id}.`,
      en: `There is no cooperation with id ${id}.`,
    }),
  nameTaken: (name: string) =>
    problem(409, 'cooperation.name-taken', {
      de: `Eine Kooperation „${name}“ gibt es bereits.`,
      en: `A cooperation "${name}" already exists.`,
    }),
  unknownMembers: (ids: string[]) =>
    problem(
      422,
      'cooperation.unknown-members',
      {
        de: `Diese Kommunen gibt es nicht oder sie sind nicht aktiv: ${ids.join(', ')}.`,
        en: `These municipalities do not exist or are not active: ${ids.join(', ')}.`,
      },
      { municipalityIds: ids },
    ),
  alreadyMember: (municipalityId: string) =>
    problem(409, 'cooperation.already-member', {
      de: `Die Kommune ${municipalityId} ist bereits Mitglied.`,
      en: `Municipality ${municipalityId} is already a member.`,
    }),
  notMember: (municipalityId: string) =>
    problem(409, 'cooperation.not-member', {
      de: `Die Kommune ${municipalityId} ist derzeit kein Mitglied.`,
      en: `Municipality ${municipalityId} is not a member at present.`,
    }),
  endBeforeStart: (startDate: string) =>
    problem(
      422,
      'cooperation.end-before-start',
      {
        de: `Das Ende der Mitgliedschaft liegt vor ihrem Beginn (${startDate}).`,
        en: `The membership would end before it started (${startDate}).`,
      },
      {},
      {
        errors: [
          fieldViolation('endDate', 'notBeforeStartDate', {
            de: `darf nicht vor dem Beginn der Mitgliedschaft (${startDate}) liegen`,
            en: `must not be before the membership started (${startDate})`,
          }),
        ],
      },
    ),
};
