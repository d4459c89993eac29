import { describe, expect, it } from '@jest/globals';
import {
  BadRequestException,
  GatewayTimeoutException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { localizeProblem, problem } from '@wandelwerk/contracts';
import { formatBytes, problemFor } from './problem-response.js';

const context = { bodyLimitBytes: 1_048_576 };
const answer = (exception: unknown, language: 'de' | 'en' = 'de') => {
  const outcome = problemFor(exception, context);
  return { ...localizeProblem(outcome.problem, language), log: outcome.log };
};

describe('problemFor', () => {
  it('passes a service problem through as it came over NATS (extensions included)', () => {
    const refused = problem(
      409,
      'project.transition-not-allowed',
      { de: 'Nicht erlaubt.', en: 'Not allowed.' },
      {
        currentState: 'draft',
        allowedTransitions: ['submit'],
      },
    );
    const overNats = new HttpException(JSON.parse(JSON.stringify(refused.problem)) as object, 409);
    expect(answer(overNats, 'en')).toEqual({
      type: 'https://wandelwerk.de/problems/project.transition-not-allowed',
      title: 'Conflict',
      status: 409,
      detail: 'Not allowed.',
      code: 'project.transition-not-allowed',
      currentState: 'draft',
      allowedTransitions: ['submit'],
      log: undefined,
    });
  });

  it('maps Nest built-in exceptions by status to the catalogue (about:blank)', () => {
    expect(answer(new NotFoundException('Cannot GET /x'), 'en')).toMatchObject({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'The requested resource was not found.',
      code: 'not-found',
    });
    expect(answer(new BadRequestException('whatever'))).toMatchObject({ status: 400, code: 'bad-request' });
  });

  it('keeps the German detail and extensions of a problem-like body without English text', () => {
    const legacy = new HttpException(
      { status: 404, title: 'Not Found', detail: 'Allokation a-1 nicht gefunden', id: 'a-1' },
      404,
    );
    expect(answer(legacy, 'de')).toMatchObject({
      detail: 'Allokation a-1 nicht gefunden',
      id: 'a-1',
      title: 'Nicht gefunden',
    });
    expect(answer(legacy, 'en')).toMatchObject({
      detail: 'The requested resource was not found.',
      id: 'a-1',
    });
  });

  it('says no more than the catalogue for 5xx, and asks for a log line', () => {
    const bug = new Error('connection string postgres://secret@db leaked');
    const answered = answer(bug, 'en');
    expect(answered).toMatchObject({
      status: 500,
      code: 'internal-error',
      type: 'about:blank',
      log: 'error',
    });
    expect(JSON.stringify(answered)).not.toContain('secret');
    expect(answer(new HttpException({ status: 500, title: 'x', detail: 'stack at y' }, 500))).toMatchObject({
      status: 500,
      code: 'internal-error',
    });
    const leaky = problem(503, 'projects.down', { de: 'DB 10.0.0.5 weg', en: 'DB 10.0.0.5 gone' });
    expect(answer(leaky)).toMatchObject({ status: 503, detail: 'DB 10.0.0.5 weg', log: 'warn' });
  });

  it('maps the RpcClient’s 503 and 504 to the catalogue', () => {
    const noResponder = new ServiceUnavailableException({
      status: 503,
      title: 'Service Unavailable',
      detail: 'Der Dienst "projects" ist derzeit nicht erreichbar.',
    });
    expect(answer(noResponder, 'en')).toMatchObject({
      status: 503,
      code: 'service-unavailable',
      log: 'warn',
    });
    expect(answer(new GatewayTimeoutException(), 'de')).toMatchObject({
      status: 504,
      code: 'gateway-timeout',
      title: 'Zeitüberschreitung',
    });
  });

  it('maps Fastify’s body errors, wrapped by Nest or not', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(answer(new PayloadTooLargeException('x', { cause: tooLarge }), 'en')).toMatchObject({
      status: 413,
      code: 'payload-too-large',
      detail: 'The request body is too large; at most 1 MiB are allowed.',
    });
    expect(answer(tooLarge)).toMatchObject({ status: 413 });
    const mediaType = Object.assign(new Error('Unsupported Media Type: text/plain'), {
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      statusCode: 415,
    });
    expect(answer(mediaType, 'de')).toMatchObject({ status: 415, title: 'Nicht unterstützter Medientyp' });
    expect(answer(Object.assign(new Error('x'), { statusCode: 408 }))).toMatchObject({
      status: 408,
      type: 'about:blank',
    });
  });

  it('formats the body limit for people', () => {
    expect(formatBytes(1_048_576)).toBe('1 MiB');
    expect(formatBytes(2_048)).toBe('2 KiB');
    expect(formatBytes(1_000)).toBe('1000 bytes');
  });
});
