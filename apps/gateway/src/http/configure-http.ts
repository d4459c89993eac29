import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { standardProblem } from '@wandelwerk/contracts';
import type { JsonLogger } from '@wandelwerk/observability';
import { APP_LOGGER } from '@wandelwerk/platform';
import { parseCsvBody } from './csv-body.js';
import { parseJsonBody } from './json-body.parser.js';
import { setUpOpenApi } from './openapi/openapi-document.js';
import { installSecurityHeaders } from './security-headers.js';

export interface GatewayHttpOptions {
  bodyLimitBytes: number;
  hstsMaxAgeSeconds: number;
  /** Browser origins allowed by CORS; none when empty. */
  corsOrigins: readonly string[];
}

/**
 * What the gateway sets on Fastify before it listens: bodies are JSON objects (`application/json`, parsed by
 * `parseJsonBody`), `text/csv` only on `@AcceptsCsv()` routes; form bodies and every other media type are 415
 * (Fastify's text/plain parser is removed); bodies over the limit are Fastify's 413. And the OpenAPI document with
 * Swagger UI.
 */
export function configureGatewayHttp(
  options: GatewayHttpOptions,
): (app: NestFastifyApplication) => Promise<void> {
  const { bodyLimitBytes } = options;
  return async (app) => {
    const fastify = app.getHttpAdapter().getInstance();
    installSecurityHeaders(fastify, { hstsMaxAgeSeconds: options.hstsMaxAgeSeconds });
    if (options.corsOrigins.length > 0)
      app.enableCors({
        origin: [...options.corsOrigins],
        methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
        allowedHeaders: ['authorization', 'content-type', 'accept-language', 'idempotency-key', 'if-match'],
        exposedHeaders: ['etag', 'location', 'retry-after', 'x-correlation-id', 'content-language'],
        maxAge: 600,
      });
    fastify.removeContentTypeParser('text/plain');
    app.useBodyParser('application/json', { bodyLimit: bodyLimitBytes }, (_request, raw, done) => {
      try {
        done(null, parseJsonBody(raw));
      } catch (error) {
        done(error as Error);
      }
    });
    // Only for routes with @AcceptsCsv() (CsvBodyGuard refuses it elsewhere).
    app.useBodyParser('text/csv', { bodyLimit: bodyLimitBytes }, (request, raw, done) =>
      done(null, parseCsvBody(request, raw)),
    );
    // Registered here so that Nest does not add its own form parser: a form body is not JSON.
    app.useBodyParser(
      'application/x-www-form-urlencoded',
      { bodyLimit: bodyLimitBytes },
      (_request, _raw, done) => done(standardProblem('unsupported-media-type')),
    );
    const { ui } = await setUpOpenApi(app);
    if (!ui)
      app
        .get<symbol, JsonLogger>(APP_LOGGER)
        .write('warn', 'Swagger UI is off: @fastify/static could not be loaded; /api/docs-json is served');
  };
}
