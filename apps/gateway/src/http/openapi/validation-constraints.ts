import { getMetadataStorage } from 'class-validator';

/** The parts of class-validator's (unexported) ValidationMetadata this reads. */
interface ValidationMetadata {
  name?: string;
  propertyName: string;
  constraints?: unknown[];
  each?: boolean;
}

type Json = Record<string, unknown>;

/** What each class-validator rule says about a value, in JSON Schema words. */
function keywordsOf(metadata: ValidationMetadata): Json {
  const [first, second] = metadata.constraints ?? [];
  switch (metadata.name) {
    case 'max':
      return { maximum: first };
    case 'min':
      return { minimum: first };
    case 'maxLength':
      return { maxLength: first };
    case 'minLength':
      return { minLength: first };
    case 'isLength':
      return { minLength: first, ...(second === undefined ? {} : { maxLength: second }) };
    case 'arrayMaxSize':
      return { maxItems: first };
    case 'arrayMinSize':
      return { minItems: first };
    case 'isInt':
      return { type: 'integer' };
    case 'isUuid':
      return { format: 'uuid' };
    case 'isEmail':
      return { format: 'email' };
    case 'isIn':
      return Array.isArray(first) ? { enum: first } : {};
    case 'matches':
      return first instanceof RegExp ? { pattern: first.source } : {};
    default:
      return {};
  }
}

/**
 * The classes class-validator knows, by name (the names @nestjs/swagger gives their schemas), and the request body
 * classes of the routes with what they inherit (`PartialType(...)` classes keep their rules on a generated parent).
 */
function validatedClasses(bodyClasses: readonly (new () => unknown)[]): Map<string, ValidationMetadata[]> {
  const storage = getMetadataStorage() as unknown as {
    validationMetadatas?: unknown;
    getTargetValidationMetadatas?: (
      target: unknown,
      schema: string,
      always: boolean,
      strictGroups: boolean,
    ) => ValidationMetadata[];
  };
  const byClass = new Map<string, ValidationMetadata[]>();
  for (const type of bodyClasses) {
    const inherited = storage.getTargetValidationMetadatas?.(type, '', true, false) ?? [];
    if (inherited.length > 0) byClass.set(type.name, inherited);
  }
  // An internal of class-validator; without it the document simply stays as @nestjs/swagger made it.
  if (!(storage.validationMetadatas instanceof Map)) return byClass;
  for (const [target, metadatas] of storage.validationMetadatas as Map<unknown, ValidationMetadata[]>) {
    if (typeof target === 'function' && target.name && !byClass.has(target.name)) {
      byClass.set(target.name, [...(byClass.get(target.name) ?? []), ...metadatas]);
    }
  }
  return byClass;
}

/**
 * Adds to the schemas of the OpenAPI document what the DTOs' validation rules enforce (bounds, lengths, sizes,
 * enums, formats, patterns) where the `@ApiProperty` did not say it, so that the document states every limit the API
 * holds a client to. Keywords already in a schema win.
 */
export function addValidationConstraints(
  schemas: Record<string, Json>,
  bodyClasses: readonly (new () => unknown)[] = [],
): void {
  const classes = validatedClasses(bodyClasses);
  for (const [name, schema] of Object.entries(schemas)) {
    const metadatas = classes.get(name);
    const properties = schema['properties'] as Record<string, Json> | undefined;
    if (!metadatas || !properties) continue;
    for (const metadata of metadatas) {
      const property = properties[metadata.propertyName];
      if (!property || property['$ref'] || property['allOf']) continue;
      const keywords = keywordsOf(metadata);
      const target =
        metadata.each &&
        property['type'] === 'array' &&
        property['items'] &&
        typeof property['items'] === 'object'
          ? (property['items'] as Json)
          : property;
      if (target['$ref']) continue;
      for (const [keyword, value] of Object.entries(keywords)) {
        if (value === undefined || keyword in target) continue;
        // `type: integer` only narrows a number; it never turns a string into an integer.
        if (keyword === 'type' && target['type'] !== 'number') continue;
        target[keyword] = value;
      }
    }
  }
}
