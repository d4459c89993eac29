import { describe, expect, it } from '@jest/globals';
import { isAgs, stateOfAgs } from './ags.js';

describe('AGS', () => {
  it.each(['12066304', '03154028', '11000000', '16051000'])('accepts %s', (ags) =>
    expect(isAgs(ags)).toBe(true),
  );

  it.each([
    ['7 digits', '1206630'],
    ['9 digits', '120663040'],
    ['Land 00', '00066304'],
    ['Land 17', '17066304'],
    ['letters', '12O66304'],
    ['a number, not a string', 12066304],
    ['spaces', ' 12066304'],
  ])('rejects %s', (_why, ags) => expect(isAgs(ags)).toBe(false));

  it('names the Land by the first two digits', () => {
    expect(stateOfAgs('12066304')).toBe('Brandenburg');
    expect(stateOfAgs('03154028')).toBe('Niedersachsen');
  });
});
