import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { MAX_PAGE_LIMIT, ProblemDetailsDto, statusTitle } from '@wandelwerk/contracts';

/**
 * Documents problems a route answers beyond the ones every route has (400, 500, 503, 504; with a body also 413,
 * 415; idempotent routes 409, 422): e.g. `@ApiProblemResponses(404, 409)` for "not found" and a refused transition.
 * They appear as `application/problem+json` with the shared `ProblemDetails` schema.
 */
export function ApiProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: `${statusTitle(status).de} / ${statusTitle(status).en}`,
        schema: { $ref: getSchemaPath(ProblemDetailsDto) },
      }),
    ),
  );
}

/** Documents a list answer: `{ items: Item[], nextCursor: string | null, limit }` (see `Page<T>`). */
export function ApiPageResponse(item: Type<unknown>, description = 'Eine Seite / one page'): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(item),
    ApiOkResponse({
      description,
      schema: {
        type: 'object',
        required: ['items', 'nextCursor', 'limit'],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(item) } },
          nextCursor: {
            type: ['string', 'null'],
            description:
              'Cursor der nächsten Seite, null auf der letzten / cursor of the next page, null on the last one',
          },
          limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT },
        },
      },
    }),
  );
}
