import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { localizeProblem, negotiateLanguage, PROBLEM_CONTENT_TYPE } from '@wandelwerk/contracts';
import {
  CORRELATION_HEADER,
  currentCorrelationId,
  serializeError,
  type JsonLogger,
} from '@wandelwerk/observability';
import { APP_LOGGER } from '@wandelwerk/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_CONVENTIONS_OPTIONS, type HttpConventionsOptions } from './http-conventions.options.js';
import { problemFor } from './problem-response.js';

/** The request path without the query: `instance` of a problem. */
export function requestPath(url: string): string {
  const path = url.split('?', 1)[0] ?? '/';
  return path.length > 2_000 ? path.slice(0, 2_000) : path;
}

/**
 * Every error the gateway answers is RFC 9457 problem details (`application/problem+json`) in the caller's language
 * (`Accept-Language`, German by default), with `instance` and `correlationId`. Catches everything: Nest and Fastify
 * errors (body parsing included), service problems passed on by the RpcClient, and bugs (a 500 that never says more
 * than the catalogue; the cause goes to the log).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(
    @Inject(APP_LOGGER) private readonly logger: JsonLogger,
    @Inject(HTTP_CONVENTIONS_OPTIONS) private readonly options: HttpConventionsOptions,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, log } = problemFor(exception, { bodyLimitBytes: this.options.bodyLimitBytes });
    const path = requestPath(request.url);
    if (log) {
      this.logger.write(log, 'request failed', {
        method: request.method,
        url: path,
        status: problem.status,
        err: serializeError(exception),
      });
    }
    if (reply.sent) return;
    const language = negotiateLanguage(request.headers['accept-language']);
    const echoed = reply.getHeader(CORRELATION_HEADER);
    const correlationId = typeof echoed === 'string' ? echoed : currentCorrelationId();
    const body = localizeProblem(problem, language, { instance: path, correlationId });
    // A problem that says when to come back (e.g. throttled logins) says it in the standard header too.
    const retryAfter = (problem as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof retryAfter === 'number' && Number.isInteger(retryAfter) && retryAfter > 0)
      void reply.header('retry-after', String(retryAfter));
    void reply
      .status(problem.status)
      .header('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`)
      .header('content-language', language)
      .header('vary', 'Accept-Language')
      .send(JSON.stringify(body));
  }
}
