import type { FastifyInstance } from 'fastify';
import {
  CORRELATION_HEADER,
  acceptOrCreateCorrelationId,
  runWithCorrelation,
  type JsonLogger,
} from '@wandelwerk/observability';

/**
 * Every HTTP request runs in a correlation scope: the caller's `X-Correlation-Id` when it is well-formed, a new one
 * otherwise. It is echoed in the response and reaches every log line, event and job the request causes.
 */
export function installCorrelationAndAccessLog(fastify: FastifyInstance, logger: JsonLogger): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const correlationId = acceptOrCreateCorrelationId(request.headers[CORRELATION_HEADER]);
    void reply.header(CORRELATION_HEADER, correlationId);
    runWithCorrelation({ correlationId, causationId: correlationId }, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!request.url.startsWith('/health')) {
      logger.write(reply.statusCode >= 500 ? 'error' : 'info', 'http request', {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
      });
    }
    done();
  });
}
