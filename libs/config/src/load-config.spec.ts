import { describe, expect, it } from '@jest/globals';
import { ConfigValidationError, loadConfig } from './load-config.js';
import { ServiceSettings } from './common-settings.js';

describe('loadConfig', () => {
  it('uses the defaults when nothing is set', () => {
    const config = loadConfig(ServiceSettings, {}, 'test');
    expect(config.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(config.EVENT_MAX_ATTEMPTS).toBe(5);
  });

  it('converts numbers and keeps validated strings', () => {
    const config = loadConfig(
      ServiceSettings,
      { PORT: '3100', DATABASE_URL: 'postgres://u@db:5432/x' },
      'test',
    );
    expect(config.PORT).toBe(3100);
    expect(config.DATABASE_URL).toBe('postgres://u@db:5432/x');
  });

  it('names every malformed setting with its rule at once', () => {
    let caught: unknown;
    try {
      loadConfig(
        ServiceSettings,
        { PORT: 'eighty', NATS_URL: 'http://x', LOG_LEVEL: 'loud', NATS_PREFIX: 'a.b' },
        'projects',
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigValidationError);
    const problems = (caught as ConfigValidationError).problems;
    expect(problems.map((p) => p.setting).sort()).toEqual(['LOG_LEVEL', 'NATS_PREFIX', 'NATS_URL', 'PORT']);
    expect((caught as Error).message).toContain('PORT = "eighty": must be a whole number');
    expect((caught as Error).message).toMatch(/^projects: invalid configuration, 4 setting/);
  });

  it('returns a frozen object so nobody changes settings at run time', () => {
    const config = loadConfig(ServiceSettings, {}, 'test');
    expect(Object.isFrozen(config)).toBe(true);
  });
});
