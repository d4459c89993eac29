import { HttpException } from '@nestjs/common';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language, type LocalizedText } from './language.js';
import {
  PROBLEM_TYPE_BASE,
  renderTemplate,
  STANDARD_PROBLEMS,
  statusTitle,
  type StandardProblemCode,
} from './problem-messages.js';

/** RFC 9457 media type of every error answer of the API. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One offending field as a client reads it: the path, the rule (machine-readable) and a message for people. */
export interface FieldError {
  /** Path of the field, e.g. `partners[1].costShareBasisPoints`; `(body)`, `(query)`, `(payload)` for the whole. */
  field: string;
  /** Machine-readable rule: class-validator's constraint name (`isUuid`, `max`) or `unknownField`, `isDefined`, ... */
  rule: string;
  message: string;
}

/** One offending field as services and the gateway pass it on: the message in every language. */
export interface FieldViolation extends FieldError {
  /** German, for readers that know nothing of `messages`. */
  message: string;
  messages: LocalizedText;
}

export interface ProblemTexts {
  title: string;
  detail: string;
}

/**
 * A problem as it travels between services and the gateway (RPC replies, exceptions inside an app): RFC 9457
 * members with German `title`/`detail`, a stable `code`, and `messages` with both languages. The gateway answers
 * a client in one language and leaves `messages` out (see `localizeProblem`).
 */
export interface LocalizedProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  messages: Record<Language, ProblemTexts>;
  errors?: FieldViolation[];
  /** Extensions, e.g. `currentState` and `allowedTransitions` of a refused transition. */
  [extension: string]: unknown;
}

/** A problem as a client reads it (`application/problem+json`). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The request path the problem occurred at. */
  instance?: string;
  /** The id that ties the answer to the log lines and events of the request (also the `X-Correlation-Id` header). */
  correlationId?: string;
  code?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Members a problem's extensions cannot replace. */
export const RESERVED_PROBLEM_MEMBERS: readonly string[] = [
  'type',
  'title',
  'status',
  'detail',
  'instance',
  'correlationId',
  'code',
  'messages',
  'errors',
];

/** `municipality.not-found`, `project.transition-not-allowed`, `validation-failed`: lower case, dots and dashes. */
export const PROBLEM_CODE_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?:\.[a-z][a-z0-9]*(?:-[a-z0-9]+)*)*$/;

/**
 * An HttpException carrying a localized problem. Thrown in a gateway controller it becomes the answer; thrown in a
 * service's `@MessagePattern` handler it travels back over NATS unchanged and the gateway answers with it.
 */
export class ProblemException extends HttpException {
  constructor(readonly problem: LocalizedProblem) {
    super(problem, problem.status);
    this.name = 'ProblemException';
  }
}

export interface ProblemOptions {
  /** A title of its own; by default the status phrase (`Nicht gefunden` / `Not Found`). */
  title?: LocalizedText;
  /** The problem type URI; by default `https://wandelwerk.de/problems/<code>`. */
  type?: string;
  errors?: FieldViolation[];
}

function isStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 400 && status <= 599;
}

/**
 * Builds a problem a service or controller throws:
 * `throw problem(404, 'municipality.not-found', { de: 'Die Gemeinde … gibt es nicht.', en: 'There is no …' }, { municipalityId })`.
 * The extensions (JSON values) reach the client unchanged, e.g. `{ currentState, allowedTransitions }` with a 409.
 */
export function problem(
  status: number,
  code: string,
  detail: LocalizedText,
  extensions: Readonly<Record<string, unknown>> = {},
  options: ProblemOptions = {},
): ProblemException {
  if (!isStatus(status)) throw new TypeError(`problem status must be 400 to 599, got ${status}`);
  if (!PROBLEM_CODE_PATTERN.test(code)) throw new TypeError(`problem code "${code}" is not like "area.what"`);
  const reserved = Object.keys(extensions).filter((key) => RESERVED_PROBLEM_MEMBERS.includes(key));
  if (reserved.length > 0) throw new TypeError(`problem extensions must not set ${reserved.join(', ')}`);
  const title = options.title ?? statusTitle(status);
  const body: LocalizedProblem = {
    type: options.type ?? `${PROBLEM_TYPE_BASE}${code}`,
    title: title.de,
    status,
    detail: detail.de,
    code,
    messages: {
      de: { title: title.de, detail: detail.de },
      en: { title: title.en, detail: detail.en },
    },
    ...(options.errors ? { errors: options.errors } : {}),
    ...extensions,
  };
  return new ProblemException(body);
}

/** A problem of the catalogue (`validation-failed`, `not-found`, `service-unavailable`, ...). */
export function standardProblem(
  code: StandardProblemCode,
  params: Readonly<Record<string, unknown>> = {},
  extensions: Readonly<Record<string, unknown>> = {},
  errors?: FieldViolation[],
): ProblemException {
  const entry = STANDARD_PROBLEMS[code];
  return problem(entry.status, code, renderTemplate(entry.detail, params), extensions, {
    title: entry.title,
    type: entry.type,
    ...(errors ? { errors } : {}),
  });
}

/** 400 `validation-failed` naming every offending field. */
export function validationProblem(errors: FieldViolation[]): ProblemException {
  return standardProblem('validation-failed', { count: errors.length }, {}, errors);
}

/** A field violation with the message of both languages (German also in `message`). */
export function fieldViolation(field: string, rule: string, messages: LocalizedText): FieldViolation {
  return { field, rule, message: messages.de, messages };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isTexts = (value: unknown): value is ProblemTexts =>
  isRecord(value) && typeof value['title'] === 'string' && typeof value['detail'] === 'string';

const isViolation = (value: unknown): value is FieldViolation =>
  isRecord(value) &&
  typeof value['field'] === 'string' &&
  typeof value['rule'] === 'string' &&
  isRecord(value['messages']) &&
  LANGUAGES.every((language) => typeof (value['messages'] as Record<string, unknown>)[language] === 'string');

/** Whether a value (e.g. the body of an RPC problem reply) is a well-formed localized problem. */
export function isLocalizedProblem(value: unknown): value is LocalizedProblem {
  if (!isRecord(value)) return false;
  const messages = value['messages'];
  const errors = value['errors'];
  return (
    typeof value['type'] === 'string' &&
    typeof value['status'] === 'number' &&
    isStatus(value['status']) &&
    typeof value['code'] === 'string' &&
    isRecord(messages) &&
    LANGUAGES.every((language) => isTexts(messages[language])) &&
    (errors === undefined || (Array.isArray(errors) && errors.every(isViolation)))
  );
}

/**
 * The problem as a client reads it, in one language: `title`, `detail` and every error's `message` in that
 * language, `messages` left out, members in RFC order, extensions after them.
 */
export function localizeProblem(
  source: LocalizedProblem,
  language: Language = DEFAULT_LANGUAGE,
  context: { instance?: string | undefined; correlationId?: string | undefined } = {},
): ProblemDetails {
  const texts = source.messages[language];
  const extensions = Object.fromEntries(
    Object.entries(source).filter(([key]) => !RESERVED_PROBLEM_MEMBERS.includes(key)),
  );
  return {
    type: source.type,
    title: texts.title,
    status: source.status,
    detail: texts.detail,
    ...(context.instance !== undefined ? { instance: context.instance } : {}),
    ...(context.correlationId !== undefined ? { correlationId: context.correlationId } : {}),
    code: source.code,
    ...(source.errors
      ? {
          errors: source.errors.map((error) => ({
            field: error.field,
            rule: error.rule,
            message: error.messages[language],
          })),
        }
      : {}),
    ...extensions,
  };
}
