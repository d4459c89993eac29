import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { csvField, csvHeader, csvLine, csvText, euros, percent, UTF8_BOM } from './csv-writer.js';
import { REPORT_LAYOUTS } from './report-layouts.js';

describe('CSV writer', () => {
  describe('quoting (RFC 4180)', () => {
    it('leaves plain fields as they are and quotes only what holds a comma, a quote or a line break', () => {
      expect(csvField('Senftenberg')).toBe('Senftenberg');
      expect(csvField('Lübbenau/Spreewald')).toBe('Lübbenau/Spreewald');
      expect(csvField('Stadthalle, Bauabschnitt 2')).toBe('"Stadthalle, Bauabschnitt 2"');
      expect(csvField('Der „neue“ "Saal"')).toBe('"Der „neue“ ""Saal"""');
      expect(csvField('Zeile 1\nZeile 2')).toBe('"Zeile 1\nZeile 2"');
      expect(csvField('Zeile 1\r\nZeile 2')).toBe('"Zeile 1\r\nZeile 2"');
      expect(csvField('')).toBe('');
      expect(csvField(null)).toBe('');
    });

    it('ends every record with CRLF, and a standard parser reads back exactly what was written', () => {
      const tricky = ['a,b', 'say "hi"', 'two\nlines', '  spaced  ', 'Großräschen', ''];
      const header = ['eins', 'zwei, drei', 'vier', 'fünf', 'sechs', 'sieben'];
      const text = csvHeader(header) + csvLine(tricky.map((v) => csvField(v)));
      expect(text.endsWith('\r\n')).toBe(true);
      expect(parse(text)).toEqual([header, tricky]);
    });

    it('turns text that a spreadsheet would run as a formula into plain text', () => {
      expect(csvText('=HYPERLINK("http://x","klick")')).toBe('"\'=HYPERLINK(""http://x"",""klick"")"');
      expect(csvText('+49 355 1234')).toBe("'+49 355 1234");
      expect(csvText('-Sanierung')).toBe("'-Sanierung");
      expect(csvText('@SUM(A1)')).toBe("'@SUM(A1)");
      expect(csvText('\tTab')).toBe("'\tTab");
      expect(csvText('Stadthalle = Bürgerhaus')).toBe('Stadthalle = Bürgerhaus');
      expect(csvText(null)).toBe('');
    });
  });

  describe('money and rates', () => {
    it('writes cents as euros with two decimals and a decimal point, exactly', () => {
      expect(euros('123456')).toBe('1234.56');
      expect(euros(5)).toBe('0.05');
      expect(euros(50)).toBe('0.50');
      expect(euros(0)).toBe('0.00');
      expect(euros('-250')).toBe('-2.50');
      expect(euros('-0')).toBe('0.00');
      expect(euros('007')).toBe('0.07');
      expect(euros(100_000_000)).toBe('1000000.00');
      // Beyond what a double holds exactly: 2^53 + 1 cents.
      expect(euros('9007199254740993')).toBe('90071992547409.93');
      expect(euros(9_007_199_254_740_993n)).toBe('90071992547409.93');
      expect(euros(null)).toBe('');
    });

    it('refuses what is not whole cents', () => {
      expect(() => euros('12.5')).toThrow(TypeError);
      expect(() => euros(0.1)).toThrow(TypeError);
      expect(() => euros('1e5')).toThrow(TypeError);
    });

    it('writes a rate in percent with two decimals, rounded half up, and nothing for a zero base', () => {
      expect(percent(90, 100)).toBe('90.00');
      expect(percent('1062000000', '1180000000')).toBe('90.00');
      expect(percent(1, 3)).toBe('33.33');
      expect(percent(2, 3)).toBe('66.67');
      expect(percent(1, 8)).toBe('12.50');
      expect(percent(1, 80_000)).toBe('0.00');
      expect(percent(1, 20_000)).toBe('0.01');
      expect(percent(0, 500)).toBe('0.00');
      expect(percent(500, 0)).toBe('');
    });
  });

  describe('report layouts', () => {
    it('starts with a byte order mark and writes German headers that survive a round trip', () => {
      const text = UTF8_BOM + csvHeader(REPORT_LAYOUTS.ledger.header);
      expect(text.charCodeAt(0)).toBe(0xfeff);
      expect(parse(text, { bom: true })[0]).toEqual([...REPORT_LAYOUTS.ledger.header]);
    });

    it('writes a ledger line with euros and the available amount', () => {
      const line = REPORT_LAYOUTS.ledger.line([
        'INVKG-BB',
        'InvKG, Arm 1',
        '2026',
        '600000000',
        '150000050',
        '25000000',
        '424999950',
      ]);
      expect(line).toBe('INVKG-BB,"InvKG, Arm 1",2026,6000000.00,1500000.50,250000.00,4249999.50\r\n');
    });

    it('writes a Kohesio line: ISO dates, EUR, the rate from the funding over the eligible cost, AGS twice', () => {
      const line = REPORT_LAYOUTS.kohesio.line([
        '0b9f2a52-4d5e-4c4e-9d4e-6f1a2b3c8f0e',
        null,
        '=Stadthalle "Glück auf"',
        '2026-01-01',
        '2027-12-31',
        'InvKG Brandenburg',
        'INVKG-BB',
        '1180000000',
        '1062000000',
        'Senftenberg',
        '12066304',
      ]);
      expect(parse(line)[0]).toEqual([
        '0b9f2a52-4d5e-4c4e-9d4e-6f1a2b3c8f0e',
        '',
        '\'=Stadthalle "Glück auf"',
        '2026-01-01',
        '2027-12-31',
        'InvKG Brandenburg',
        'INVKG-BB',
        '11800000.00',
        'EUR',
        '10620000.00',
        '90.00',
        'Senftenberg',
        '12066304',
        'DE',
        '12066304',
        'Senftenberg',
      ]);
    });
  });
});
