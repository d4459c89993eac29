import { describe, expect, it } from '@jest/globals';
import { HttpException } from '@nestjs/common';
import {
  fieldViolation,
  isLocalizedProblem,
  localizeProblem,
  problem,
  ProblemException,
  standardProblem,
  validationProblem,
} from './problem.js';
import { ruleMessage, STANDARD_PROBLEMS, statusTitle } from './problem-messages.js';

describe('problem()', () => {
  const refused = problem(
    409,
    'project.transition-not-allowed',
    { de: 'Ein Entwurf kann nicht befürwortet werden.', en: 'A draft cannot be endorsed.' },
    { currentState: 'draft', allowedTransitions: ['submit', 'withdraw'] },
  );

  it('is an HttpException with the status and a localized problem body', () => {
    expect(refused).toBeInstanceOf(HttpException);
    expect(refused).toBeInstanceOf(ProblemException);
    expect(refused.getStatus()).toBe(409);
    expect(refused.getResponse()).toEqual({
      type: 'https://wandelwerk.de/problems/project.transition-not-allowed',
      title: 'Konflikt',
      status: 409,
      detail: 'Ein Entwurf kann nicht befürwortet werden.',
      code: 'project.transition-not-allowed',
      messages: {
        de: { title: 'Konflikt', detail: 'Ein Entwurf kann nicht befürwortet werden.' },
        en: { title: 'Conflict', detail: 'A draft cannot be endorsed.' },
      },
      currentState: 'draft',
      allowedTransitions: ['submit', 'withdraw'],
    });
    expect(isLocalizedProblem(refused.getResponse())).toBe(true);
  });

  it('survives the trip over NATS as JSON', () => {
    expect(isLocalizedProblem(JSON.parse(JSON.stringify(refused.problem)))).toBe(true);
  });

  it('refuses a bad status, a bad code and extensions that replace members', () => {
    expect(() => problem(200, 'x.y', { de: 'a', en: 'b' })).toThrow('400 to 599');
    expect(() => problem(404, 'Municipality Not Found', { de: 'a', en: 'b' })).toThrow('not like');
    expect(() => problem(404, 'a.b', { de: 'a', en: 'b' }, { status: 200, messages: {} })).toThrow(
      'must not set status, messages',
    );
  });

  it('takes a title of its own and a type of its own', () => {
    const custom = problem(
      422,
      'funding.rate-exceeded',
      { de: 'd', en: 'e' },
      {},
      {
        title: { de: 'Förderquote überschritten', en: 'Funding rate exceeded' },
        type: 'about:blank',
      },
    );
    expect(custom.problem.type).toBe('about:blank');
    expect(custom.problem.messages.en.title).toBe('Funding rate exceeded');
  });
});

describe('the catalogue', () => {
  it('has German and English texts for every standard problem', () => {
    for (const [code, entry] of Object.entries(STANDARD_PROBLEMS)) {
      const built = standardProblem(code as keyof typeof STANDARD_PROBLEMS, { count: 2, maxSize: '1 MiB' });
      expect(built.getStatus()).toBe(entry.status);
      expect(built.problem.messages.de.detail).not.toMatch(/[{}]/);
      expect(built.problem.messages.en.detail).not.toMatch(/[{}]/);
      expect(built.problem.messages.de.detail).not.toBe(built.problem.messages.en.detail);
      expect(entry.type === 'about:blank' || entry.type.endsWith(code)).toBe(true);
    }
  });

  it('names statuses in both languages, with a fallback for unknown ones', () => {
    expect(statusTitle(413)).toEqual({ de: 'Anfrage zu groß', en: 'Content Too Large' });
    expect(statusTitle(418).en).toBe('Client Error');
    expect(statusTitle(599).de).toBe('Serverfehler');
  });

  it('fills rule messages with constraint arguments, and falls back to the English default', () => {
    expect(ruleMessage('max', [10_000])).toEqual({
      de: 'darf höchstens 10000 sein',
      en: 'must not be greater than 10000',
    });
    expect(ruleMessage('isIn', [['de', 'en']]).en).toBe('must be one of: de, en');
    expect(ruleMessage('isPostalCode', [], 'must be a postal code')).toEqual({
      de: 'ist ungültig',
      en: 'must be a postal code',
    });
  });
});

describe('localizeProblem', () => {
  const failed = validationProblem([
    fieldViolation('partners[1].costShareBasisPoints', 'max', ruleMessage('max', [10_000])),
  ]).problem;

  it('answers in one language, in RFC order, without the messages of the other', () => {
    const english = localizeProblem(failed, 'en', { instance: '/api/v1/projects', correlationId: 'c-1' });
    expect(Object.keys(english)).toEqual([
      'type',
      'title',
      'status',
      'detail',
      'instance',
      'correlationId',
      'code',
      'errors',
    ]);
    expect(english).toEqual({
      type: 'https://wandelwerk.de/problems/validation-failed',
      title: 'Validation failed',
      status: 400,
      detail: 'One field of the request is invalid; see errors.',
      instance: '/api/v1/projects',
      correlationId: 'c-1',
      code: 'validation-failed',
      errors: [
        { field: 'partners[1].costShareBasisPoints', rule: 'max', message: 'must not be greater than 10000' },
      ],
    });
    expect(localizeProblem(failed, 'de').errors?.[0]?.message).toBe('darf höchstens 10000 sein');
  });

  it('keeps extensions after the members', () => {
    const refused = problem(409, 'a.b', { de: 'x', en: 'y' }, { currentState: 'draft' }).problem;
    expect(localizeProblem(refused, 'de')).toMatchObject({ detail: 'x', currentState: 'draft' });
    expect(localizeProblem(refused, 'de')).not.toHaveProperty('messages');
  });

  it('tells a malformed problem body from a localized one', () => {
    expect(isLocalizedProblem({ status: 404, title: 'Not Found', detail: 'x' })).toBe(false);
    expect(isLocalizedProblem({ ...failed, messages: { de: failed.messages.de } })).toBe(false);
    expect(isLocalizedProblem({ ...failed, errors: [{ field: 'a' }] })).toBe(false);
    expect(isLocalizedProblem({ ...failed, status: 200 })).toBe(false);
  });
});
