import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { CsvLayoutError, parseMunicipalityCsv, regionFromLabel } from './municipality-csv.parser.js';

const demo = readFileSync(new URL('../../../../../data/demo/municipalities.csv', import.meta.url), 'utf8');

/** A small extract of the Destatis Gemeindeverzeichnis (GV-ISys) in its semicolon layout. */
const destatis = [
  'Satzart;Textkennzeichen;Land;RB;Kreis;VB;Gem;Gemeindename;Fläche km2;Bevölkerung insgesamt',
  '10;;12;;;;;Brandenburg;29654,38;2521893',
  '40;41;12;0;52;;;Cottbus;165,63;98693',
  '60;61;12;0;52;0000;000;Cottbus/Chóśebuz, Stadt;165,63;98693',
  '40;44;12;0;66;;;Oberspreewald-Lausitz;1223,07;108712',
  '50;;12;0;66;5001;;Senftenberg, Stadt;;',
  '60;63;12;0;66;5001;304;Senftenberg/Zły Komorow, Stadt;126,54;23843',
  '60;63;12;0;66;5001;112;Großräschen/Rań, Stadt;81,29;11500',
  '60;63;12;0;77;5001;999;Ohnekreis;1;1',
].join('\n');

describe('parseMunicipalityCsv', () => {
  it('reads the real demo data in the Wandelwerk layout', () => {
    const parsed = parseMunicipalityCsv(demo);
    expect(parsed).toMatchObject({ layout: 'wandelwerk', rows: 19, rejected: [] });
    expect(parsed.accepted).toHaveLength(19);
    expect(parsed.accepted.find((r) => r.ags === '12066304')).toEqual({
      line: 5,
      ags: '12066304',
      name: 'Senftenberg',
      officialName: 'Senftenberg/Zły Komorow, Stadt',
      district: 'Oberspreewald-Lausitz',
      state: 'Brandenburg',
      region: 'lausitz',
    });
    // Leading zeros are part of the key.
    expect(parsed.accepted.find((r) => r.name === 'Helmstedt')?.ags).toBe('03154028');
    expect(parsed.accepted.find((r) => r.name === 'Helmstedt')?.region).toBe('helmstedter-revier');
  });

  it('reads a Destatis directory extract: municipality rows, district and Land from their own records', () => {
    const parsed = parseMunicipalityCsv(destatis);
    expect(parsed.layout).toBe('destatis-gv');
    expect(parsed.rows).toBe(4);
    expect(parsed.accepted.map((r) => [r.ags, r.name, r.district, r.state])).toEqual([
      ['12052000', 'Cottbus/Chóśebuz', 'kreisfrei', 'Brandenburg'],
      ['12066304', 'Senftenberg/Zły Komorow', 'Oberspreewald-Lausitz', 'Brandenburg'],
      ['12066112', 'Großräschen/Rań', 'Oberspreewald-Lausitz', 'Brandenburg'],
    ]);
    expect(parsed.accepted[0]?.region).toBeUndefined(); // the directory knows no regions: keep what is stored
    expect(parsed.rejected).toEqual([
      expect.objectContaining({
        line: 9,
        ags: '12077999',
        reasonEn: 'No district 12077 in the file (record type 40)',
      }),
    ]);
  });

  it('rejects bad rows with their line and reason, and keeps the good ones', () => {
    const csv = [
      'ags,name,official_name,district,state,region',
      '12066304,Senftenberg,"Senftenberg/Zły Komorow, Stadt",Oberspreewald-Lausitz,Brandenburg,Lausitz',
      '1206630,Kurz,Kurz,X,Brandenburg,Lausitz',
      '17066304,Land 17,Land 17,X,Nirgendwo,',
      '12066112,,Großräschen,OSL,Brandenburg,Lausitz',
      '12066176,Lauchhammer,Lauchhammer,OSL,Brandenburg,Atlantis',
      '12066304,Senftenberg again,Senftenberg,OSL,Brandenburg,Lausitz',
      `12066296,${'x'.repeat(121)},Schwarzheide,OSL,Brandenburg,Lausitz`,
    ].join('\n');
    const parsed = parseMunicipalityCsv(csv);
    expect(parsed.accepted.map((r) => r.ags)).toEqual(['12066304']);
    expect(parsed.rejected.map((r) => [r.line, r.reasonEn])).toEqual([
      [3, 'AGS missing or invalid: 8 digits, the first two a Land code 01–16'],
      [4, 'AGS missing or invalid: 8 digits, the first two a Land code 01–16'],
      [5, 'name is missing or longer than 120 characters'],
      [6, 'Unknown region "Atlantis"'],
      [7, 'The AGS appears more than once in the file'],
      [8, 'name is missing or longer than 120 characters'],
    ]);
    expect(parsed.rejected[0]?.reason).toContain('AGS fehlt oder ist ungültig');
  });

  it('refuses a file of an unknown layout as a whole', () => {
    expect(() => parseMunicipalityCsv('id;title\n1;x')).toThrow(CsvLayoutError);
    expect(() => parseMunicipalityCsv('Satzart;Land;Gemeindename\n60;12;X')).toThrow(
      /Missing columns|fehlen/,
    );
  });

  it('reads a file with a byte-order mark and Windows line ends', () => {
    const parsed = parseMunicipalityCsv('\uFEFFags,name,district\r\n11000000,Berlin,kreisfrei\r\n');
    expect(parsed.accepted).toEqual([
      expect.objectContaining({
        ags: '11000000',
        state: 'Berlin',
        officialName: 'Berlin',
        region: undefined,
      }),
    ]);
  });

  it('maps region labels to the registry keys', () => {
    expect(regionFromLabel('Mitteldeutsches Revier')).toBe('mitteldeutsches-revier');
    expect(regionFromLabel('')).toBeNull();
    expect(regionFromLabel('Mars')).toBe('invalid');
  });
});
