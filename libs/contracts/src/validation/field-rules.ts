import 'reflect-metadata';
import { Type } from 'class-transformer';
import { getMetadataStorage, ValidateBy, ValidateIf, ValidateNested } from 'class-validator';
import { EVENT_TYPE_PATTERN } from '../envelope/cloud-event.js';

/** A JSON Schema fragment (the draft-07 dialect that AsyncAPI 3 schemas extend). */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** A payload class: class-transformer constructs it without arguments, the decorators below describe its fields. */
export type PayloadClass<T extends object = object> = new () => T;

/**
 * One check on a JSON value: the test, the rule as a person reads it when it fails, and the same rule as JSON Schema
 * for the AsyncAPI document. Keeping the three together is what stops the document and the validator drifting apart.
 */
export interface FieldRule {
  readonly rule: string;
  readonly schema: JsonSchema;
  readonly test: (value: unknown) => boolean;
}

// Payload UUIDs are lower-case only: consumers join read models on them as strings, and 'A1…' ≠ 'a1…' there.
const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';
// The first two digits of an AGS are the state (Land) code: 01 Schleswig-Holstein … 16 Thüringen.
const STATE_CODE_PATTERN = '(0[1-9]|1[0-6])';
const DATE_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
const UTC_TIME_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$';

function matching(
  pattern: string,
  rule: string,
  schema: JsonSchema = {},
  alsoHolds: (value: string) => boolean = () => true,
): FieldRule {
  const regex = new RegExp(pattern);
  return {
    rule,
    schema: { type: 'string', pattern, ...schema },
    test: (value) => typeof value === 'string' && regex.test(value) && alsoHolds(value),
  };
}

function integer(minimum: number, maximum: number, rule: string): FieldRule {
  return {
    rule,
    schema: { type: 'integer', minimum, maximum },
    test: (value) =>
      Number.isSafeInteger(value) && (value as number) >= minimum && (value as number) <= maximum,
  };
}

/** Length in Unicode code points, as JSON Schema's maxLength counts; never spreads a string far beyond the bound. */
function withinLength(value: string, minLength: number, maxLength: number): boolean {
  // A code point takes at most two UTF-16 units, so anything longer is over the bound without counting.
  if (value.length > maxLength * 2) return false;
  const length = [...value].length;
  return length >= minLength && length <= maxLength;
}

/** `2025-02-30` matches the pattern but is no date: Date rolls it over to March, so compare the round trip. */
function isCalendarDate(value: string): boolean {
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

function isRealUtcTime(value: string): boolean {
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 19) === value.slice(0, 19);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function text(maxLength: number, minLength = 1): FieldRule {
  return {
    rule:
      minLength === 0
        ? `must be a string of at most ${maxLength} characters`
        : `must be a string of ${minLength} to ${maxLength} characters`,
    schema: { type: 'string', minLength, maxLength },
    test: (value) => typeof value === 'string' && withinLength(value, minLength, maxLength),
  };
}

function oneOf<T extends string | number>(values: readonly T[]): FieldRule {
  return {
    rule: `must be one of ${values.join(', ')}`,
    schema: { enum: [...values] },
    test: (value) => (values as readonly unknown[]).includes(value),
  };
}

/** The field rules events use; a decorator (`@Field(is.cents)`) applies one to a property. */
export const is = {
  uuid: matching(UUID_PATTERN, 'must be a lower-case UUID', { format: 'uuid' }),
  ags: matching(
    `^${STATE_CODE_PATTERN}[0-9]{6}$`,
    'must be an 8-digit AGS (Amtlicher Gemeindeschlüssel) starting with a state code 01 to 16',
  ),
  stateCode: matching(`^${STATE_CODE_PATTERN}$`, 'must be a 2-digit state code 01 to 16'),
  /** Money is integer euro cents; the upper bound keeps sums exact in JavaScript numbers. */
  cents: integer(
    0,
    Number.MAX_SAFE_INTEGER,
    'must be a whole number of euro cents from 0 to 9007199254740991',
  ),
  /** 1 basis point = 0.01 %, so 10000 is 100 % and a three-way split (3333/3333/3334) is exact. */
  basisPoints: integer(0, 10_000, 'must be whole basis points from 0 to 10000 (100 %)'),
  year: integer(2000, 2100, 'must be a year from 2000 to 2100'),
  /** The aggregate version after the change; consumers ignore an event older than what their read model holds. */
  version: integer(1, 2_147_483_647, 'must be a whole number from 1 to 2147483647'),
  int: (minimum: number, maximum: number) =>
    integer(minimum, maximum, `must be a whole number from ${minimum} to ${maximum}`),
  date: matching(DATE_PATTERN, 'must be a calendar date YYYY-MM-DD', { format: 'date' }, isCalendarDate),
  utcTime: matching(
    UTC_TIME_PATTERN,
    'must be an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)',
    { format: 'date-time' },
    isRealUtcTime,
  ),
  language: oneOf(['de', 'en']),
  boolean: {
    rule: 'must be true or false',
    schema: { type: 'boolean' },
    test: (value: unknown) => typeof value === 'boolean',
  },
  text,
  oneOf,
  programmeCode: matching(
    '^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$',
    'must be a programme code of 2 to 32 upper-case letters, digits and dashes, e.g. INVKG-BB',
    { minLength: 2, maxLength: 32 },
    (value) => value.length >= 2 && value.length <= 32,
  ),
  /** Names a field of the same payload (e.g. in `changedFields`). */
  fieldName: matching('^[a-z][A-Za-z0-9]{0,59}$', 'must be a field name in camelCase'),
  eventType: matching(
    EVENT_TYPE_PATTERN.source,
    'must be an event type <service>.<aggregate>.<event>.v<N>',
    { maxLength: 200 },
    (value) => value.length <= 200,
  ),
  httpUrl: matching(
    '^https?://',
    'must be an http(s) URL of at most 2000 characters',
    { format: 'uri', maxLength: 2000 },
    (value) => value.length <= 2000 && isHttpUrl(value),
  ),
  email: matching(
    '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
    'must be an e-mail address of at most 254 characters',
    { format: 'email', maxLength: 254 },
    (value) => value.length <= 254,
  ),
  phone: matching('^\\+?[0-9 ()/-]{3,40}$', 'must be a phone number of 3 to 40 digits, spaces, + ( ) / -'),
  sha256: matching('^[0-9a-f]{64}$', 'must be a SHA-256 digest in lower-case hex'),
} as const;

export interface FieldOptions {
  /** The field must be present either way; `null` says "none" explicitly, so a missing field is always a mistake. */
  nullable?: boolean;
}

export interface ListBounds {
  minItems?: number;
  maxItems: number;
  uniqueItems?: boolean;
}

export type FieldShape =
  | { readonly kind: 'value'; readonly rule: FieldRule }
  | { readonly kind: 'list'; readonly item: FieldRule; readonly bounds: ListBounds }
  | { readonly kind: 'nested'; readonly type: () => PayloadClass }
  | { readonly kind: 'nested-list'; readonly type: () => PayloadClass; readonly bounds: ListBounds };

export interface FieldDescription {
  readonly name: string;
  readonly shape: FieldShape;
  readonly nullable: boolean;
  /** Rules that relate this field to others, in words (JSON Schema cannot say them). */
  readonly notes: readonly string[];
}

interface FieldEntry {
  shape?: FieldShape;
  nullable: boolean;
  notes: string[];
  /** The very check class-validator runs for the field (see `contractField`). */
  check?: Check;
  /** The relation rules' tests, as class-validator runs them in the relation pass. */
  relations: Relation[];
}

type Relation = (value: unknown, object: Plain) => boolean;

// Filled while the payload classes are decorated; read by `describeFields` (JSON Schema, docs).
const registry = new Map<object, Map<string, FieldEntry>>();

function entryOf(target: object, property: string | symbol): FieldEntry {
  const owner = target.constructor;
  const fields = registry.get(owner) ?? new Map<string, FieldEntry>();
  registry.set(owner, fields);
  const entry = fields.get(String(property)) ?? { nullable: false, notes: [], relations: [] };
  fields.set(String(property), entry);
  return entry;
}

/** Checks a value and returns what is wrong with it, or null. */
type Check = (value: unknown) => string | null;

function contractField(shape: FieldShape, nullable: boolean, check: Check): PropertyDecorator {
  return (target, property) => {
    Object.assign(entryOf(target, property), { shape, nullable, check });
    // `always`: the relation pass of validatePayload must skip a null too.
    if (nullable) ValidateIf((_object, value) => value !== null, { always: true })(target, property);
    ValidateBy({
      name: 'contractField',
      validator: {
        validate: (value: unknown) => check(value) === null,
        defaultMessage: (args) => check(args?.value) ?? '',
      },
    })(target, property);
  };
}

const isPlainObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkList(value: unknown, bounds: ListBounds): string | null {
  if (!Array.isArray(value)) return 'must be a list';
  const { minItems = 0, maxItems } = bounds;
  if (value.length < minItems || value.length > maxItems) {
    return minItems === 0
      ? `must have at most ${maxItems} items`
      : `must have ${minItems} to ${maxItems} items`;
  }
  return null;
}

function required(check: Check): Check {
  return (value) => (value === undefined ? 'is required' : check(value));
}

/** A scalar field: `@Field(is.cents) amountCents!: number`. */
export function Field(rule: FieldRule, options: FieldOptions = {}): PropertyDecorator {
  return contractField(
    { kind: 'value', rule },
    options.nullable ?? false,
    required((value) => (rule.test(value) ? null : rule.rule)),
  );
}

/** A list of scalars; a bad item is named by its index in the rule. */
export function ListField(item: FieldRule, bounds: ListBounds): PropertyDecorator {
  return contractField(
    { kind: 'list', item, bounds },
    false,
    required((value) => {
      const problem = checkList(value, bounds);
      if (problem) return problem;
      const items = value as unknown[];
      const bad = items.findIndex((element) => !item.test(element));
      if (bad >= 0) return `item ${bad} ${item.rule}`;
      const repeated = bounds.uniqueItems
        ? items.findIndex((element, i) => items.indexOf(element) !== i)
        : -1;
      return repeated >= 0 ? `item ${repeated} repeats an earlier item` : null;
    }),
  );
}

// Nested validation runs in both passes of `validatePayload` (fields, then relations), so it is `always`.
function nestedDecorator(shape: FieldShape & { type: () => PayloadClass }, nullable: boolean, check: Check) {
  const validateShape = contractField(shape, nullable, required(check));
  return (target: object, property: string | symbol): void => {
    validateShape(target, property);
    Type(shape.type)(target, property);
    ValidateNested({ always: true })(target, property);
  };
}

/** A nested object, validated field by field (paths like `proposal.leadMunicipality.ags`). */
export function NestedField(type: () => PayloadClass, options: FieldOptions = {}): PropertyDecorator {
  return nestedDecorator({ kind: 'nested', type }, options.nullable ?? false, (value) =>
    isPlainObject(value) ? null : 'must be an object',
  );
}

/** A list of nested objects (paths like `partners[1].costShareBasisPoints`). */
export function NestedListField(type: () => PayloadClass, bounds: ListBounds): PropertyDecorator {
  return nestedDecorator({ kind: 'nested-list', type, bounds }, false, (value) => checkList(value, bounds));
}

/** The class-validator group of the rules that relate fields; `validatePayload` runs it once all fields are valid. */
export const RELATION_RULES = 'relations';

type Plain = Record<string, unknown>;

/**
 * A rule relating a field to other fields of the same object, in words. It is judged only after every field has
 * passed its own rule, so `holds` may rely on the types the fields declare (and a broken field is not reported a
 * second time as a broken relation).
 */
export function CrossFieldRule(
  note: string,
  holds: (value: unknown, object: Plain) => boolean,
): PropertyDecorator {
  return (target, property) => {
    const entry = entryOf(target, property);
    entry.notes.push(note);
    entry.relations.push(holds);
    ValidateBy(
      {
        name: `relation:${note}`,
        validator: {
          validate: (value: unknown, args) => holds(value, args?.object as Plain),
          defaultMessage: () => note,
        },
      },
      { groups: [RELATION_RULES] },
    )(target, property);
  };
}

/** For amounts: `requestedFundingCents` must not exceed `eligibleCostCents`. */
export function NotGreaterThan(other: string): PropertyDecorator {
  return CrossFieldRule(
    `must not be greater than ${other}`,
    (value, object) => (value as number) <= (object[other] as number),
  );
}

/** For dates (YYYY-MM-DD strings order like the dates) and years. */
export function NotBefore(other: string): PropertyDecorator {
  return CrossFieldRule(
    `must not be before ${other}`,
    (value, object) => (value as string | number) >= (object[other] as string | number),
  );
}

/** On a list of objects: no two items share the value of `key` (e.g. one row per year). */
export function UniqueBy(key: string): PropertyDecorator {
  return CrossFieldRule(`must not have two items with the same ${key}`, (value) => {
    const keys = (value as Plain[]).map((item) => item[key]);
    return new Set(keys).size === keys.length;
  });
}

/** On a list of objects: their `key` amounts add up to the number at `totalPath` (dotted, from the same object). */
export function AddsUpTo(key: string, totalPath: string): PropertyDecorator {
  return CrossFieldRule(`must have ${key} values that add up to ${totalPath}`, (value, object) => {
    const total = totalPath.split('.').reduce<unknown>((node, step) => (node as Plain)[step], object);
    return (value as Plain[]).reduce((sum, item) => sum + (item[key] as number), 0) === total;
  });
}

/**
 * The fields of a payload class in declaration order, base classes first. Throws when a subclass declares a field its
 * base already has: class-validator would apply both classes' rules to it, which is never what the author meant.
 */
export function describeFields(payload: PayloadClass): FieldDescription[] {
  const chain: { name: string }[] = [];
  for (let current: unknown = payload; typeof current === 'function' && current !== Function.prototype;) {
    chain.unshift(current);
    current = Object.getPrototypeOf(current);
  }
  const fields = new Map<string, FieldDescription>();
  for (const owner of chain) {
    for (const [name, entry] of registry.get(owner) ?? []) {
      if (fields.has(name)) throw new Error(`${payload.name}.${name} is declared again in ${owner.name}`);
      if (!entry.shape)
        throw new Error(`${owner.name}.${name} has a cross-field rule but no field decorator`);
      fields.set(name, { name, shape: entry.shape, nullable: entry.nullable, notes: entry.notes });
    }
  }
  return [...fields.values()];
}

/** What `validatePayload`'s quick path needs of a field: the checks class-validator would run, and how it nests. */
export interface FieldChecks {
  readonly name: string;
  readonly nullable: boolean;
  readonly check: Check;
  readonly relations: readonly Relation[];
  /** The class of a nested object or of the items of a nested list. */
  readonly nested?: { readonly type: PayloadClass; readonly list: boolean };
}

/** The checks of a payload class's fields, base classes first; throws where `describeFields` does. */
export function fieldChecksOf(payload: PayloadClass): FieldChecks[] {
  const owners = new Map<string, FieldEntry>();
  for (let current: unknown = payload; typeof current === 'function' && current !== Function.prototype;) {
    for (const [name, entry] of registry.get(current) ?? []) owners.set(name, entry);
    current = Object.getPrototypeOf(current);
  }
  return describeFields(payload).map(({ name, shape, nullable }) => {
    const entry = owners.get(name)!;
    if (!entry.check) throw new Error(`${payload.name}.${name} has no check`);
    const nested =
      shape.kind === 'nested' || shape.kind === 'nested-list'
        ? { type: shape.type(), list: shape.kind === 'nested-list' }
        : undefined;
    return { name, nullable, check: entry.check, relations: entry.relations, ...(nested ? { nested } : {}) };
  });
}

const relationRulesOf = new WeakMap<PayloadClass, boolean>();

/**
 * Whether validating `payload` can meet a rule of the relation group: on the class, a base class or any class nested in
 * it. When in doubt (a nested validation the field decorators do not describe), true.
 */
export function hasRelationRules(payload: PayloadClass): boolean {
  const known = relationRulesOf.get(payload);
  if (known !== undefined) return known;
  const storage = getMetadataStorage();
  const reached = new Set<PayloadClass>([payload]);
  let answer = false;
  for (const current of reached) {
    const metadata = storage.getTargetValidationMetadatas(current, '', false, false, [RELATION_RULES]);
    let fields: FieldDescription[];
    try {
      fields = describeFields(current);
    } catch {
      answer = true;
      break;
    }
    const nested = new Map<string, PayloadClass>();
    for (const field of fields) {
      if (field.shape.kind === 'nested' || field.shape.kind === 'nested-list')
        nested.set(field.name, field.shape.type());
    }
    if (
      metadata.some(
        (m) =>
          m.groups?.includes(RELATION_RULES) ||
          (m.type === 'nestedValidation' && !nested.has(m.propertyName)),
      )
    ) {
      answer = true;
      break;
    }
    for (const type of nested.values()) reached.add(type);
  }
  relationRulesOf.set(payload, answer);
  return answer;
}
