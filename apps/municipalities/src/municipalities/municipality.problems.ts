import { fieldViolation, problem } from '@wandelwerk/contracts';

/** The refusals of the municipality registry, in German and English, with stable codes. */
export const MunicipalityProblems = {
  notFound: (id: string) =>
    problem(404, 'municipality.not-found', {
      de: `Es gibt keine Kommune mit der Id ${id}.`,
      en: `There is no municipality with id ${id}.`,
    }),
  agsTaken: (ags: string, existingId: string) =>
    problem(
      409,
      'municipality.ags-taken',
      {
        de: `Eine Kommune mit dem AGS ${ags} ist bereits erfasst.`,
        en: `A municipality with AGS ${ags} is already registered.`,
      },
      { existingId },
    ),
  reasonRequired: () =>
    problem(
      400,
      'municipality.deactivation-reason-required',
      {
        de: 'Wer eine Kommune deaktiviert, muss einen Grund angeben (deactivationReason).',
        en: 'Deactivating a municipality needs a reason (deactivationReason).',
      },
      {},
      {
        errors: [
          fieldViolation('deactivationReason', 'requiredWhenDeactivating', {
            de: 'ist Pflicht, wenn active auf false gesetzt wird',
            en: 'is required when active becomes false',
          }),
        ],
      },
    ),
  importUnreadable: (de: string, en: string) => problem(400, 'municipality.import-unreadable', { de, en }),
};
