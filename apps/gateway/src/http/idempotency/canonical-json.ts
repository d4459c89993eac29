import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted (recursively) and no white space: two bodies that mean the same (key order,
 * formatting) read the same. Values JSON cannot hold are left out as JSON.stringify leaves them out.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined || typeof item === 'function' ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  const members = Object.keys(value)
    .sort()
    .flatMap((key) => {
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined || typeof member === 'function' || typeof member === 'symbol') return [];
      return [`${JSON.stringify(key)}:${canonicalJson(member)}`];
    });
  return `{${members.join(',')}}`;
}

/** SHA-256 (hex) of the canonical JSON of a request's body and query: "the same request". */
export function requestFingerprint(body: unknown, query: unknown): string {
  return createHash('sha256')
    .update(canonicalJson({ body: body ?? null, query: query ?? {} }))
    .digest('hex');
}
