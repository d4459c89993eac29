import { describeFields, type FieldDescription, type JsonSchema, type PayloadClass } from './field-rules.js';

/** How a schema points at the schema of a nested payload class, e.g. `#/components/schemas/ProposalDetails`. */
export type SchemaReference = (nested: PayloadClass) => string;

function fieldSchema({ shape, nullable, notes }: FieldDescription, refOf: SchemaReference): JsonSchema {
  const listOf = (
    items: JsonSchema,
    bounds: { minItems?: number; maxItems: number; uniqueItems?: boolean },
  ) => ({
    type: 'array',
    items,
    ...(bounds.minItems ? { minItems: bounds.minItems } : {}),
    maxItems: bounds.maxItems,
    ...(bounds.uniqueItems ? { uniqueItems: true } : {}),
  });
  const schema: JsonSchema =
    shape.kind === 'value'
      ? shape.rule.schema
      : shape.kind === 'list'
        ? listOf(shape.item.schema, shape.bounds)
        : shape.kind === 'nested'
          ? { $ref: refOf(shape.type()) }
          : listOf({ $ref: refOf(shape.type()) }, shape.bounds);
  const described = notes.length > 0 ? { description: `${notes.join('; ')}.` } : {};
  return nullable ? { ...described, anyOf: [schema, { type: 'null' }] } : { ...schema, ...described };
}

/**
 * The JSON Schema of a payload class, from the same decorators that validate it: every field required (nullable
 * ones too: absent is never the same as null), no others allowed. Nested classes are referenced through `refOf`.
 */
export function payloadJsonSchema(payload: PayloadClass, refOf: SchemaReference): JsonSchema {
  const fields = describeFields(payload);
  return {
    type: 'object',
    additionalProperties: false,
    required: fields.map((field) => field.name),
    properties: Object.fromEntries(fields.map((field) => [field.name, fieldSchema(field, refOf)])),
  };
}

/** The payload classes nested in `payload`, transitively, each once, in the order they are first met. */
export function nestedPayloadClasses(payload: PayloadClass): PayloadClass[] {
  const found: PayloadClass[] = [];
  const visit = (current: PayloadClass): void => {
    for (const { shape } of describeFields(current)) {
      if (shape.kind !== 'nested' && shape.kind !== 'nested-list') continue;
      const nested = shape.type();
      if (!found.includes(nested)) {
        found.push(nested);
        visit(nested);
      }
    }
  };
  visit(payload);
  return found;
}
