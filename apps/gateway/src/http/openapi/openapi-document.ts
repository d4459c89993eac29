import type { INestApplication } from '@nestjs/common';
import { tryLoadPackage } from '@nestjs/common/utils/load-package.util.js';
import { DiscoveryService } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { FieldErrorDto, PROBLEM_CONTENT_TYPE, ProblemDetailsDto } from '@wandelwerk/contracts';
import { IDEMPOTENT_EXTENSION } from '../idempotency/idempotent.decorator.js';
import { addValidationConstraints } from './validation-constraints.js';

export const API_DOCS_PATH = 'api/docs';

const DESCRIPTION = `Die öffentliche API von Wandelwerk / the public API of Wandelwerk.

- Fehler / errors: RFC 9457 \`application/problem+json\` (schema \`ProblemDetails\`), Deutsch oder Englisch nach
  \`Accept-Language\` / German or English by \`Accept-Language\`.
- Listen / lists: \`limit\` (1–100, default 20), \`cursor\` (\`nextCursor\` of the previous page), \`sort\`
  (\`name\`, \`-createdAt\`).
- \`Idempotency-Key\` on creating POSTs; \`X-Correlation-Id\` on every request and answer.
- Ids are UUIDs, money is integer euro cents (\`...Cents\`), dates ISO 8601, times UTC.
- Anmeldung / sign-in: \`Authorization: Bearer <accessToken>\` from \`POST /api/v1/auth/login\`; each operation lists
  the roles that may call it in \`x-roles\` (docs/security.md).

See docs/api.md.`;

type Json = Record<string, unknown>;
type Operation = Json & { responses?: Record<string, Json>; requestBody?: unknown };

const PROBLEM_REF = { $ref: '#/components/schemas/ProblemDetails' };
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function problemResponse(description: string, example: Json): Json {
  return {
    description,
    headers: { 'X-Correlation-Id': { $ref: '#/components/headers/CorrelationId' } },
    content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF, example } },
  };
}

const example = (
  status: number,
  code: string,
  type: string,
  title: string,
  detail: string,
  extra: Json = {},
) => ({
  type,
  title,
  status,
  detail,
  instance: '/api/v1/projects',
  correlationId: '3f1c2b9e-6a0d-4a43-9a57-0c1c5e2d7f10',
  code,
  ...extra,
});

/** Shared answers, referenced by every operation (components.responses). */
const RESPONSES: Record<string, Json> = {
  ValidationFailed: problemResponse(
    'Ungültige Anfrage: jedes ungültige Feld mit Regel / invalid request: every invalid field with its rule',
    example(
      400,
      'validation-failed',
      'https://wandelwerk.de/problems/validation-failed',
      'Ungültige Angaben',
      'Eine Angabe der Anfrage ist ungültig; siehe errors.',
      {
        errors: [
          { field: 'partners[1].costShareBasisPoints', rule: 'max', message: 'darf höchstens 10000 sein' },
        ],
      },
    ),
  ),
  IdempotencyKeyInUse: problemResponse(
    'Eine Anfrage mit diesem Idempotency-Key läuft noch / a request with this Idempotency-Key is still running',
    example(
      409,
      'idempotency-key-in-use',
      'https://wandelwerk.de/problems/idempotency-key-in-use',
      'Anfrage wird noch bearbeitet',
      'Eine Anfrage mit diesem Idempotency-Key wird gerade bearbeitet; wiederholen Sie sie, sobald sie beantwortet ist.',
    ),
  ),
  IdempotencyKeyReused: problemResponse(
    'Idempotency-Key mit anderem Inhalt / Idempotency-Key used with another body',
    example(
      422,
      'idempotency-key-reused',
      'https://wandelwerk.de/problems/idempotency-key-reused',
      'Idempotency-Key bereits verwendet',
      'Dieser Idempotency-Key wurde bereits für eine Anfrage mit anderem Inhalt verwendet; verwenden Sie für eine neue Anfrage einen neuen Schlüssel.',
    ),
  ),
  PayloadTooLarge: problemResponse(
    'Inhalt größer als 1 MiB / body larger than 1 MiB',
    example(
      413,
      'payload-too-large',
      'about:blank',
      'Anfrage zu groß',
      'Der Anfrageinhalt ist zu groß; erlaubt sind höchstens 1 MiB.',
    ),
  ),
  UnsupportedMediaType: problemResponse(
    'Inhalt ist kein JSON / body is not JSON',
    example(
      415,
      'unsupported-media-type',
      'about:blank',
      'Nicht unterstützter Medientyp',
      'Der Anfrageinhalt muss JSON sein (Content-Type: application/json).',
    ),
  ),
  InternalError: problemResponse(
    'Unerwarteter Fehler / unexpected error',
    example(
      500,
      'internal-error',
      'about:blank',
      'Interner Fehler',
      'Bei der Bearbeitung ist ein unerwarteter Fehler aufgetreten. Nennen Sie bei Rückfragen die correlationId.',
    ),
  ),
  ServiceUnavailable: problemResponse(
    'Ein Dienst ist nicht erreichbar / a service is unavailable',
    example(
      503,
      'service-unavailable',
      'about:blank',
      'Dienst nicht verfügbar',
      'Ein beteiligter Dienst ist derzeit nicht erreichbar. Bitte versuchen Sie es später erneut.',
    ),
  ),
  GatewayTimeout: problemResponse(
    'Ein Dienst hat nicht rechtzeitig geantwortet / a service did not answer in time',
    example(
      504,
      'gateway-timeout',
      'about:blank',
      'Zeitüberschreitung',
      'Ein beteiligter Dienst hat nicht rechtzeitig geantwortet. Bitte versuchen Sie es später erneut.',
    ),
  ),
};

const HEADERS: Record<string, Json> = {
  CorrelationId: {
    description:
      'Id der Anfrage in Logs und Ereignissen (die des Aufrufers, wenn wohlgeformt) / id of the request in logs and events (the caller’s, when well-formed)',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,100}$' },
  },
  IdempotencyReplayed: {
    description:
      '`true`, wenn dies die gespeicherte erste Antwort ist / `true` when this is the stored first answer',
    schema: { type: 'string', enum: ['true'] },
  },
};

const ref = (name: string): Json => ({ $ref: `#/components/responses/${name}` });

/** Error answers of API operations as `application/problem+json` with the shared `ProblemDetails` schema. */
function useProblemMediaType(response: Json): void {
  const content = response['content'] as Record<string, Json> | undefined;
  const json = content?.['application/json'];
  if (!content || !json || JSON.stringify(json['schema']) !== JSON.stringify(PROBLEM_REF)) return;
  delete content['application/json'];
  content[PROBLEM_CONTENT_TYPE] = json;
}

/**
 * The conventions every API operation shares, added to the generated document: only `/api/` paths (not the
 * platform's `/health`), the error answers (400, 500, 503, 504; with a body 413, 415; idempotent 409, 422) as
 * shared responses, and the `X-Correlation-Id` / `Idempotency-Replayed` headers.
 */
export function applyApiConventions(document: OpenAPIObject): OpenAPIObject {
  const paths = Object.fromEntries(
    Object.entries(document.paths).filter(([path]) => path.startsWith('/api/')),
  );
  for (const item of Object.values(paths) as Record<string, Operation>[]) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const responses = (operation.responses ??= {});
      for (const [status, response] of Object.entries(responses)) {
        if (status.startsWith('4') || status.startsWith('5')) useProblemMediaType(response);
        if (status.startsWith('2') && !('$ref' in response)) {
          const headers = (response['headers'] as Json | undefined) ?? {};
          headers['X-Correlation-Id'] = { $ref: '#/components/headers/CorrelationId' };
          if (operation[IDEMPOTENT_EXTENSION]) {
            headers['Idempotency-Replayed'] = { $ref: '#/components/headers/IdempotencyReplayed' };
          }
          response['headers'] = headers;
        }
      }
      // A CSV body is text, whatever DTO it becomes (`{ csv }`, see @AcceptsCsv()).
      const csv = (operation.requestBody as { content?: Record<string, Json> } | undefined)?.content?.[
        'text/csv'
      ];
      if (csv) csv['schema'] = { type: 'string', description: 'CSV, UTF-8' };
      const shared: [string, string][] = [['400', 'ValidationFailed']];
      if (operation.requestBody) shared.push(['413', 'PayloadTooLarge'], ['415', 'UnsupportedMediaType']);
      if (operation[IDEMPOTENT_EXTENSION]) {
        shared.push(['409', 'IdempotencyKeyInUse'], ['422', 'IdempotencyKeyReused']);
      }
      shared.push(['500', 'InternalError'], ['503', 'ServiceUnavailable'], ['504', 'GatewayTimeout']);
      for (const [status, name] of shared) responses[status] ??= ref(name);
    }
  }
  const components = (document.components ??= {}) as Json;
  components['responses'] = { ...(components['responses'] as Json | undefined), ...RESPONSES };
  components['headers'] = { ...(components['headers'] as Json | undefined), ...HEADERS };
  return { ...document, paths };
}

/** The classes the routes take as parameters (bodies and queries), to read their validation rules. */
function requestBodyClasses(app: INestApplication): (new () => unknown)[] {
  let discovery: DiscoveryService;
  try {
    discovery = app.get(DiscoveryService, { strict: false });
  } catch {
    return [];
  }
  const classes = new Set<new () => unknown>();
  for (const { instance } of discovery.getControllers()) {
    if (!instance) continue;
    const prototype = Object.getPrototypeOf(instance) as object;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const types = Reflect.getMetadata('design:paramtypes', prototype, name) as unknown[] | undefined;
      for (const type of types ?? [])
        if (typeof type === 'function' && type !== Object && type !== String && type !== Number)
          classes.add(type as new () => unknown);
    }
  }
  return [...classes];
}

/** The OpenAPI 3.1 document of the gateway, generated from the controllers and DTOs. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Wandelwerk API')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'Zugriffstoken von POST /api/v1/auth/login (oder des OpenID-Connect-Anbieters) / access token from ' +
          'POST /api/v1/auth/login (or the OpenID Connect issuer)',
      },
      'bearer',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDetailsDto, FieldErrorDto],
    operationIdFactory: (controller: string, method: string) =>
      `${controller.replace(/Controller$/, '')}_${method}`,
  });
  addValidationConstraints(
    (document.components?.schemas ?? {}) as Record<string, Record<string, unknown>>,
    requestBodyClasses(app),
  );
  return applyApiConventions(document);
}

/**
 * Serves the document at `/api/docs-json` (and `-yaml`) and Swagger UI at `/api/docs`. Swagger UI's assets need
 * @fastify/static, which SwaggerModule would load itself and exit the process if it cannot; it is loaded here first
 * (SwaggerModule then finds it in Nest's package cache), and where it cannot be loaded (e.g. in Jest's module loader,
 * which cannot `require` its ESM-only dependencies) the gateway serves the document without the UI.
 */
export async function setUpOpenApi(app: INestApplication): Promise<{ ui: boolean }> {
  const ui = (await tryLoadPackage('@fastify/static', () => import('@fastify/static'))) !== null;
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup(API_DOCS_PATH, app, () => (document ??= buildOpenApiDocument(app)), {
    ui,
    customSiteTitle: 'Wandelwerk API',
    swaggerOptions: { displayOperationId: false, tryItOutEnabled: false },
  });
  return { ui };
}
