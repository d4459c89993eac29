import {
  HttpException,
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  fieldViolation,
  isLocalizedProblem,
  ruleMessage,
  standardProblem,
  validationProblem,
} from '@wandelwerk/contracts';
import { currentCorrelation, serializeError, type JsonLogger } from '@wandelwerk/observability';
import { APP_LOGGER } from '@wandelwerk/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, of, throwError, type Observable } from 'rxjs';
import { requestPath } from '../problem-details.filter.js';
import { requestFingerprint } from './canonical-json.js';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_REPLAYED_HEADER,
  isValidIdempotencyKey,
  principalOf,
  scopeId,
} from './idempotency-key.js';
import { IdempotencyStore, type IdempotencyLease, type StoredAnswer } from './idempotency.store.js';
import { IDEMPOTENT, type IdempotentOptions } from './idempotent.decorator.js';

// Nest marks a request its pipes rejected (the handler did not run) with this registered symbol.
const REJECTED_BY_PIPES = Symbol.for('nestjs:rejected-by-pipes');

/** A refusal by validation changed nothing; the client may correct the body and send it with the same key. */
function isValidationRefusal(request: object, error: HttpException): boolean {
  const body = error.getResponse();
  return (
    (request as Record<symbol, unknown>)[REJECTED_BY_PIPES] === true ||
    (isLocalizedProblem(body) && body.code === 'validation-failed')
  );
}

/** Response headers an idempotent answer keeps for its replays. */
const REPLAYED_HEADERS = ['location', 'content-location'];

/** Carries out `@Idempotent()` (see there) for the routes that have it; others pass straight through. */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: IdempotencyStore,
    @Inject(APP_LOGGER) private readonly logger: JsonLogger,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const options = this.reflector.get<IdempotentOptions | undefined>(IDEMPOTENT, context.getHandler());
    if (!options || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const key = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (key === undefined) {
      if (!options.required) return next.handle();
      throw validationProblem([fieldViolation('Idempotency-Key', 'isDefined', ruleMessage('isDefined'))]);
    }
    if (!isValidIdempotencyKey(key)) {
      throw validationProblem([
        fieldViolation('Idempotency-Key', 'idempotencyKey', ruleMessage('idempotencyKey')),
      ]);
    }
    const scope = {
      principal: principalOf(request),
      method: request.method,
      path: requestPath(request.url),
      key,
    };
    const id = scopeId(scope);
    const begun = await this.store.begin(id, requestFingerprint(request.body, request.query));
    switch (begun.outcome) {
      case 'mismatch':
        throw standardProblem('idempotency-key-reused');
      case 'in-flight':
        void reply.header('retry-after', '1');
        throw standardProblem('idempotency-key-in-use');
      case 'replay':
        return this.replay(begun.answer, reply);
      case 'acquired': {
        // The services see the key too (every RPC of this request carries it), so a command whose first answer was
        // lost — a 504 after the service committed — is recognised when the client retries with the same key.
        const correlation = currentCorrelation();
        if (correlation) correlation.requestKey = id;
        return this.run(begun.lease, next, request, reply);
      }
    }
  }

  private run(
    lease: IdempotencyLease,
    next: CallHandler,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Observable<unknown> {
    return next.handle().pipe(
      mergeMap((body) => from(this.answered(lease, reply, body)).pipe(mergeMap(() => of(body)))),
      catchError((error: unknown) =>
        from(this.failed(lease, request, error)).pipe(mergeMap(() => throwError(() => error))),
      ),
    );
  }

  /** Nest set the status before the handler ran (201 for POST, or `@HttpCode`); the handler may have changed it. */
  private async answered(lease: IdempotencyLease, reply: FastifyReply, body: unknown): Promise<void> {
    if (reply.statusCode >= 500) return this.releaseQuietly(lease);
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (typeof value === 'string') headers[name] = value;
    }
    await this.keep(lease, {
      kind: 'response',
      status: reply.statusCode,
      body: body === undefined ? null : body,
      empty: body === undefined,
      headers,
    });
  }

  private async failed(lease: IdempotencyLease, request: FastifyRequest, error: unknown): Promise<void> {
    if (
      !(error instanceof HttpException) ||
      error.getStatus() >= 500 ||
      isValidationRefusal(request, error)
    ) {
      return this.releaseQuietly(lease);
    }
    await this.keep(lease, { kind: 'problem', status: error.getStatus(), problem: error.getResponse() });
  }

  private replay(answer: StoredAnswer, reply: FastifyReply): Observable<unknown> {
    void reply.header(IDEMPOTENCY_REPLAYED_HEADER, 'true');
    if (answer.kind === 'problem') {
      throw new HttpException(answer.problem as Record<string, unknown>, answer.status);
    }
    void reply.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers)) void reply.header(name, value);
    return of(answer.empty ? undefined : answer.body);
  }

  /** The work is done: failing to keep its answer must not turn success into an error (it is logged). */
  private async keep(lease: IdempotencyLease, answer: StoredAnswer): Promise<void> {
    try {
      await this.store.complete(lease, answer);
    } catch (error) {
      this.logger.write('error', 'could not keep the answer of an idempotent request', {
        err: serializeError(error),
      });
    }
  }

  private async releaseQuietly(lease: IdempotencyLease): Promise<void> {
    try {
      await this.store.release(lease);
    } catch (error) {
      this.logger.write('warn', 'could not release an Idempotency-Key; it expires with its lock', {
        err: serializeError(error),
      });
    }
  }
}
