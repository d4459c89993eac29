import { HttpException } from '@nestjs/common';
import {
  BLANK_PROBLEM_TYPE,
  isLocalizedProblem,
  problem,
  RESERVED_PROBLEM_MEMBERS,
  standardProblem,
  standardProblemCodeFor,
  statusTitle,
  type LocalizedProblem,
  type StandardProblemCode,
} from '@wandelwerk/contracts';

/** What the gateway answers for an exception, and whether it is worth a log line of its own. */
export interface ProblemOutcome {
  problem: LocalizedProblem;
  log?: 'error' | 'warn';
}

export interface ProblemContext {
  /** The largest accepted body, for the 413 text. */
  bodyLimitBytes: number;
}

// Fastify's own errors (body parsing), whether Nest wrapped them in an HttpException (`cause`) or not.
const FASTIFY_ERRORS: Readonly<Record<string, StandardProblemCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-json',
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function formatBytes(bytes: number): string {
  if (bytes >= 1_048_576 && bytes % 1_048_576 === 0) return `${bytes / 1_048_576} MiB`;
  if (bytes >= 1_024 && bytes % 1_024 === 0) return `${bytes / 1_024} KiB`;
  return `${bytes} bytes`;
}

function fastifyCode(exception: unknown): string | undefined {
  for (const candidate of [exception, exception instanceof Error ? exception.cause : undefined]) {
    if (isRecord(candidate) || candidate instanceof Error) {
      const code = (candidate as { code?: unknown }).code;
      if (typeof code === 'string' && code in FASTIFY_ERRORS) return code;
    }
  }
  return undefined;
}

function byCode(code: StandardProblemCode, context: ProblemContext): LocalizedProblem {
  return standardProblem(code, { maxSize: formatBytes(context.bodyLimitBytes) }).problem;
}

/** A 5xx never says more than the catalogue: no stack, no internal detail, no service's own wording. */
function serverProblem(status: number, context: ProblemContext): ProblemOutcome {
  const code = standardProblemCodeFor(status);
  const known = code && status !== 500 ? code : 'internal-error';
  return { problem: byCode(known, context), log: known === 'internal-error' ? 'error' : 'warn' };
}

/**
 * A 4xx without a localized problem (a Nest built-in exception, a service replying only German text): the
 * catalogue's problem of that status; a problem-like body keeps its German detail and its extensions.
 */
function clientProblem(status: number, body: unknown, context: ProblemContext): LocalizedProblem {
  const code = standardProblemCodeFor(status);
  const base = code
    ? byCode(code, context)
    : problem(
        status,
        `status-${status}`,
        {
          de: 'Die Anfrage konnte nicht ausgeführt werden.',
          en: 'The request could not be carried out.',
        },
        {},
        { title: statusTitle(status), type: BLANK_PROBLEM_TYPE },
      ).problem;
  const result: LocalizedProblem = { ...base, messages: { ...base.messages } };
  if (isRecord(body) && typeof body['status'] === 'number' && typeof body['title'] === 'string') {
    if (typeof body['detail'] === 'string' && body['detail'].length > 0) {
      result.detail = body['detail'];
      result.messages = { ...result.messages, de: { ...result.messages.de, detail: body['detail'] } };
    }
    for (const [key, value] of Object.entries(body)) {
      if (!RESERVED_PROBLEM_MEMBERS.includes(key)) result[key] = value;
    }
  }
  return result;
}

/** The problem the gateway answers for anything thrown while handling a request. */
export function problemFor(exception: unknown, context: ProblemContext): ProblemOutcome {
  const fastify = fastifyCode(exception);
  if (fastify) return { problem: byCode(FASTIFY_ERRORS[fastify], context) };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 500 || status < 400 || status > 599) return serverProblem(500, context);
    const body = exception.getResponse();
    if (isLocalizedProblem(body)) {
      return status >= 500 ? { problem: { ...body, status }, log: 'warn' } : { problem: { ...body, status } };
    }
    return status >= 500 ? serverProblem(status, context) : { problem: clientProblem(status, body, context) };
  }
  // Errors of Fastify or its plugins that did not pass through Nest's mapping (http-errors style).
  const statusCode =
    isRecord(exception) || exception instanceof Error
      ? (exception as { statusCode?: unknown }).statusCode
      : undefined;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { problem: clientProblem(statusCode, undefined, context) };
  }
  return serverProblem(500, context);
}
