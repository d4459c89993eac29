import { problem } from '@wandelwerk/contracts';

export const ContactProblems = {
  notFound: (id: string) =>
    problem(404, 'contact.not-found', {
      de: `Die Kommune hat keinen Kontakt mit der Id ${id}.`,
      en: `The municipality has no contact with id ${id}.`,
    }),
  emailTaken: (email: string) =>
    problem(409, 'contact.email-taken', {
      de: `Die Kommune hat bereits einen Kontakt mit der E-Mail-Adresse ${email}.`,
      en: `The municipality already has a contact with the e-mail address ${email}.`,
    }),
};
