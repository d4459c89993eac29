/**
 * The CSV dialect of every funding report: RFC 4180 (comma, CRLF, fields quoted only when they hold a comma, a
 * quote or a line break, quotes doubled), UTF-8 with a byte order mark so that Excel reads umlauts right, money in
 * euros with two decimals and a decimal point, dates ISO 8601. Everything is built from strings and integers: no
 * amount ever passes through floating point.
 */

export const UTF8_BOM = '\uFEFF';
export const CSV_LINE_END = '\r\n';

const NEEDS_QUOTES = /[",\r\n]/;
const QUOTES = /"/g;
const INTEGER = /^-?[0-9]+$/;

/** A field as it is (identifiers, codes, dates, numbers already formatted), quoted when the dialect needs it. */
export function csvField(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return NEEDS_QUOTES.test(value) ? `"${value.replace(QUOTES, '""')}"` : value;
}

/**
 * Free text people typed (titles, names). A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a
 * formula to spreadsheet programs (CSV injection), so such text gets a leading apostrophe, which Excel and
 * LibreOffice show as plain text.
 */
export function csvText(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const first = value.charCodeAt(0);
  const neutral =
    first === 61 /* = */ ||
    first === 43 /* + */ ||
    first === 45 /* - */ ||
    first === 64 /* @ */ ||
    first === 9 ||
    first === 13
      ? `'${value}`
      : value;
  return csvField(neutral);
}

/** One record: the fields (each already made by csvField, csvText or a number format) and the line end. */
export function csvLine(fields: readonly string[]): string {
  return fields.join(',') + CSV_LINE_END;
}

/** The header line, each name quoted where needed. */
export function csvHeader(names: readonly string[]): string {
  return csvLine(names.map(csvField));
}

/**
 * Integer cents (as PostgreSQL sends a bigint: text; or a safe integer or bigint) as euros with two decimals:
 * `123456` → `1234.56`, `5` → `0.05`, `-250` → `-2.50`. Null stays empty.
 */
export function euros(cents: string | number | bigint | null | undefined): string {
  if (cents === null || cents === undefined) return '';
  let digits = typeof cents === 'string' ? cents : integerText(cents);
  if (!INTEGER.test(digits)) throw new TypeError(`not whole cents: ${String(cents)}`);
  const negative = digits.charCodeAt(0) === 45;
  if (negative) digits = digits.slice(1);
  if (digits.length > 1 && digits.charCodeAt(0) === 48) digits = digits.replace(/^0+(?=[0-9])/, '');
  if (digits.length < 3) digits = digits.padStart(3, '0');
  const text = `${digits.slice(0, -2)}.${digits.slice(-2)}`;
  return negative && text !== '0.00' ? `-${text}` : text;
}

/**
 * `part / whole` in percent with two decimals, rounded half up (`90.00`, `33.33`, `66.67`); empty when `whole` is
 * 0. Exact for any amounts of cents (BigInt).
 */
export function percent(part: string | number | bigint, whole: string | number | bigint): string {
  const p = BigInt(part);
  const w = BigInt(whole);
  if (w === 0n) return '';
  const negative = p < 0n !== w < 0n && p !== 0n;
  const a = p < 0n ? -p : p;
  const b = w < 0n ? -w : w;
  // Hundredths of a percent: a × 10000 / b, rounded half up.
  const hundredths = (a * 20000n + b) / (2n * b);
  return euros(negative ? -hundredths : hundredths);
}

function integerText(value: number | bigint): string {
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    throw new TypeError(`not whole cents: ${value}`);
  return value.toString();
}
