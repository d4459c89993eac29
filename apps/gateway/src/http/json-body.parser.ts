import {
  fieldViolation,
  findForbiddenStructure,
  ruleMessage,
  standardProblem,
  validationProblem,
} from '@wandelwerk/contracts';

/**
 * Parses a JSON request body. The body must be a JSON object (a list, a string or `null` is a 400 naming `(body)`);
 * keys like `__proto__` and `constructor` and nesting deeper than 32 levels are refused with their paths before
 * anything else (interceptors, class-transformer) touches the body. Malformed JSON is 400 `invalid-json`.
 */
export function parseJsonBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) {
    throw validationProblem([fieldViolation('(body)', 'isDefined', ruleMessage('isDefined'))]);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw standardProblem('invalid-json');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw validationProblem([fieldViolation('(body)', 'isObject', ruleMessage('isObject'))]);
  }
  const hostile = findForbiddenStructure(body, '(body)');
  if (hostile.length > 0) throw validationProblem(hostile);
  return body as Record<string, unknown>;
}
