import type { EnvelopeViolation } from '../envelope/cloud-event.js';
import { classValidatorViolations } from './class-validator-check.js';
import type { PayloadClass } from './field-rules.js';
import { quicklyValid } from './quick-check.js';

/** A field (path like `partners[1].costShareBasisPoints`) and the rule it breaks, in words. */
export type ContractViolation = EnvelopeViolation;

/**
 * Validates a payload against its class, strictly: every field present, nothing unknown, nested objects and lists
 * checked item by item; then the rules that relate fields. Returns the violations (empty when valid) with paths
 * like `partners[1].costShareBasisPoints`; `(root)` names the payload itself.
 *
 * class-validator is the validator. A quick pre-check in front of it (see quick-check.ts) can only ever say
 * "certainly valid", which nearly every payload is; for anything else class-validator decides and names the
 * violations.
 */
export function validatePayload(payload: PayloadClass, data: unknown): ContractViolation[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [{ field: '(root)', rule: 'must be a JSON object' }];
  }
  if (quicklyValid(payload, data)) return [];
  return classValidatorViolations(payload, data);
}
