import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import {
  getMetadataStorage,
  validateSync,
  type ValidationError,
  type ValidationOptions,
} from 'class-validator';
import type { LocalizedText } from './language.js';
import { ruleMessage } from './problem-messages.js';
import { fieldViolation, validationProblem, type FieldViolation } from './problem.js';

/**
 * "class-validator at every edge": the gateway validates request bodies and queries, a service validates the
 * payload of every request it answers, both with the same DTO classes and the same problem shape (400
 * `validation-failed`, every offending field with its rule and a message in German and English).
 */

/** Keys that reach an object's prototype when copied by assignment (as class-transformer copies). */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** Deeper than any request goes; bounds the work a hostile body can cause. */
export const MAX_NESTING_DEPTH = 32;
/** More errors than a person (or a form) can act on are left out. */
export const MAX_FIELD_ERRORS = 100;
const MAX_PATH_LENGTH = 200;

export type DtoClass<T extends object = object> = new () => T;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `partners[1].costShareBasisPoints`: dots between properties, brackets around list indexes. */
export function joinPath(parent: string, key: string, parentIsList: boolean): string {
  const path = parentIsList ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;
  return path.length > MAX_PATH_LENGTH ? `${path.slice(0, MAX_PATH_LENGTH)}…` : path;
}

/**
 * Finds keys that must never reach class-transformer (JSON.parse makes `"__proto__"` an own key; assigning it would
 * replace an object's prototype) and nesting deeper than `maxDepth`. Iterative, so no input can exhaust the stack.
 */
export function findForbiddenStructure(
  value: unknown,
  root: string,
  maxDepth = MAX_NESTING_DEPTH,
): FieldViolation[] {
  const found: FieldViolation[] = [];
  const queue: [unknown, string, number][] = [[value, '', 0]];
  for (let next = 0; next < queue.length && found.length < 20; next++) {
    const [node, path, depth] = queue[next];
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= maxDepth) {
      found.push(fieldViolation(path || root, 'tooDeep', ruleMessage('tooDeep', [maxDepth])));
      continue;
    }
    const isList = Array.isArray(node);
    for (const key of Object.keys(node)) {
      const field = joinPath(path, key, isList);
      if (!isList && FORBIDDEN_KEYS.has(key)) {
        found.push(fieldViolation(field, 'forbiddenKey', ruleMessage('forbiddenKey')));
        continue;
      }
      queue.push([(node as Record<string, unknown>)[key], field, depth + 1]);
    }
  }
  return found;
}

// The constraints class-validator adds by itself, said the way the conventions say them.
const RENAMED_RULES: Readonly<Record<string, string>> = {
  whitelistValidation: 'unknownField',
  nestedValidation: 'isObject',
  unknownValue: 'isObject',
};

// Which broken rule of a field to report: the most basic first (present, known, shape, type, format, bounds).
const RULE_RANK = [
  'isDefined',
  'whitelistValidation',
  'nestedValidation',
  'unknownValue',
  'isObject',
  'isArray',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isDate',
  'isEnum',
  'isIn',
  'isUuid',
];
const rankOf = (name: string): number => {
  const index = RULE_RANK.indexOf(name);
  if (index >= 0) return index;
  return name.startsWith('is') ? RULE_RANK.length : RULE_RANK.length + 1;
};

const SHAPE_RULES: ReadonlySet<string> = new Set(['isDefined', 'unknownField', 'isObject', 'isArray']);

interface LocalizedContext {
  messages?: Partial<LocalizedText>;
}

/**
 * Validation options that give a rule its own German and English message:
 * `@Matches(AGS, localizedMessage('muss ein 8-stelliger AGS sein', 'must be an 8-digit AGS'))`.
 */
export function localizedMessage(de: string, en: string, options: ValidationOptions = {}): ValidationOptions {
  const context = isPlainObject(options.context) ? options.context : {};
  return { ...options, context: { ...context, messages: { de, en } } };
}

/** The arguments of a constraint (e.g. the bound of `@Max(100)`), read from class-validator's metadata. */
function constraintArguments(target: object | undefined, property: string, name: string): readonly unknown[] {
  if (!target) return [];
  const metadata = getMetadataStorage()
    .getTargetValidationMetadatas(target.constructor, '', true, false)
    .find((entry) => entry.propertyName === property && (entry.name === name || entry.type === name));
  return (metadata?.constraints as unknown[] | undefined) ?? [];
}

function violationOf(error: ValidationError, field: string): FieldViolation {
  const names = Object.keys(error.constraints ?? {});
  const name = names.reduce((best, candidate) => (rankOf(candidate) < rankOf(best) ? candidate : best));
  let rule = RENAMED_RULES[name] ?? name;
  // A missing field breaks its type rule too; "is required" is what the author of the request needs to hear.
  if (error.value === undefined && rule !== 'unknownField') rule = 'isDefined';
  const own = (error.contexts?.[name] as LocalizedContext | undefined)?.messages;
  if (rule === name && own?.de && own.en) return fieldViolation(field, rule, { de: own.de, en: own.en });
  // class-validator's English message begins with the property name, which the field already names.
  const english = error.constraints?.[name];
  const withoutProperty = english?.startsWith(`${error.property} `)
    ? english.slice(error.property.length + 1)
    : english;
  return fieldViolation(
    field,
    rule,
    ruleMessage(rule, constraintArguments(error.target, error.property, name), withoutProperty),
  );
}

/**
 * Flattens class-validator's error tree into one violation per offending field, with paths like
 * `partners[1].costShareBasisPoints` (at most MAX_FIELD_ERRORS).
 */
export function flattenValidationErrors(errors: readonly ValidationError[]): FieldViolation[] {
  const found: FieldViolation[] = [];
  const walk = (list: readonly ValidationError[], parent: string, parentIsList: boolean): void => {
    for (const error of list) {
      if (found.length >= MAX_FIELD_ERRORS) return;
      const field = joinPath(parent, error.property, parentIsList);
      const violation =
        error.constraints && Object.keys(error.constraints).length > 0
          ? violationOf(error, field)
          : undefined;
      if (violation) found.push(violation);
      // A value of the wrong shape (`partners: {}`) is one mistake, not one per field it lacks.
      if (violation && SHAPE_RULES.has(violation.rule)) continue;
      if (error.children && error.children.length > 0)
        walk(error.children, field, Array.isArray(error.value));
    }
  };
  walk(errors, '', false);
  return found;
}

export interface CheckOptions {
  /** How the whole value is named when it is not an object: `(body)`, `(query)`, `(payload)`. */
  root?: string;
}

export type CheckResult<T> = { ok: true; value: T } | { ok: false; violations: FieldViolation[] };

/**
 * Checks a plain value against a DTO class strictly: a JSON object, no forbidden keys, no field the class does
 * not declare (`unknownField`), every declared rule, nested objects and lists item by item. On success the value
 * is the DTO instance (class-transformer applied: defaults, `@Type`, `@Transform`).
 */
export function checkDto<T extends object>(
  dto: DtoClass<T>,
  plain: unknown,
  options: CheckOptions = {},
): CheckResult<T> {
  const root = options.root ?? '(root)';
  if (!isPlainObject(plain)) {
    const rule = plain === undefined ? 'isDefined' : 'isObject';
    return { ok: false, violations: [fieldViolation(root, rule, ruleMessage(rule))] };
  }
  const hostile = findForbiddenStructure(plain, root);
  if (hostile.length > 0) return { ok: false, violations: hostile };
  const instance = plainToInstance(dto, plain, { exposeDefaultValues: true });
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: true, value: true },
  });
  if (errors.length > 0) return { ok: false, violations: flattenValidationErrors(errors) };
  return { ok: true, value: instance };
}

/** Like `checkDto`, but throws the 400 `validation-failed` problem. */
export function validateDto<T extends object>(
  dto: DtoClass<T>,
  plain: unknown,
  options: CheckOptions = {},
): T {
  const result = checkDto(dto, plain, options);
  if (!result.ok) throw validationProblem(result.violations);
  return result.value;
}

/**
 * For services: validates the payload of an RPC request with the gateway's DTO class and returns the instance, or
 * throws the same 400 `validation-failed` problem the gateway answers (it travels back to the client unchanged):
 * `const command = validateCommand(CreateMunicipalityDto, payload);`
 */
export function validateCommand<T extends object>(dto: DtoClass<T>, payload: unknown): T {
  return validateDto(dto, payload, { root: '(payload)' });
}
