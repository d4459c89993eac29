import { describe, expect, it } from '@jest/globals';
import { isValidIdempotencyKey, principalOf, scopeId } from './idempotency-key.js';

describe('Idempotency-Key', () => {
  it.each([
    'a',
    'c1b0f7a4-5a8e-4a51-9a8c-9e0d2f1a7b3c',
    ' ~!"#$%&()*+,-./:;<=>?@[\\]^_`{|}',
    'x'.repeat(200),
  ])('accepts %j', (key) => expect(isValidIdempotencyKey(key)).toBe(true));

  it.each(['', 'x'.repeat(201), 'schlüssel', 'tab\there', 'new\nline', '\u0000', 42, ['a']])(
    'refuses %j',
    (key) => expect(isValidIdempotencyKey(key)).toBe(false),
  );
});

describe('idempotency scope', () => {
  const scope = { principal: 'anonymous', method: 'POST', path: '/api/v1/projects', key: 'k-1' };

  it('differs by every part, and never contains the caller’s text', () => {
    const id = scopeId(scope);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(scopeId({ ...scope, method: 'post' })).toBe(id);
    for (const change of [{ principal: 'user:u-1' }, { path: '/api/v1/municipalities' }, { key: 'k-2' }]) {
      expect(scopeId({ ...scope, ...change })).not.toBe(id);
    }
  });

  it('is per authenticated user once there is one (the seam for authentication)', () => {
    expect(principalOf({})).toBe('anonymous');
    expect(principalOf({ actor: { userId: 'u-42' } })).toBe('user:u-42');
    expect(principalOf({ actor: { userId: '' } })).toBe('anonymous');
    expect(principalOf({ actor: { userId: 42 } })).toBe('anonymous');
  });
});
