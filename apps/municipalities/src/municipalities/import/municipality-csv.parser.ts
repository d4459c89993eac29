import { parse } from 'csv-parse/sync';
import { isAgs, REGIONS, stateOfAgs, type Region } from '@wandelwerk/contracts';

/** A row ready to be upserted by AGS. `region` undefined: the file says nothing about it (keep what is stored). */
export interface MunicipalityRow {
  line: number;
  ags: string;
  name: string;
  officialName: string;
  district: string;
  state: string;
  region: Region | null | undefined;
}

export interface RowRejection {
  line: number;
  ags: string | null;
  reason: string;
  reasonEn: string;
}

export type CsvLayout = 'wandelwerk' | 'destatis-gv';

export interface ParsedMunicipalities {
  layout: CsvLayout;
  /** Data rows considered (municipality rows; for the Destatis layout not the Land or Kreis rows). */
  rows: number;
  accepted: MunicipalityRow[];
  rejected: RowRejection[];
}

/** The file as a whole cannot be read: no row is imported. */
export class CsvLayoutError extends Error {
  constructor(
    message: string,
    readonly messageEn: string,
  ) {
    super(message);
    this.name = 'CsvLayoutError';
  }
}

const WANDELWERK_COLUMNS = ['ags', 'name', 'official_name', 'district', 'state', 'region'] as const;
/** The columns of the Gemeindeverzeichnis (GV-ISys) extract that the import needs; others are ignored. */
const DESTATIS_COLUMNS = [
  'Satzart',
  'Textkennzeichen',
  'Land',
  'RB',
  'Kreis',
  'Gem',
  'Gemeindename',
] as const;

/** Region names as people write them ("Helmstedter Revier") to the registry's keys ("helmstedter-revier"). */
export function regionFromLabel(label: string): Region | null | 'invalid' {
  const trimmed = label.trim();
  if (trimmed === '') return null;
  const slug = trimmed
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/\s+/g, '-');
  return (REGIONS as readonly string[]).includes(slug) ? (slug as Region) : 'invalid';
}

function reject(line: number, ags: string | null, reason: string, reasonEn: string): RowRejection {
  return { line, ags, reason, reasonEn };
}

const MAX_TEXT = { name: 120, officialName: 200, district: 120, state: 60 } as const;

function checkRow(row: MunicipalityRow): RowRejection | null {
  if (!isAgs(row.ags)) {
    return reject(
      row.line,
      row.ags || null,
      'AGS fehlt oder ist ungültig: 8 Ziffern, die ersten beiden ein Landesschlüssel 01–16',
      'AGS missing or invalid: 8 digits, the first two a Land code 01–16',
    );
  }
  for (const [field, max] of Object.entries(MAX_TEXT) as [keyof typeof MAX_TEXT, number][]) {
    const value = row[field];
    if (value.length === 0 || value.length > max) {
      return reject(
        row.line,
        row.ags,
        `${field} fehlt oder ist länger als ${max} Zeichen`,
        `${field} is missing or longer than ${max} characters`,
      );
    }
  }
  return null;
}

function readRecords(text: string, delimiter: string): string[][] {
  try {
    return parse(text, {
      delimiter,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    });
  } catch (error) {
    throw new CsvLayoutError(
      `Die Datei ist kein lesbares CSV: ${(error as Error).message}`,
      `The file is not readable CSV: ${(error as Error).message}`,
    );
  }
}

function parseWandelwerk(records: string[][]): ParsedMunicipalities {
  const [header = [], ...data] = records;
  const index = Object.fromEntries(WANDELWERK_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<
    (typeof WANDELWERK_COLUMNS)[number],
    number
  >;
  const accepted: MunicipalityRow[] = [];
  const rejected: RowRejection[] = [];
  data.forEach((record, i) => {
    const line = i + 2;
    const cell = (column: (typeof WANDELWERK_COLUMNS)[number]): string =>
      index[column] >= 0 ? (record[index[column]] ?? '') : '';
    const region = regionFromLabel(cell('region'));
    if (region === 'invalid') {
      rejected.push(
        reject(
          line,
          cell('ags') || null,
          `Unbekannte Region „${cell('region')}“`,
          `Unknown region "${cell('region')}"`,
        ),
      );
      return;
    }
    const row: MunicipalityRow = {
      line,
      ags: cell('ags'),
      name: cell('name'),
      officialName: cell('official_name') || cell('name'),
      district: cell('district'),
      state: cell('state') || stateOfAgs(cell('ags')) || '',
      region: index.region >= 0 ? region : undefined,
    };
    const problem = checkRow(row);
    if (problem) rejected.push(problem);
    else accepted.push(row);
  });
  return { layout: 'wandelwerk', rows: data.length, accepted, rejected };
}

/** Kreis rows whose Textkennzeichen marks a kreisfreie Stadt or a Stadtkreis. */
const CITY_DISTRICT_MARKS = new Set(['41', '42']);

function parseDestatis(records: string[][]): ParsedMunicipalities {
  const [header = [], ...data] = records;
  const col = Object.fromEntries(DESTATIS_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<
    (typeof DESTATIS_COLUMNS)[number],
    number
  >;
  const cell = (record: string[], column: (typeof DESTATIS_COLUMNS)[number]): string =>
    record[col[column]] ?? '';
  const states = new Map<string, string>();
  const districts = new Map<string, { name: string; cityDistrict: boolean }>();
  // Land and Kreis rows come before their municipalities in the directory, but do not rely on it.
  for (const record of data) {
    const kind = cell(record, 'Satzart');
    if (kind === '10') states.set(cell(record, 'Land'), cell(record, 'Gemeindename'));
    if (kind === '40') {
      districts.set(`${cell(record, 'Land')}${cell(record, 'RB')}${cell(record, 'Kreis')}`, {
        name: cell(record, 'Gemeindename'),
        cityDistrict: CITY_DISTRICT_MARKS.has(cell(record, 'Textkennzeichen')),
      });
    }
  }
  const accepted: MunicipalityRow[] = [];
  const rejected: RowRejection[] = [];
  let rows = 0;
  data.forEach((record, i) => {
    if (cell(record, 'Satzart') !== '60') return;
    rows++;
    const line = i + 2;
    const districtKey = `${cell(record, 'Land')}${cell(record, 'RB')}${cell(record, 'Kreis')}`;
    const ags = `${districtKey}${cell(record, 'Gem')}`;
    const officialName = cell(record, 'Gemeindename');
    const district = districts.get(districtKey);
    const row: MunicipalityRow = {
      line,
      ags,
      // "Senftenberg/Zły Komorow, Stadt" → "Senftenberg/Zły Komorow": the kind of municipality is not its name.
      name: officialName.replace(/,\s*[^,]*$/, ''),
      officialName,
      district: district ? (district.cityDistrict ? 'kreisfrei' : district.name) : '',
      state: states.get(cell(record, 'Land')) ?? stateOfAgs(ags) ?? '',
      region: undefined,
    };
    if (isAgs(ags) && !district) {
      rejected.push(
        reject(
          line,
          ags,
          `Kein Kreis ${districtKey} in der Datei (Satzart 40)`,
          `No district ${districtKey} in the file (record type 40)`,
        ),
      );
      return;
    }
    const problem = checkRow(row);
    if (problem) rejected.push(problem);
    else accepted.push(row);
  });
  return { layout: 'destatis-gv', rows, accepted, rejected };
}

/**
 * Reads a municipality CSV in one of two layouts, recognised by its header:
 * - Wandelwerk: `ags,name,official_name,district,state,region` (comma-separated, UTF-8), as in the demo data;
 *   `official_name` defaults to the name, `state` to the Land of the AGS, `region` may be left out;
 * - Destatis Gemeindeverzeichnis (GV-ISys) extract: semicolon-separated with the columns `Satzart`,
 *   `Textkennzeichen`, `Land`, `RB`, `Kreis`, `VB`, `Gem`, `Gemeindename` (others ignored); Land (10), Kreis (40) and
 *   Gemeinde (60) records, the AGS being Land + RB + Kreis + Gem.
 * A row appearing twice keeps the first and rejects the later ones.
 */
export function parseMunicipalityCsv(text: string): ParsedMunicipalities {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  let parsed: ParsedMunicipalities;
  if (firstLine.includes(';') && firstLine.includes('Satzart')) {
    const records = readRecords(text, ';');
    const missing = DESTATIS_COLUMNS.filter((c) => !(records[0] ?? []).includes(c));
    if (missing.length > 0) {
      throw new CsvLayoutError(
        `Es fehlen die Spalten ${missing.join(', ')}`,
        `Missing columns ${missing.join(', ')}`,
      );
    }
    parsed = parseDestatis(records);
  } else {
    const records = readRecords(text, ',');
    const header = records[0] ?? [];
    const missing = ['ags', 'name', 'district'].filter((c) => !header.includes(c));
    if (missing.length > 0) {
      throw new CsvLayoutError(
        `Unbekanntes Format: erwartet wird die Kopfzeile ${WANDELWERK_COLUMNS.join(',')} oder ein Destatis-Gemeindeverzeichnis mit ${DESTATIS_COLUMNS.join(';')}`,
        `Unknown layout: expected the header ${WANDELWERK_COLUMNS.join(',')} or a Destatis municipal directory with ${DESTATIS_COLUMNS.join(';')}`,
      );
    }
    parsed = parseWandelwerk(records);
  }
  const seen = new Set<string>();
  const unique: MunicipalityRow[] = [];
  for (const row of parsed.accepted) {
    if (seen.has(row.ags)) {
      parsed.rejected.push(
        reject(
          row.line,
          row.ags,
          'Der AGS kommt in der Datei mehrfach vor',
          'The AGS appears more than once in the file',
        ),
      );
    } else {
      seen.add(row.ags);
      unique.push(row);
    }
  }
  parsed.rejected.sort((a, b) => a.line - b.line);
  return { ...parsed, accepted: unique };
}
