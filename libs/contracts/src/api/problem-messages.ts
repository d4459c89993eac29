import { fillTemplate, textOf, type LocalizedText } from './language.js';

/**
 * The message catalogue of the API conventions: the German and English texts of every problem the gateway answers
 * by itself, the titles of plain HTTP statuses, and the messages of the validation rules. Services add their own
 * texts to the problems they raise (`problem(404, 'municipality.not-found', { de, en })`).
 */

export const PROBLEM_TYPE_BASE = 'https://wandelwerk.de/problems/';
/** RFC 9457: a problem that says nothing beyond its HTTP status. */
export const BLANK_PROBLEM_TYPE = 'about:blank';

/** Texts with `{name}` placeholders, or a function when the wording depends on the values (plural). */
export type Template = string | ((params: Readonly<Record<string, unknown>>) => string);
export interface LocalizedTemplate {
  readonly de: Template;
  readonly en: Template;
}

export function renderTemplate(
  template: LocalizedTemplate,
  params: Readonly<Record<string, unknown>> = {},
): LocalizedText {
  const render = (t: Template): string => (typeof t === 'string' ? fillTemplate(t, params) : t(params));
  return { de: render(template.de), en: render(template.en) };
}

/** Titles of plain HTTP statuses (RFC 9457: the title of `about:blank` is the status phrase, localised). */
export const STATUS_TITLES: Readonly<Record<number, LocalizedText>> = {
  400: { de: 'Ungültige Anfrage', en: 'Bad Request' },
  401: { de: 'Nicht angemeldet', en: 'Unauthorized' },
  403: { de: 'Keine Berechtigung', en: 'Forbidden' },
  404: { de: 'Nicht gefunden', en: 'Not Found' },
  405: { de: 'Methode nicht erlaubt', en: 'Method Not Allowed' },
  406: { de: 'Nicht annehmbar', en: 'Not Acceptable' },
  409: { de: 'Konflikt', en: 'Conflict' },
  410: { de: 'Nicht mehr vorhanden', en: 'Gone' },
  412: { de: 'Vorbedingung nicht erfüllt', en: 'Precondition Failed' },
  413: { de: 'Anfrage zu groß', en: 'Content Too Large' },
  415: { de: 'Nicht unterstützter Medientyp', en: 'Unsupported Media Type' },
  422: { de: 'Nicht verarbeitbar', en: 'Unprocessable Content' },
  428: { de: 'Vorbedingung erforderlich', en: 'Precondition Required' },
  429: { de: 'Zu viele Anfragen', en: 'Too Many Requests' },
  500: { de: 'Interner Fehler', en: 'Internal Server Error' },
  501: { de: 'Nicht umgesetzt', en: 'Not Implemented' },
  502: { de: 'Fehlerhafte Antwort eines Dienstes', en: 'Bad Gateway' },
  503: { de: 'Dienst nicht verfügbar', en: 'Service Unavailable' },
  504: { de: 'Zeitüberschreitung', en: 'Gateway Timeout' },
};

export function statusTitle(status: number): LocalizedText {
  return (
    STATUS_TITLES[status] ??
    (status >= 500
      ? { de: 'Serverfehler', en: 'Server Error' }
      : { de: 'Fehlerhafte Anfrage', en: 'Client Error' })
  );
}

export interface StandardProblemEntry {
  readonly status: number;
  /** `about:blank` for plain statuses, a URI under PROBLEM_TYPE_BASE for problems with their own meaning. */
  readonly type: string;
  readonly title: LocalizedText;
  readonly detail: LocalizedTemplate;
}

const blank = (status: number, detail: LocalizedTemplate): StandardProblemEntry => ({
  status,
  type: BLANK_PROBLEM_TYPE,
  title: statusTitle(status),
  detail,
});
const typed = (
  status: number,
  code: string,
  title: LocalizedText,
  detail: LocalizedTemplate,
): StandardProblemEntry => ({ status, type: `${PROBLEM_TYPE_BASE}${code}`, title, detail });

/** The problems the gateway (and the shared helpers) answer by themselves, by their stable `code`. */
export const STANDARD_PROBLEMS = {
  'validation-failed': typed(
    400,
    'validation-failed',
    { de: 'Ungültige Angaben', en: 'Validation failed' },
    {
      de: ({ count }) =>
        count === 1
          ? 'Eine Angabe der Anfrage ist ungültig; siehe errors.'
          : `${String(count)} Angaben der Anfrage sind ungültig; siehe errors.`,
      en: ({ count }) =>
        count === 1
          ? 'One field of the request is invalid; see errors.'
          : `${String(count)} fields of the request are invalid; see errors.`,
    },
  ),
  'invalid-json': typed(
    400,
    'invalid-json',
    { de: 'Ungültiges JSON', en: 'Malformed JSON' },
    {
      de: 'Der Anfrageinhalt ist kein gültiges JSON.',
      en: 'The request body is not valid JSON.',
    },
  ),
  'bad-request': blank(400, {
    de: 'Die Anfrage ist fehlerhaft.',
    en: 'The request is malformed.',
  }),
  unauthorized: blank(401, {
    de: 'Für diese Anfrage ist eine Anmeldung erforderlich.',
    en: 'This request requires authentication.',
  }),
  forbidden: blank(403, {
    de: 'Sie sind nicht berechtigt, diese Anfrage auszuführen.',
    en: 'You are not allowed to perform this request.',
  }),
  'not-found': blank(404, {
    de: 'Die angeforderte Ressource wurde nicht gefunden.',
    en: 'The requested resource was not found.',
  }),
  'method-not-allowed': blank(405, {
    de: 'Diese Methode ist für die Ressource nicht erlaubt.',
    en: 'This method is not allowed for the resource.',
  }),
  conflict: blank(409, {
    de: 'Die Anfrage steht im Widerspruch zum aktuellen Zustand der Ressource.',
    en: 'The request conflicts with the current state of the resource.',
  }),
  'payload-too-large': blank(413, {
    de: 'Der Anfrageinhalt ist zu groß; erlaubt sind höchstens {maxSize}.',
    en: 'The request body is too large; at most {maxSize} are allowed.',
  }),
  'unsupported-media-type': blank(415, {
    de: 'Der Anfrageinhalt muss JSON sein (Content-Type: application/json).',
    en: 'The request body must be JSON (Content-Type: application/json).',
  }),
  unprocessable: blank(422, {
    de: 'Die Anfrage ist formal richtig, kann aber nicht verarbeitet werden.',
    en: 'The request is well-formed but cannot be processed.',
  }),
  'too-many-requests': blank(429, {
    de: 'Zu viele Anfragen in kurzer Zeit; bitte versuchen Sie es später erneut.',
    en: 'Too many requests in a short time; please try again later.',
  }),
  'idempotency-key-in-use': typed(
    409,
    'idempotency-key-in-use',
    { de: 'Anfrage wird noch bearbeitet', en: 'Request still in progress' },
    {
      de: 'Eine Anfrage mit diesem Idempotency-Key wird gerade bearbeitet; wiederholen Sie sie, sobald sie beantwortet ist.',
      en: 'A request with this Idempotency-Key is being processed; repeat it once that one has been answered.',
    },
  ),
  'idempotency-key-reused': typed(
    422,
    'idempotency-key-reused',
    { de: 'Idempotency-Key bereits verwendet', en: 'Idempotency-Key already used' },
    {
      de: 'Dieser Idempotency-Key wurde bereits für eine Anfrage mit anderem Inhalt verwendet; verwenden Sie für eine neue Anfrage einen neuen Schlüssel.',
      en: 'This Idempotency-Key was already used for a request with a different body; use a new key for a new request.',
    },
  ),
  'internal-error': blank(500, {
    de: 'Bei der Bearbeitung ist ein unerwarteter Fehler aufgetreten. Nennen Sie bei Rückfragen die correlationId.',
    en: 'An unexpected error occurred. Please quote the correlationId when you contact us.',
  }),
  'not-implemented': blank(501, {
    de: 'Diese Funktion ist noch nicht verfügbar.',
    en: 'This function is not available yet.',
  }),
  'bad-gateway': blank(502, {
    de: 'Ein beteiligter Dienst hat fehlerhaft geantwortet. Bitte versuchen Sie es später erneut.',
    en: 'A service involved answered incorrectly. Please try again later.',
  }),
  'service-unavailable': blank(503, {
    de: 'Ein beteiligter Dienst ist derzeit nicht erreichbar. Bitte versuchen Sie es später erneut.',
    en: 'A service involved is currently unavailable. Please try again later.',
  }),
  'gateway-timeout': blank(504, {
    de: 'Ein beteiligter Dienst hat nicht rechtzeitig geantwortet. Bitte versuchen Sie es später erneut.',
    en: 'A service involved did not answer in time. Please try again later.',
  }),
} as const satisfies Record<string, StandardProblemEntry>;

export type StandardProblemCode = keyof typeof STANDARD_PROBLEMS;

const STATUS_CODES: Readonly<Record<number, StandardProblemCode>> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  429: 'too-many-requests',
  500: 'internal-error',
  501: 'not-implemented',
  502: 'bad-gateway',
  503: 'service-unavailable',
  504: 'gateway-timeout',
};

/** The standard problem of a plain HTTP status, if the catalogue has one. */
export function standardProblemCodeFor(status: number): StandardProblemCode | undefined {
  return STATUS_CODES[status];
}

/**
 * Messages of the validation rules, by rule name (class-validator's constraint names, plus the conventions' own).
 * `{0}`, `{1}` are the constraint's arguments (e.g. the bound of `max`).
 */
export const RULE_MESSAGES: Readonly<Record<string, LocalizedTemplate>> = {
  isDefined: { de: 'ist erforderlich', en: 'is required' },
  unknownField: { de: 'ist kein bekanntes Feld', en: 'is not a known field' },
  forbiddenKey: { de: 'ist als Schlüssel nicht erlaubt', en: 'is not allowed as a key' },
  tooDeep: {
    de: 'ist zu tief verschachtelt (höchstens {0} Ebenen)',
    en: 'is nested too deeply (at most {0} levels)',
  },
  isObject: { de: 'muss ein JSON-Objekt sein', en: 'must be a JSON object' },
  isArray: { de: 'muss eine Liste sein', en: 'must be a list' },
  isString: { de: 'muss eine Zeichenkette sein', en: 'must be a string' },
  isInt: { de: 'muss eine ganze Zahl sein', en: 'must be a whole number' },
  isNumber: { de: 'muss eine Zahl sein', en: 'must be a number' },
  isBoolean: { de: 'muss true oder false sein', en: 'must be true or false' },
  isUuid: { de: 'muss eine UUID sein', en: 'must be a UUID' },
  isEmail: { de: 'muss eine E-Mail-Adresse sein', en: 'must be an e-mail address' },
  isUrl: { de: 'muss eine URL sein', en: 'must be a URL' },
  isDateString: {
    de: 'muss ein Datum oder Zeitpunkt nach ISO 8601 sein',
    en: 'must be an ISO 8601 date or timestamp',
  },
  isIso8601: {
    de: 'muss ein Datum oder Zeitpunkt nach ISO 8601 sein',
    en: 'must be an ISO 8601 date or timestamp',
  },
  isIn: { de: 'muss einer dieser Werte sein: {0}', en: 'must be one of: {0}' },
  isEnum: { de: 'muss einer dieser Werte sein: {1}', en: 'must be one of: {1}' },
  isNotEmpty: { de: 'darf nicht leer sein', en: 'must not be empty' },
  isPositive: { de: 'muss größer als 0 sein', en: 'must be greater than 0' },
  min: { de: 'muss mindestens {0} sein', en: 'must not be less than {0}' },
  max: { de: 'darf höchstens {0} sein', en: 'must not be greater than {0}' },
  minLength: {
    de: 'muss mindestens {0} Zeichen lang sein',
    en: 'must be at least {0} characters long',
  },
  maxLength: {
    de: 'darf höchstens {0} Zeichen lang sein',
    en: 'must be at most {0} characters long',
  },
  isLength: {
    de: ({ 0: min, 1: max }) =>
      max === undefined
        ? `muss mindestens ${textOf(min)} Zeichen lang sein`
        : `muss ${textOf(min)} bis ${textOf(max)} Zeichen lang sein`,
    en: ({ 0: min, 1: max }) =>
      max === undefined
        ? `must be at least ${textOf(min)} characters long`
        : `must be ${textOf(min)} to ${textOf(max)} characters long`,
  },
  matches: { de: 'hat nicht das erwartete Format', en: 'does not have the expected format' },
  arrayMinSize: {
    de: 'muss mindestens {0} Einträge haben',
    en: 'must have at least {0} items',
  },
  arrayMaxSize: { de: 'darf höchstens {0} Einträge haben', en: 'must have at most {0} items' },
  arrayNotEmpty: { de: 'darf nicht leer sein', en: 'must not be empty' },
  arrayUnique: {
    de: 'darf keinen Eintrag doppelt enthalten',
    en: 'must not contain an item twice',
  },
  isCursor: {
    de: 'ist kein gültiger Cursor; verwenden Sie nextCursor einer vorigen Seite unverändert',
    en: 'is not a valid cursor; pass on the nextCursor of a previous page unchanged',
  },
  cursorMismatch: {
    de: 'gehört zu einer anderen Sortierung; beginnen Sie ohne cursor von vorn',
    en: 'belongs to another sort order; start again without cursor',
  },
  isSort: {
    de: 'muss eine durch Kommas getrennte Sortierung aus {0} sein, absteigend mit vorangestelltem -, höchstens {1} Felder',
    en: 'must be a comma-separated sort order of {0}, descending with a leading -, at most {1} fields',
  },
  idempotencyKey: {
    de: 'muss aus 1 bis 200 druckbaren ASCII-Zeichen bestehen',
    en: 'must consist of 1 to 200 printable ASCII characters',
  },
};

/** The message of a rule with the constraint's arguments; `fallbackEn` is class-validator's own English text. */
export function ruleMessage(rule: string, args: readonly unknown[] = [], fallbackEn?: string): LocalizedText {
  const template = RULE_MESSAGES[rule];
  const params: Record<string, unknown> = {};
  args.forEach((arg, index) => {
    if (arg !== undefined && arg !== null) params[String(index)] = formatArgument(arg);
  });
  if (template) return renderTemplate(template, params);
  return { de: 'ist ungültig', en: fallbackEn ?? 'is invalid' };
}

function formatArgument(arg: unknown): string {
  if (Array.isArray(arg)) return arg.map((item) => formatArgument(item)).join(', ');
  // IsEnum's entity: its values.
  if (typeof arg === 'object' && arg !== null) return Object.values(arg).map(textOf).join(', ');
  return textOf(arg);
}
