/** The languages notifications are written in; German is the default. */
export type Language = 'de' | 'en';

/** What a template may mention; every value comes from the event or a read model. */
export interface TemplateVars {
  projectTitle?: string;
  /** The proposal's new status (a `PROPOSAL_STATUSES` value). */
  status?: string;
  amountCents?: number;
  comment?: string | null;
  dueDate?: string;
  days?: number;
  reportKind?: string;
  programmeCode?: string;
  year?: number;
  thresholdPercent?: number;
  instalment?: number;
  milestoneTitle?: string;
  webhookUrl?: string;
  failures?: number;
}

export interface RenderedNotification {
  title: string;
  body: string;
}

type Render = (v: TemplateVars, language: Language) => RenderedNotification;

const STATUS_LABELS: Record<string, Record<Language, string>> = {
  draft: { de: 'Entwurf', en: 'draft' },
  submitted: { de: 'eingereicht', en: 'submitted' },
  'in-review': { de: 'in Prüfung', en: 'in review' },
  'revision-requested': { de: 'Überarbeitung angefordert', en: 'revision requested' },
  endorsed: { de: 'befürwortet', en: 'endorsed' },
  rejected: { de: 'abgelehnt', en: 'rejected' },
  withdrawn: { de: 'zurückgezogen', en: 'withdrawn' },
  approved: { de: 'bewilligt', en: 'approved' },
  'in-implementation': { de: 'in Umsetzung', en: 'in implementation' },
  completed: { de: 'abgeschlossen', en: 'completed' },
};

const REPORT_KINDS: Record<string, Record<Language, string>> = {
  interim: { de: 'Zwischennachweis', en: 'interim report' },
  final: { de: 'Verwendungsnachweis', en: 'final report' },
};

export function statusLabel(status: string | undefined, language: Language): string {
  return (status && STATUS_LABELS[status]?.[language]) ?? status ?? '';
}

/** Euro amounts from integer cents, written the way each language writes them (1.234.567,89 € / €1,234,567.89). */
export function formatEuros(cents: number, language: Language): string {
  return new Intl.NumberFormat(language === 'de' ? 'de-DE' : 'en-GB', {
    style: 'currency',
    currency: 'EUR',
  }).format(cents / 100);
}

/** Calendar dates as people read them: 31.03.2026 / 31 March 2026 (the date itself, no time zone shift). */
export function formatDate(date: string, language: Language): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(language === 'de' ? 'de-DE' : 'en-GB', {
    dateStyle: language === 'de' ? 'medium' : 'long',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(year, month - 1, day)));
}

const quote = (text: string | null | undefined, language: Language): string =>
  text ? `\n\n${language === 'de' ? 'Begründung/Kommentar' : 'Reason/comment'}: ${text}` : '';

/** A status change of a proposal: "Projekt „X“: eingereicht". */
const statusChange =
  (extra: (v: TemplateVars, language: Language) => string = () => ''): Render =>
  (v, language) => {
    const status = statusLabel(v.status, language);
    return language === 'de'
      ? {
          title: `Projekt „${v.projectTitle}“: ${status}`,
          body: `Der Status des Projekts „${v.projectTitle}“ ist jetzt: ${status}.${extra(v, language)}${quote(v.comment, language)}`,
        }
      : {
          title: `Project "${v.projectTitle}": ${status}`,
          body: `The status of the project "${v.projectTitle}" is now: ${status}.${extra(v, language)}${quote(v.comment, language)}`,
        };
  };

const amount =
  (label: Record<Language, string>) =>
  (v: TemplateVars, language: Language): string =>
    v.amountCents === undefined ? '' : ` ${label[language]}: ${formatEuros(v.amountCents, language)}.`;

const reportKind = (v: TemplateVars, language: Language): string =>
  REPORT_KINDS[v.reportKind ?? '']?.[language] ?? v.reportKind ?? '';

const simple =
  (de: (v: TemplateVars) => RenderedNotification, en: (v: TemplateVars) => RenderedNotification): Render =>
  (v, language) =>
    language === 'de' ? de(v) : en(v);

/** Every template, by key (the event type without service prefix and version, or a reminder of the service's own). */
export const TEMPLATES = {
  'proposal.submitted': statusChange(),
  'proposal.review-started': statusChange((v, l) =>
    v.dueDate
      ? l === 'de'
        ? ` Votum fällig am ${formatDate(v.dueDate, l)}.`
        : ` Votum due on ${formatDate(v.dueDate, l)}.`
      : '',
  ),
  'proposal.revision-requested': statusChange((v, l) =>
    v.dueDate
      ? l === 'de'
        ? ` Bitte überarbeiten Sie den Antrag bis ${formatDate(v.dueDate, l)}.`
        : ` Please revise the proposal by ${formatDate(v.dueDate, l)}.`
      : '',
  ),
  'proposal.endorsed': statusChange(amount({ de: 'Beantragte Förderung', en: 'Requested funding' })),
  'proposal.rejected': statusChange(),
  'proposal.withdrawn': statusChange(),
  'proposal.approved': statusChange(amount({ de: 'Bewilligte Förderung', en: 'Approved funding' })),
  'proposal.implementation-started': statusChange(),
  'proposal.completed': statusChange(amount({ de: 'Endgültige Kosten', en: 'Final cost' })),
  'proposal.review-overdue': simple(
    (v) => ({
      title: `Votum überfällig: „${v.projectTitle}“`,
      body: `Das Votum zum Projekt „${v.projectTitle}“ war am ${formatDate(v.dueDate ?? '', 'de')} fällig und ist seit ${v.days} Tag(en) überfällig.`,
    }),
    (v) => ({
      title: `Votum overdue: "${v.projectTitle}"`,
      body: `The votum on the project "${v.projectTitle}" was due on ${formatDate(v.dueDate ?? '', 'en')} and is ${v.days} day(s) overdue.`,
    }),
  ),
  'proposal.waiting-in-review': simple(
    (v) => ({
      title: `Wartet seit ${v.days} Tagen: „${v.projectTitle}“`,
      body: `Das Projekt „${v.projectTitle}“ (${statusLabel(v.status, 'de')}) wartet seit ${v.days} Tagen auf die Prüfung.`,
    }),
    (v) => ({
      title: `Waiting for ${v.days} days: "${v.projectTitle}"`,
      body: `The project "${v.projectTitle}" (${statusLabel(v.status, 'en')}) has been waiting for review for ${v.days} days.`,
    }),
  ),
  'milestone.scheduled': simple(
    (v) => ({
      title: `Neuer Meilenstein: „${v.projectTitle}“`,
      body: `Für das Projekt „${v.projectTitle}“ wurde der Meilenstein „${v.milestoneTitle}“ zum ${formatDate(v.dueDate ?? '', 'de')} festgelegt.`,
    }),
    (v) => ({
      title: `New milestone: "${v.projectTitle}"`,
      body: `The milestone "${v.milestoneTitle}" of the project "${v.projectTitle}" is due on ${formatDate(v.dueDate ?? '', 'en')}.`,
    }),
  ),
  'report.scheduled': (v, l) =>
    l === 'de'
      ? {
          title: `Berichtspflicht: „${v.projectTitle}“`,
          body: `Für das Projekt „${v.projectTitle}“ ist ein ${reportKind(v, l)} bis ${formatDate(v.dueDate ?? '', l)} einzureichen.`,
        }
      : {
          title: `Report due: "${v.projectTitle}"`,
          body: `An ${reportKind(v, l)} of the project "${v.projectTitle}" is due on ${formatDate(v.dueDate ?? '', l)}.`,
        },
  'report.due-soon': (v, l) =>
    l === 'de'
      ? {
          title: `Bericht bald fällig: „${v.projectTitle}“`,
          body: `Der ${reportKind(v, l)} für das Projekt „${v.projectTitle}“ ist in ${v.days} Tag(en) fällig (${formatDate(v.dueDate ?? '', l)}).`,
        }
      : {
          title: `Report due soon: "${v.projectTitle}"`,
          body: `The ${reportKind(v, l)} of the project "${v.projectTitle}" is due in ${v.days} day(s) (${formatDate(v.dueDate ?? '', l)}).`,
        },
  'report.overdue': (v, l) =>
    l === 'de'
      ? {
          title: `Bericht überfällig: „${v.projectTitle}“`,
          body: `Der ${reportKind(v, l)} für das Projekt „${v.projectTitle}“ war am ${formatDate(v.dueDate ?? '', l)} fällig und ist seit ${v.days} Tag(en) überfällig.`,
        }
      : {
          title: `Report overdue: "${v.projectTitle}"`,
          body: `The ${reportKind(v, l)} of the project "${v.projectTitle}" was due on ${formatDate(v.dueDate ?? '', l)} and is ${v.days} day(s) overdue.`,
        },
  'report.filed': (v, l) =>
    l === 'de'
      ? {
          title: `Bericht eingereicht: „${v.projectTitle}“`,
          body: `Der ${reportKind(v, l)} für das Projekt „${v.projectTitle}“ wurde eingereicht.`,
        }
      : {
          title: `Report filed: "${v.projectTitle}"`,
          body: `The ${reportKind(v, l)} of the project "${v.projectTitle}" was filed.`,
        },
  'allocation.requested': simple(
    (v) => ({
      title: `Zur Bewilligung: „${v.projectTitle}“`,
      body: `Für das Projekt „${v.projectTitle}“ wurden ${formatEuros(v.amountCents ?? 0, 'de')} aus ${v.programmeCode} reserviert; die Bewilligung steht aus.`,
    }),
    (v) => ({
      title: `For approval: "${v.projectTitle}"`,
      body: `${formatEuros(v.amountCents ?? 0, 'en')} of ${v.programmeCode} were reserved for the project "${v.projectTitle}"; approval is pending.`,
    }),
  ),
  'allocation.approval-recorded': simple(
    (v) => ({
      title: `Zweite Freigabe nötig: „${v.projectTitle}“`,
      body: `Die erste Freigabe über ${formatEuros(v.amountCents ?? 0, 'de')} für „${v.projectTitle}“ liegt vor; eine zweite Person muss freigeben.`,
    }),
    (v) => ({
      title: `Second approval needed: "${v.projectTitle}"`,
      body: `The first approval of ${formatEuros(v.amountCents ?? 0, 'en')} for "${v.projectTitle}" is recorded; a second officer must approve.`,
    }),
  ),
  'allocation.approved': simple(
    (v) => ({
      title: `Förderung bewilligt: „${v.projectTitle}“`,
      body: `Für das Projekt „${v.projectTitle}“ wurden ${formatEuros(v.amountCents ?? 0, 'de')} aus ${v.programmeCode} bewilligt.`,
    }),
    (v) => ({
      title: `Funding approved: "${v.projectTitle}"`,
      body: `${formatEuros(v.amountCents ?? 0, 'en')} of ${v.programmeCode} were approved for the project "${v.projectTitle}".`,
    }),
  ),
  'allocation.rejected': (v, l) =>
    l === 'de'
      ? {
          title: `Förderung abgelehnt: „${v.projectTitle}“`,
          body: `Die Förderung von ${formatEuros(v.amountCents ?? 0, l)} für das Projekt „${v.projectTitle}“ wurde abgelehnt.${quote(v.comment, l)}`,
        }
      : {
          title: `Funding rejected: "${v.projectTitle}"`,
          body: `The funding of ${formatEuros(v.amountCents ?? 0, l)} for the project "${v.projectTitle}" was rejected.${quote(v.comment, l)}`,
        },
  'allocation.cancelled': (v, l) =>
    l === 'de'
      ? {
          title: `Förderung storniert: „${v.projectTitle}“`,
          body: `Die Reservierung von ${formatEuros(v.amountCents ?? 0, l)} für das Projekt „${v.projectTitle}“ wurde storniert.${quote(v.comment, l)}`,
        }
      : {
          title: `Funding cancelled: "${v.projectTitle}"`,
          body: `The reservation of ${formatEuros(v.amountCents ?? 0, l)} for the project "${v.projectTitle}" was cancelled.${quote(v.comment, l)}`,
        },
  'allocation.committed': simple(
    (v) => ({
      title: `Zuwendungsbescheid erteilt: „${v.projectTitle}“`,
      body: `Für das Projekt „${v.projectTitle}“ ist der Zuwendungsbescheid über ${formatEuros(v.amountCents ?? 0, 'de')} ergangen.`,
    }),
    (v) => ({
      title: `Grant decision issued: "${v.projectTitle}"`,
      body: `The grant decision of ${formatEuros(v.amountCents ?? 0, 'en')} for the project "${v.projectTitle}" has been issued.`,
    }),
  ),
  'allocation.closed': simple(
    (v) => ({
      title: `Förderung abgeschlossen: „${v.projectTitle}“`,
      body: `Die Förderung des Projekts „${v.projectTitle}“ ist abgeschlossen; ausgezahlt: ${formatEuros(v.amountCents ?? 0, 'de')}.`,
    }),
    (v) => ({
      title: `Funding closed: "${v.projectTitle}"`,
      body: `The funding of the project "${v.projectTitle}" is closed; paid out: ${formatEuros(v.amountCents ?? 0, 'en')}.`,
    }),
  ),
  'disbursement.paid': simple(
    (v) => ({
      title: `Auszahlung: „${v.projectTitle}“`,
      body: `Die ${v.instalment}. Rate über ${formatEuros(v.amountCents ?? 0, 'de')} für das Projekt „${v.projectTitle}“ wurde ausgezahlt.`,
    }),
    (v) => ({
      title: `Disbursement: "${v.projectTitle}"`,
      body: `Instalment ${v.instalment} of ${formatEuros(v.amountCents ?? 0, 'en')} for the project "${v.projectTitle}" was paid.`,
    }),
  ),
  'budget.threshold-reached': simple(
    (v) => ({
      title: `Budget ${v.programmeCode} ${v.year}: ${v.thresholdPercent} % reserviert`,
      body: `Im Programm ${v.programmeCode} sind für ${v.year} ${v.thresholdPercent} % des Budgets reserviert (${formatEuros(v.amountCents ?? 0, 'de')}).`,
    }),
    (v) => ({
      title: `Budget ${v.programmeCode} ${v.year}: ${v.thresholdPercent}% reserved`,
      body: `${v.thresholdPercent}% of the ${v.year} budget of ${v.programmeCode} is reserved (${formatEuros(v.amountCents ?? 0, 'en')}).`,
    }),
  ),
  'webhook.paused': simple(
    (v) => ({
      title: 'Webhook pausiert',
      body: `Der Webhook ${v.webhookUrl} wurde nach ${v.failures} fehlgeschlagenen Zustellungen pausiert. Bitte prüfen Sie den Empfänger und aktivieren Sie ihn über die API wieder.`,
    }),
    (v) => ({
      title: 'Webhook paused',
      body: `The webhook ${v.webhookUrl} was paused after ${v.failures} failed deliveries. Please check the receiver and resume it through the API.`,
    }),
  ),
} satisfies Record<string, Render>;

export type TemplateKey = keyof typeof TEMPLATES;

export function render(key: TemplateKey, vars: TemplateVars, language: Language): RenderedNotification {
  return TEMPLATES[key](vars, language);
}
