import { describe, expect, it } from '@jest/globals';
import {
  AddsUpTo,
  describeFields,
  Field,
  is,
  ListField,
  NestedField,
  NestedListField,
  NotBefore,
} from './field-rules.js';
import { payloadJsonSchema } from './json-schema.js';
import { validatePayload } from './validate-payload.js';

class Row {
  @Field(is.year) year!: number;
  @Field(is.cents) amountCents!: number;
}

class Sample {
  @Field(is.text(5)) label!: string;
  @Field(is.uuid, { nullable: true }) ownerId!: string | null;
  @NestedField(() => Row, { nullable: true }) extra!: Row | null;
  @Field(is.cents) totalCents!: number;
  @AddsUpTo('amountCents', 'totalCents')
  @NestedListField(() => Row, { minItems: 1, maxItems: 3 })
  rows!: Row[];
  @ListField(is.language, { maxItems: 2, uniqueItems: true }) languages!: string[];
  @Field(is.date) from!: string;
  @NotBefore('from') @Field(is.date) to!: string;
}

const valid = {
  label: 'Halle',
  ownerId: null,
  extra: null,
  totalCents: 300,
  rows: [
    { year: 2025, amountCents: 100 },
    { year: 2026, amountCents: 200 },
  ],
  languages: ['de'],
  from: '2024-02-29',
  to: '2024-03-01',
};

const check = (change: Partial<Record<keyof typeof valid, unknown>>) =>
  validatePayload(Sample, { ...valid, ...change });

describe('field rules', () => {
  it('accept a valid payload, null where a field is nullable, nested or not', () => {
    expect(check({})).toEqual([]);
    expect(check({ extra: { year: 2030, amountCents: 0 } })).toEqual([]);
  });

  it('count text length in characters (code points), as JSON Schema does', () => {
    expect(check({ label: '🏛️🏛' })).toEqual([]);
    expect(check({ label: '👷'.repeat(5) })).toEqual([]);
    expect(check({ label: '👷'.repeat(6) })).toEqual([
      { field: 'label', rule: 'must be a string of 1 to 5 characters' },
    ]);
  });

  it('name a missing field as required, and null where null is not allowed by its rule', () => {
    const { label: _label, ...withoutLabel } = valid;
    expect(validatePayload(Sample, withoutLabel)).toEqual([{ field: 'label', rule: 'is required' }]);
    expect(check({ totalCents: null })).toEqual([
      { field: 'totalCents', rule: 'must be a whole number of euro cents from 0 to 9007199254740991' },
    ]);
  });

  it('name lists by their bounds and bad items by index', () => {
    expect(check({ rows: [] })).toEqual([{ field: 'rows', rule: 'must have 1 to 3 items' }]);
    expect(check({ rows: {} })).toEqual([{ field: 'rows', rule: 'must be a list' }]);
    expect(check({ languages: ['de', 'fr'] })).toEqual([
      { field: 'languages', rule: 'item 1 must be one of de, en' },
    ]);
    expect(check({ languages: ['en', 'en'] })).toEqual([
      { field: 'languages', rule: 'item 1 repeats an earlier item' },
    ]);
    expect(check({ extra: [] })).toEqual([{ field: 'extra', rule: 'must be an object' }]);
  });

  it('judge relations only once every field is valid on its own', () => {
    expect(check({ totalCents: 301 })).toEqual([
      { field: 'rows', rule: 'must have amountCents values that add up to totalCents' },
    ]);
    expect(check({ to: '2024-02-28' })).toEqual([{ field: 'to', rule: 'must not be before from' }]);
    expect(check({ totalCents: 301, rows: [{ year: 2025, amountCents: -1 }] })).toEqual([
      {
        field: 'rows[0].amountCents',
        rule: 'must be a whole number of euro cents from 0 to 9007199254740991',
      },
    ]);
  });

  it('reject dates and times that do not exist', () => {
    expect(is.date.test('2025-02-29')).toBe(false);
    expect(is.date.test('2024-02-29')).toBe(true);
    expect(is.utcTime.test('2025-04-31T10:00:00Z')).toBe(false);
    expect(is.utcTime.test('2025-04-30T10:00:00.123Z')).toBe(true);
  });

  it('describe the same rules as JSON Schema', () => {
    const schema = payloadJsonSchema(Sample, (nested) => `#/$defs/${nested.name}`);
    expect(schema['required']).toEqual(Object.keys(valid));
    expect(schema['additionalProperties']).toBe(false);
    expect((schema['properties'] as Record<string, unknown>)['extra']).toEqual({
      anyOf: [{ $ref: '#/$defs/Row' }, { type: 'null' }],
    });
    expect((schema['properties'] as Record<string, unknown>)['rows']).toEqual({
      type: 'array',
      items: { $ref: '#/$defs/Row' },
      minItems: 1,
      maxItems: 3,
      description: 'must have amountCents values that add up to totalCents.',
    });
  });

  it('refuse a subclass that declares a field of its base again', () => {
    class Narrower extends Row {
      @Field(is.int(2025, 2030)) override year = 2025;
    }
    expect(() => describeFields(Narrower)).toThrow('Narrower.year is declared again in Narrower');
  });
});
