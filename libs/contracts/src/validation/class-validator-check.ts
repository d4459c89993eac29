import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { EnvelopeViolation } from '../envelope/cloud-event.js';
import { hasRelationRules, RELATION_RULES, type PayloadClass } from './field-rules.js';
import { cacheValidationMetadata } from './metadata-cache.js';

cacheValidationMetadata();

// Keys that reach an object's prototype when copied by assignment, as class-transformer does.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// Deeper than any payload goes; bounds the recursion an attacker could make us do.
const MAX_DEPTH = 16;

function pathOf(parent: string, key: string, parentIsList: boolean): string {
  if (parentIsList) return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/**
 * Finds keys that must never be handed to class-transformer (JSON.parse makes `"__proto__"` an own key, and assigning
 * it would replace the prototype of the instance) and nesting deeper than any contract allows.
 */
function findHostileStructure(value: unknown, path: string, depth: number): EnvelopeViolation[] {
  if (typeof value !== 'object' || value === null) return [];
  if (depth > MAX_DEPTH) return [{ field: path, rule: `is nested more than ${MAX_DEPTH} levels deep` }];
  const isList = Array.isArray(value);
  return Object.keys(value).flatMap((key) => {
    const field = pathOf(path, key, isList);
    if (FORBIDDEN_KEYS.has(key)) return [{ field, rule: 'is a forbidden key' }];
    return findHostileStructure((value as Record<string, unknown>)[key], field, depth + 1);
  });
}

// class-validator's own wording for the constraints it adds by itself, said the way our rules are.
const BUILT_IN_RULES: Record<string, string> = {
  whitelistValidation: 'is not part of the contract',
  nestedValidation: 'must be an object',
  unknownValue: 'must be an object of the contract',
};

function collect(errors: ValidationError[], parent: string, parentIsList: boolean): EnvelopeViolation[] {
  return errors.flatMap((error) => {
    const field = pathOf(parent, error.property, parentIsList);
    const constraints = Object.entries(error.constraints ?? {});
    if (constraints.length > 0) {
      return constraints.map(([name, message]) => ({ field, rule: BUILT_IN_RULES[name] ?? message }));
    }
    return collect(error.children ?? [], field, Array.isArray(error.value));
  });
}

/**
 * The payload (a JSON object) checked by class-validator, as `validatePayload` describes, with the violations named.
 * `validatePayload` comes here for every payload its quick pre-check cannot vouch for.
 */
export function classValidatorViolations(payload: PayloadClass, data: object): EnvelopeViolation[] {
  const hostile = findHostileStructure(data, '', 0);
  if (hostile.length > 0) return hostile;
  const instance = plainToInstance(payload, data);
  // One rule per field is enough to act on, and it keeps a broken nested object from also being walked.
  const common = { stopAtFirstError: true, validationError: { target: false, value: true } };
  // First every field on its own (strictGroups leaves out the relation rules)…
  const fieldErrors = validateSync(instance, {
    ...common,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    strictGroups: true,
  });
  if (fieldErrors.length > 0) return collect(fieldErrors, '', false);
  // Without rules that relate fields, that pass could only walk the (valid) nested objects again.
  if (!hasRelationRules(payload)) return [];
  // …then, with every field known to be well-formed, the rules that relate fields.
  return collect(
    validateSync(instance, { ...common, groups: [RELATION_RULES], forbidUnknownValues: false }),
    '',
    false,
  );
}
