import { describe, expect, it } from '@jest/globals';
import { JsonLogger } from './json-logger.js';
import { runWithCorrelation } from './correlation.js';

function capture(level: 'info' | 'debug' = 'info'): {
  logger: JsonLogger;
  lines: () => Record<string, unknown>[];
} {
  const out: string[] = [];
  const logger = new JsonLogger('projects', level, { write: (line: string) => out.push(line) });
  return { logger, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with app, level and message', () => {
    const { logger, lines } = capture();
    logger.write('info', 'started', { port: 3001 });
    expect(lines()).toEqual([
      expect.objectContaining({ app: 'projects', level: 'info', msg: 'started', port: 3001 }),
    ]);
  });

  it('adds the correlation id of the current scope to every line', () => {
    const { logger, lines } = capture();
    runWithCorrelation({ correlationId: 'req-42' }, () => logger.log('handled', 'ProposalsController'));
    expect(lines()[0]).toMatchObject({
      correlationId: 'req-42',
      context: 'ProposalsController',
      msg: 'handled',
    });
  });

  it('drops lines below the threshold', () => {
    const { logger, lines } = capture('info');
    logger.debug('noise');
    logger.warn('kept');
    expect(lines().map((l) => l['msg'])).toEqual(['kept']);
  });

  it('keeps an error with its stack and survives circular objects', () => {
    const { logger, lines } = capture();
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    logger.error(new Error('boom'), { circular }, 'Relay');
    const [line] = lines();
    expect(line).toMatchObject({
      level: 'error',
      msg: 'boom',
      context: 'Relay',
      circular: { self: '[circular]' },
    });
    expect((line?.['err'] as Record<string, unknown>)['stack']).toContain('boom');
  });
});
