import type { Language } from './templates.js';

export interface EmailItem {
  title: string;
  body: string;
  link: string | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const FOOTER: Record<Language, string> = {
  de: 'Diese Nachricht wurde von Wandelwerk automatisch versandt. Welche Nachrichten Sie erhalten, legen Sie in den Benachrichtigungseinstellungen fest.',
  en: 'This message was sent automatically by Wandelwerk. You choose which messages you receive in the notification preferences.',
};
const OPEN: Record<Language, string> = { de: 'Projekt öffnen', en: 'Open the project' };

function itemText(item: EmailItem, language: Language): string {
  return `${item.title}\n\n${item.body}${item.link ? `\n\n${OPEN[language]}: ${item.link}` : ''}`;
}

function itemHtml(item: EmailItem, language: Language): string {
  const paragraphs = item.body
    .split('\n\n')
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('');
  const link = item.link ? `<p><a href="${escapeHtml(item.link)}">${OPEN[language]}</a></p>` : '';
  return `<h2 style="font-size:18px">${escapeHtml(item.title)}</h2>${paragraphs}${link}`;
}

function page(language: Language, content: string): string {
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"></head><body style="font-family:sans-serif">${content}<hr><p style="color:#666;font-size:12px">${escapeHtml(FOOTER[language])}</p></body></html>`;
}

/** One notification as an e-mail, HTML and plain text saying the same. */
export function renderEmail(item: EmailItem, language: Language): RenderedEmail {
  return {
    subject: item.title,
    text: `${itemText(item, language)}\n\n--\n${FOOTER[language]}\n`,
    html: page(language, itemHtml(item, language)),
  };
}

/** The daily digest: every notification since the last one, oldest first, in one e-mail. */
export function renderDigestEmail(items: EmailItem[], language: Language): RenderedEmail {
  const subject =
    language === 'de'
      ? `Wandelwerk: ${items.length} Benachrichtigung${items.length === 1 ? '' : 'en'} (Tageszusammenfassung)`
      : `Wandelwerk: ${items.length} notification${items.length === 1 ? '' : 's'} (daily digest)`;
  return {
    subject,
    text: `${subject}\n\n${items.map((item) => itemText(item, language)).join('\n\n----\n\n')}\n\n--\n${FOOTER[language]}\n`,
    html: page(
      language,
      `<h1 style="font-size:20px">${escapeHtml(subject)}</h1>${items.map((i) => itemHtml(i, language)).join('<hr>')}`,
    ),
  };
}
