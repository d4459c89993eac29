import { describe, expect, it } from '@jest/globals';
import { canonicalJson, requestFingerprint } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys recursively and drops white space', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson(JSON.parse('{ "b" : 1,\n "a" : 2 }'))).toBe(canonicalJson({ a: 2, b: 1 }));
  });

  it('keeps list order, escapes strings and writes numbers as JSON does', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson({ 'a"b': 'ü\n' })).toBe('{"a\\"b":"ü\\n"}');
    expect(canonicalJson({ n: 1.0, m: -0, big: 1e21 })).toBe('{"big":1e+21,"m":0,"n":1}');
  });

  it('leaves out what JSON cannot hold, like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: () => 1, c: null })).toBe('{"c":null}');
    expect(canonicalJson([undefined])).toBe('[null]');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('writes an own "__proto__" key as data, never touching a prototype', () => {
    const hostile = JSON.parse('{"__proto__":{"x":1}}') as unknown;
    expect(canonicalJson(hostile)).toBe('{"__proto__":{"x":1}}');
  });
});

describe('requestFingerprint', () => {
  it('is the same for the same body in another key order, different for another body or query', () => {
    const a = requestFingerprint({ name: 'Forst', amountCents: 100 }, {});
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(requestFingerprint({ amountCents: 100, name: 'Forst' }, {})).toBe(a);
    expect(requestFingerprint({ name: 'Forst', amountCents: 101 }, {})).not.toBe(a);
    expect(requestFingerprint({ name: 'Forst', amountCents: 100 }, { dryRun: 'true' })).not.toBe(a);
    expect(requestFingerprint(undefined, undefined)).toBe(requestFingerprint(null, {}));
  });
});
