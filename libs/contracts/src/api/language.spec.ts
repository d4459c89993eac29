import { describe, expect, it } from '@jest/globals';
import { fillTemplate, negotiateLanguage } from './language.js';

describe('negotiateLanguage (Accept-Language)', () => {
  it.each([
    [undefined, 'de'],
    ['', 'de'],
    ['de', 'de'],
    ['en', 'en'],
    ['EN-gb', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['de-DE,de;q=0.9,en;q=0.8', 'de'],
    ['en;q=0.5, de;q=0.9', 'de'],
    ['de;q=0.4, en;q=0.6', 'en'],
    ['fr', 'de'],
    ['fr, en;q=0.8', 'en'],
    ['fr, de;q=0.1, en;q=0.2', 'en'],
    ['*', 'de'],
    ['*;q=0.5, en', 'en'],
    ['en;q=0', 'de'],
    ['*, de;q=0', 'en'],
    ['en, de', 'en'],
    ['de, en', 'de'],
    ['en;q=0, en-GB;q=0.8', 'en'],
  ])('%j → %s', (header, expected) => {
    expect(negotiateLanguage(header)).toBe(expected);
  });

  it('ignores ranges with malformed weights or tags, and takes header lists', () => {
    expect(negotiateLanguage('en;q=2')).toBe('de');
    expect(negotiateLanguage('en;q=abc, de;q=0.1')).toBe('de');
    expect(negotiateLanguage('e!n')).toBe('de');
    expect(negotiateLanguage(['fr', 'en;q=0.3'])).toBe('en');
  });

  it('does bounded work for a hostile header', () => {
    expect(negotiateLanguage(`${'x,'.repeat(100_000)}en`)).toBe('de');
    expect(negotiateLanguage(`en;${'a=1;'.repeat(10_000)}`)).toBe('en');
  });
});

describe('fillTemplate', () => {
  it('replaces known placeholders and keeps unknown ones', () => {
    expect(fillTemplate('höchstens {0} von {max}, {missing}', { 0: 5, max: [1, 2] })).toBe(
      'höchstens 5 von 1, 2, {missing}',
    );
  });
});
