import { getMetadataStorage } from 'class-validator';
import { fieldChecksOf, type FieldChecks, type PayloadClass } from './field-rules.js';

/**
 * A quick pre-check in front of class-validator for payloads that are valid, which is nearly all of them.
 *
 * It walks the payload along the same field descriptions the decorators registered and calls the very checks they
 * handed to class-validator (`contractField`'s check, the relation rules' tests), with class-validator's structure:
 * nothing unknown (whitelist), a `null` skips a nullable field (ValidateIf), nested objects and list items checked
 * by their class (ValidateNested), the relation rules only once every field of the whole payload is valid (the
 * second pass). It only ever answers "valid" or "not sure": anything else, and any class whose class-validator
 * metadata holds more than those decorators put there, goes to class-validator, which then names the violations.
 * So it can make validation faster, but never let through what class-validator would reject.
 */

interface Plan {
  readonly fields: readonly FieldPlan[];
  readonly names: ReadonlySet<string>;
}

interface FieldPlan extends FieldChecks {
  /** Resolved lazily: classes may nest each other. */
  plan?: () => Plan | null;
}

// Keys the quick path never accepts as field names (see findHostileStructure in validate-payload.ts).
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// Deeper than any payload goes; the same bound as validatePayload's.
const MAX_DEPTH = 16;

const plans = new WeakMap<PayloadClass, Plan | null>();

function planOf(payload: PayloadClass): Plan | null {
  if (plans.has(payload)) return plans.get(payload)!;
  plans.set(payload, null); // while building (and for good if it cannot be built)
  const plan = buildPlan(payload);
  plans.set(payload, plan);
  return plan;
}

/** Expected class-validator metadata of a field, by type: what `contractField` and `CrossFieldRule` register. */
function expectedMetadata(field: FieldChecks): Map<string, number> {
  const expected = new Map<string, number>([['customValidation', 1 + field.relations.length]]);
  if (field.nullable) expected.set('conditionalValidation', 1);
  if (field.nested) expected.set('nestedValidation', 1);
  return expected;
}

function buildPlan(payload: PayloadClass): Plan | null {
  let fields: FieldChecks[];
  try {
    fields = fieldChecksOf(payload);
  } catch {
    return null;
  }
  if (fields.some((f) => FORBIDDEN_KEYS.has(f.name))) return null;
  // Every rule class-validator holds for the class (all groups) must be one the decorators registered, so that the
  // checks below are all the checks there are.
  const storage = getMetadataStorage();
  const metadata = storage.getTargetValidationMetadatas(payload, '', false, false, undefined);
  const seen = new Map<string, Map<string, number>>();
  for (const m of metadata) {
    const byType = seen.get(m.propertyName) ?? new Map<string, number>();
    seen.set(m.propertyName, byType);
    byType.set(m.type, (byType.get(m.type) ?? 0) + 1);
    if (m.type === 'customValidation') {
      const name = storage.getTargetValidatorConstraints(m.constraintCls)[0]?.name ?? '';
      if (name !== 'contractField' && !name.startsWith('relation:')) return null;
    }
  }
  if (seen.size !== fields.length) return null;
  for (const field of fields) {
    const expected = expectedMetadata(field);
    const actual = seen.get(field.name);
    if (!actual || actual.size !== expected.size) return null;
    for (const [type, count] of expected) if (actual.get(type) !== count) return null;
  }
  return {
    names: new Set(fields.map((f) => f.name)),
    fields: fields.map((f) => (f.nested ? { ...f, plan: () => planOf(f.nested!.type) } : f)),
  };
}

/**
 * An object as JSON.parse makes it: its prototype is a realm's Object.prototype (the last before null). Class instances,
 * built-ins and objects without a prototype are left to class-transformer and class-validator.
 */
function isJsonObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype !== null && Object.getPrototypeOf(prototype) === null;
}

/** Pass 1: every field on its own, nested objects and items by their class. */
function fieldsHold(plan: Plan, object: Record<string, unknown>, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  for (const key in object) if (!plan.names.has(key)) return false;
  for (const field of plan.fields) {
    const value = object[field.name];
    if (field.nullable && value === null) continue;
    if (field.check(value) !== null) return false;
    // Objects and lists one level further down must still be within the bound.
    if (typeof value === 'object' && value !== null && depth + 1 > MAX_DEPTH) return false;
    if (!field.plan) continue;
    const nested = field.plan();
    if (!nested) return false;
    if (field.nested!.list) {
      for (const item of value as unknown[]) {
        if (!isJsonObject(item) || !fieldsHold(nested, item, depth + 2)) return false;
      }
    } else if (!isJsonObject(value) || !fieldsHold(nested, value, depth + 1)) return false;
  }
  return true;
}

/** Pass 2, once pass 1 held for the whole payload: the relation rules, nested ones included. */
function relationsHold(plan: Plan, object: Record<string, unknown>): boolean {
  for (const field of plan.fields) {
    const value = object[field.name];
    if (field.nullable && value === null) continue;
    for (const holds of field.relations) if (!holds(value, object)) return false;
    if (!field.plan) continue;
    const nested = field.plan()!;
    if (field.nested!.list) {
      for (const item of value as Record<string, unknown>[]) if (!relationsHold(nested, item)) return false;
    } else if (!relationsHold(nested, value as Record<string, unknown>)) return false;
  }
  return true;
}

/** True only when the payload is certainly valid against its class; false means "ask class-validator". */
export function quicklyValid(payload: PayloadClass, data: unknown): boolean {
  if (!isJsonObject(data)) return false;
  const plan = planOf(payload);
  if (!plan) return false;
  try {
    return fieldsHold(plan, data, 0) && relationsHold(plan, data);
  } catch {
    return false; // a rule that throws: let class-validator meet it the same way
  }
}
