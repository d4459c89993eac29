import { describe, expect, it } from '@jest/globals';
import { ProblemException } from '@wandelwerk/contracts';
import { parseJsonBody } from './json-body.parser.js';

function refusal(raw: string): unknown {
  try {
    parseJsonBody(Buffer.from(raw));
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    const { status, code, errors } = (error as ProblemException).problem;
    return { status, code, errors: errors?.map(({ field, rule }) => ({ field, rule })) };
  }
  throw new Error(`accepted ${raw}`);
}

describe('parseJsonBody', () => {
  it('parses a JSON object', () => {
    expect(parseJsonBody(Buffer.from('{"name":"Forst (Lausitz)","n":[1,2]}'))).toEqual({
      name: 'Forst (Lausitz)',
      n: [1, 2],
    });
  });

  it('refuses malformed JSON, an empty body, and anything but an object', () => {
    expect(refusal('{"a":')).toEqual({ status: 400, code: 'invalid-json', errors: undefined });
    expect(refusal('')).toEqual({
      status: 400,
      code: 'validation-failed',
      errors: [{ field: '(body)', rule: 'isDefined' }],
    });
    for (const notAnObject of ['[]', '"text"', '42', 'null', 'true']) {
      expect(refusal(notAnObject)).toEqual({
        status: 400,
        code: 'validation-failed',
        errors: [{ field: '(body)', rule: 'isObject' }],
      });
    }
  });

  it('refuses prototype keys with their paths, and deep nesting', () => {
    expect(refusal('{"a":{"b":[{"__proto__":{"admin":true}}]},"constructor":1}')).toEqual({
      status: 400,
      code: 'validation-failed',
      errors: [
        { field: 'constructor', rule: 'forbiddenKey' },
        { field: 'a.b[0].__proto__', rule: 'forbiddenKey' },
      ],
    });
    expect(refusal(`${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`)).toMatchObject({
      errors: [{ rule: 'tooDeep' }],
    });
  });
});
