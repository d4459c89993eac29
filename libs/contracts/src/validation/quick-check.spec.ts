import { describe, expect, it } from '@jest/globals';
import { IsString } from 'class-validator';
import { EVENT_CATALOGUE } from '../catalogue.js';
import { classValidatorViolations } from './class-validator-check.js';
import { AddsUpTo, Field, is, NestedField, NestedListField, NotBefore } from './field-rules.js';
import { quicklyValid } from './quick-check.js';
import { validatePayload } from './validate-payload.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every place in a JSON value, as a path of keys and indexes. */
function pathsOf(value: Json, path: (string | number)[] = []): (string | number)[][] {
  const here = [path];
  if (Array.isArray(value)) return here.concat(...value.map((item, i) => pathsOf(item, [...path, i])));
  if (value !== null && typeof value === 'object')
    return here.concat(...Object.entries(value).map(([key, item]) => pathsOf(item, [...path, key])));
  return here;
}

function at(value: Json, path: (string | number)[]): Json {
  return path.reduce<Json>((node, step) => (node as Record<string, Json>)[step], value);
}

/** A copy of `data` with `change` applied to the place at `path` (its parent's slot). */
function mutated(
  data: Json,
  path: (string | number)[],
  change: (parent: Json, key: string | number) => void,
): Json {
  const copy = structuredClone(data);
  if (path.length === 0) {
    change({ root: copy }, 'root');
    return copy;
  }
  change(at(copy, path.slice(0, -1)), path[path.length - 1]);
  return copy;
}

const REPLACEMENTS: unknown[] = [
  undefined,
  null,
  '',
  'x',
  'x'.repeat(6_000),
  0,
  -1,
  1.5,
  2 ** 60,
  true,
  {},
  [],
  ['x'],
  [{}],
  { year: 2025, amountCents: 1 },
];

/** Mutations of every place in the payload: removed, replaced, nudged, duplicated, given an unknown key. */
function* mutationsOf(data: Json): Generator<[string, Json]> {
  for (const path of pathsOf(data)) {
    const name = path.join('.') || '(root)';
    const value = at(data, path);
    if (path.length > 0) {
      // (an item is "removed" below by dropping it: JSON has no holes in lists)
      if (typeof path[path.length - 1] === 'string')
        yield [`${name} removed`, mutated(data, path, (p, k) => void delete (p as Record<string, Json>)[k])];
      for (const replacement of REPLACEMENTS) {
        // JSON has no undefined in lists
        if (replacement === undefined && typeof path[path.length - 1] === 'number') continue;
        yield [
          `${name} = ${JSON.stringify(replacement)?.slice(0, 20)}`,
          mutated(data, path, (p, k) => void ((p as Record<string, unknown>)[k] = replacement)),
        ];
      }
    }
    if (typeof value === 'number') {
      for (const delta of [1, -1, 10_000]) {
        yield [
          `${name} + ${delta}`,
          mutated(data, path, (p, k) => void ((p as Record<string, number>)[k] += delta)),
        ];
      }
    }
    if (typeof value === 'string') {
      yield [
        `${name} upper-cased`,
        mutated(data, path, (p, k) => void ((p as Record<string, string>)[k] = value.toUpperCase())),
      ];
      yield [
        `${name} = 2000-01-01`,
        mutated(data, path, (p, k) => void ((p as Record<string, string>)[k] = '2000-01-01')),
      ];
    }
    if (Array.isArray(value) && value.length > 0) {
      yield [
        `${name} first item repeated`,
        mutated(data, path, (p, k) => void (p as Record<string, Json[]>)[k].push(structuredClone(value[0]!))),
      ];
      yield [
        `${name} first item dropped`,
        mutated(data, path, (p, k) => void (p as Record<string, Json[]>)[k].shift()),
      ];
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      yield [
        `${name} with an unknown key`,
        mutated(data, path, (p, k) => void ((p as Record<string, Record<string, Json>>)[k]['unknown'] = 1)),
      ];
      yield [
        `${name} with __proto__`,
        mutated(
          data,
          path,
          (p, k) =>
            void Object.defineProperty((p as Record<string, object>)[k], '__proto__', {
              value: {},
              enumerable: true,
            }),
        ),
      ];
    }
  }
}

describe('the quick pre-check in front of class-validator', () => {
  it.each(EVENT_CATALOGUE.map((d) => [d.type, d] as const))(
    'vouches for the example of %s, as it arrives from NATS',
    (_type, definition) => {
      const data = JSON.parse(JSON.stringify(definition.example.data)) as object;
      expect(classValidatorViolations(definition.payload, data)).toEqual([]);
      expect(quicklyValid(definition.payload, data)).toBe(true);
    },
  );

  it.each(EVENT_CATALOGUE.map((d) => [d.type, d] as const))(
    'never vouches for a variant of the example of %s that class-validator rejects',
    (_type, definition) => {
      const disagreements: string[] = [];
      const vouched = [0, 0];
      for (const [what, data] of mutationsOf(JSON.parse(JSON.stringify(definition.example.data)) as Json)) {
        if (typeof data !== 'object' || data === null || Array.isArray(data)) continue;
        const quick = quicklyValid(definition.payload, data);
        const valid = classValidatorViolations(definition.payload, data).length === 0;
        // Never "valid" where class-validator finds a violation. (The other way round it may be stricter: class-validator
        // lets an empty list through where an object is expected in a list, for one.)
        if (quick && !valid)
          disagreements.push(`${what}: vouched for, but class-validator finds a violation`);
        if (valid) vouched[quick ? 0 : 1]++;
      }
      expect(disagreements).toEqual([]);
      // …and it does vouch for nearly all valid variants.
      expect(vouched[0]).toBeGreaterThan(vouched[1] * 4);
    },
  );

  class Row {
    @Field(is.year) year!: number;
    @Field(is.cents) amountCents!: number;
  }

  class Sample {
    @Field(is.text(5)) label!: string;
    @NestedField(() => Row, { nullable: true }) extra!: Row | null;
    @Field(is.cents) totalCents!: number;
    @AddsUpTo('amountCents', 'totalCents')
    @NestedListField(() => Row, { minItems: 1, maxItems: 3 })
    rows!: Row[];
    @Field(is.date) from!: string;
    @NotBefore('from') @Field(is.date) to!: string;
  }

  const valid = () => ({
    label: 'Halle',
    extra: null,
    totalCents: 300,
    rows: [
      { year: 2025, amountCents: 100 },
      { year: 2026, amountCents: 200 },
    ],
    from: '2024-02-29',
    to: '2024-03-01',
  });

  it('vouches only for objects as JSON makes them', () => {
    expect(quicklyValid(Sample, valid())).toBe(true);
    expect(quicklyValid(Sample, Object.assign(Object.create(null) as object, valid()))).toBe(false);
    const withRowInstance = { ...valid(), extra: Object.assign(new Row(), { year: 2025, amountCents: 1 }) };
    expect(quicklyValid(Sample, withRowInstance)).toBe(false);
    expect(validatePayload(Sample, withRowInstance)).toEqual([]);
  });

  it('leaves classes with rules of their own to class-validator', () => {
    class WithPlainDecorator {
      @Field(is.text(5)) @IsString() label!: string;
    }
    expect(quicklyValid(WithPlainDecorator, { label: 'Halle' })).toBe(false);
    expect(validatePayload(WithPlainDecorator, { label: 'Halle' })).toEqual([]);
    expect(validatePayload(WithPlainDecorator, { label: 7 }).map((v) => v.field)).toEqual(['label']);
  });

  it('leaves a rule that throws to class-validator, which meets it the same way', () => {
    class Throwing {
      @AddsUpTo('amountCents', 'missing.total')
      @NestedListField(() => Row, { maxItems: 3 })
      rows!: Row[];
    }
    const data = { rows: [{ year: 2025, amountCents: 1 }] };
    expect(quicklyValid(Throwing, data)).toBe(false);
    expect(() => validatePayload(Throwing, data)).toThrow(TypeError);
  });

  it('sees decorators that run after payloads were validated (class-validator metadata is cached until then)', () => {
    expect(validatePayload(Row, { year: 2025, amountCents: 1 })).toEqual([]);
    class LaterRow extends Row {
      @Field(is.boolean) final!: boolean;
    }
    expect(validatePayload(LaterRow, { year: 2025, amountCents: 1 })).toEqual([
      { field: 'final', rule: 'is required' },
    ]);
    expect(validatePayload(LaterRow, { year: 2025, amountCents: 1, final: true })).toEqual([]);
    expect(quicklyValid(LaterRow, { year: 2025, amountCents: 1, final: true })).toBe(true);
  });
});
