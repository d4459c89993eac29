import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiHeader } from '@nestjs/swagger';

export const IDEMPOTENT = 'wandelwerk:idempotent';
/** OpenAPI extension that marks idempotent operations (the document adds their 409/422 answers). */
export const IDEMPOTENT_EXTENSION = 'x-idempotent';

export interface IdempotentOptions {
  /** Refuse the request (400) without an Idempotency-Key; by default the header is optional. */
  required?: boolean;
}

/**
 * For POSTs that create something: with an `Idempotency-Key` header, the same key and body within 24 h return the
 * first answer again (status, body, `Idempotency-Replayed: true`) and create nothing new; the same key with another
 * body is 422; the same key while the first request is still running is 409. Keys are scoped per user, method and
 * path. Answers with 5xx and requests refused by validation are not kept, so they can simply be retried.
 */
export function Idempotent(options: IdempotentOptions = {}): MethodDecorator {
  return applyDecorators(
    SetMetadata(IDEMPOTENT, options),
    ApiHeader({
      name: 'Idempotency-Key',
      required: options.required ?? false,
      description:
        'Eindeutiger Schlüssel des Vorgangs (z. B. eine UUID): Wiederholungen mit gleichem Schlüssel und Inhalt ' +
        'liefern die erste Antwort. / Unique key of the operation (e.g. a UUID): repeats with the same key and ' +
        'body return the first answer.',
      schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x20-\\x7E]+$' },
    }),
    ApiExtension(IDEMPOTENT_EXTENSION, true),
  );
}
