import { createHash } from 'node:crypto';
import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, ValidateBy, type ValidationOptions } from 'class-validator';
import { ruleMessage } from './problem-messages.js';
import { fieldViolation, validationProblem } from './problem.js';

/**
 * Lists: cursor pagination with a stable order. A page is `{ items, nextCursor, limit }`; the cursor carries the
 * sort key values and the id of the last item, so the next page starts right after it even when many items share
 * a sort value (the id breaks ties). The cursor is opaque to clients, bound to its sort order and checksummed.
 */

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;
export const MAX_SORT_KEYS = 3;
export const MAX_CURSOR_LENGTH = 1_024;

/** One page of a list. `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  /** The page size used (the requested one, clamped to 1..100). */
  limit: number;
}

/**
 * `limit`: a whole number, clamped to 1..100 (`limit=1000` gives 100 items, not an error); not given → 20. What is
 * not a whole number stays as it is, so that `@IsInt()` names it.
 */
export function clampLimit(value: unknown): unknown {
  if (value === undefined || value === null) return DEFAULT_PAGE_LIMIT;
  let number = value;
  if (typeof value === 'string') {
    if (/^\+?[0-9]{7,}$/.test(value)) return MAX_PAGE_LIMIT;
    if (/^-[0-9]{7,}$/.test(value)) return 1;
    if (!/^[+-]?[0-9]{1,6}$/.test(value)) return value;
    number = Number(value);
  }
  if (typeof number !== 'number' || !Number.isInteger(number)) return value;
  return Math.min(MAX_PAGE_LIMIT, Math.max(1, number));
}

// ---------------------------------------------------------------------------------------------------------------
// Sort: `sort=name`, `sort=-createdAt`, `sort=-createdAt,name`; fields whitelisted per resource.

export type SortDirection = 'asc' | 'desc';
export interface SortKey {
  field: string;
  direction: SortDirection;
}
/** A parsed sort or its canonical text (`-createdAt,name`). */
export type SortSpec = readonly SortKey[] | string;

/** Parses a sort parameter; null when it names a field not in `allowed`, repeats one, or has too many keys. */
export function parseSort(value: string, allowed: readonly string[]): SortKey[] | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) return null;
  const keys = value.split(',').map((part): SortKey | null => {
    const descending = part.startsWith('-');
    const field = descending ? part.slice(1) : part;
    return allowed.includes(field) ? { field, direction: descending ? 'desc' : 'asc' } : null;
  });
  if (keys.length > MAX_SORT_KEYS || keys.some((key) => key === null)) return null;
  const fields = keys.map((key) => (key as SortKey).field);
  return new Set(fields).size === fields.length ? (keys as SortKey[]) : null;
}

export function sortToString(sort: SortSpec): string {
  return typeof sort === 'string'
    ? sort
    : sort.map((key) => (key.direction === 'desc' ? `-${key.field}` : key.field)).join(',');
}

const sortKeyCount = (sort: SortSpec): number =>
  typeof sort === 'string' ? sort.split(',').length : sort.length;

/** The rule `isSort`: a sort of the given fields (constraints: the fields, the most keys). */
export function IsSort(allowed: readonly string[], options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSort',
      constraints: [allowed, MAX_SORT_KEYS],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseSort(value, allowed) !== null,
        defaultMessage: () => ruleMessage('isSort', [allowed, MAX_SORT_KEYS]).en,
      },
    },
    options,
  );
}

/**
 * The `sort` query parameter of a list: documented (OpenAPI), optional, whitelisted. Give the property the default:
 * `@SortQuery(['name', 'createdAt'], 'name') sort: string = 'name';`
 */
export function SortQuery(allowed: readonly string[], defaultSort: string): PropertyDecorator {
  if (parseSort(defaultSort, allowed) === null)
    throw new TypeError(`default sort "${defaultSort}" is not one of ${allowed.join(', ')}`);
  return applyDecorators(
    ApiPropertyOptional({
      type: 'string',
      default: defaultSort,
      example: defaultSort,
      pattern: `^-?(${allowed.join('|')})(,-?(${allowed.join('|')})){0,${MAX_SORT_KEYS - 1}}$`,
      description:
        `Sortierung / sort order: ${allowed.join(', ')}; \`-\` davor absteigend / a leading \`-\` sorts descending; ` +
        `bis zu / up to ${MAX_SORT_KEYS} Felder / fields, durch Kommas getrennt / separated by commas.`,
    }),
    IsOptional(),
    IsSort(allowed),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Cursor

/** Sort key values a cursor may carry: JSON scalars (timestamps as ISO strings). Sort columns are NOT NULL. */
export type CursorValue = string | number | boolean;

/** Where a page ends: the sort key values and the id of its last item. */
export interface CursorPosition {
  values: readonly CursorValue[];
  id: string;
}

interface CursorBody {
  v: 1;
  s: string;
  k: CursorValue[];
  i: string;
  c: string;
}

const CHECKSUM_CONTEXT = 'wandelwerk.cursor.v1';
const checksum = (sort: string, values: readonly CursorValue[], id: string): string =>
  createHash('sha256')
    .update(JSON.stringify([CHECKSUM_CONTEXT, sort, values, id]))
    .digest('base64url')
    .slice(0, 16);

const isCursorValue = (value: unknown): value is CursorValue =>
  (typeof value === 'string' && value.length <= 500) ||
  (typeof value === 'number' && Number.isFinite(value)) ||
  typeof value === 'boolean';

const isCursorId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= 100;

/** The next-page cursor after `position` in a list sorted by `sort`. */
export function encodeCursor(sort: SortSpec, position: CursorPosition): string {
  const s = sortToString(sort);
  if (position.values.length !== sortKeyCount(s))
    throw new TypeError(`a cursor for sort "${s}" needs ${sortKeyCount(s)} values`);
  if (!position.values.every(isCursorValue) || !isCursorId(position.id))
    throw new TypeError(
      'cursor values must be strings, finite numbers or booleans, and the id a short string',
    );
  const body: CursorBody = { v: 1, s, k: [...position.values], i: position.id, c: '' };
  body.c = checksum(s, body.k, body.i);
  const cursor = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  if (cursor.length > MAX_CURSOR_LENGTH) throw new TypeError('cursor values are too long');
  return cursor;
}

/** Reads a cursor; null when it is malformed or was changed (every byte counts: it must re-encode identically). */
function readCursor(cursor: unknown): CursorBody | null {
  if (
    typeof cursor !== 'string' ||
    cursor.length === 0 ||
    cursor.length > MAX_CURSOR_LENGTH ||
    !/^[A-Za-z0-9_-]+$/.test(cursor)
  )
    return null;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const { v, s, k, i, c } = body as Record<string, unknown>;
  if (
    v !== 1 ||
    typeof s !== 'string' ||
    !Array.isArray(k) ||
    k.length === 0 ||
    k.length > MAX_SORT_KEYS ||
    !k.every(isCursorValue) ||
    !isCursorId(i) ||
    typeof c !== 'string' ||
    c !== checksum(s, k, i)
  )
    return null;
  const read: CursorBody = { v, s, k, i, c };
  return Buffer.from(JSON.stringify(read), 'utf8').toString('base64url') === cursor ? read : null;
}

/** Whether a value is a cursor this platform issued, unchanged. */
export function isCursor(value: unknown): boolean {
  return readCursor(value) !== null;
}

/** The rule `isCursor` (format and checksum; whether it fits the sort order is checked by `decodeCursor`). */
export function IsCursor(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCursor',
      validator: { validate: isCursor, defaultMessage: () => ruleMessage('isCursor').en },
    },
    options,
  );
}

/**
 * The position a cursor points after, for a list sorted by `sort`. A malformed or changed cursor, or one issued
 * for another sort order, is a 400 `validation-failed` problem naming `field` (`cursor`).
 */
export function decodeCursor(cursor: string, sort: SortSpec, field = 'cursor'): CursorPosition {
  const body = readCursor(cursor);
  if (!body) throw validationProblem([fieldViolation(field, 'isCursor', ruleMessage('isCursor'))]);
  if (body.s !== sortToString(sort) || body.k.length !== sortKeyCount(sort))
    throw validationProblem([fieldViolation(field, 'cursorMismatch', ruleMessage('cursorMismatch'))]);
  return { values: body.k, id: body.i };
}

/**
 * A page from rows fetched with `LIMIT limit + 1` in the list's order: the extra row only tells that there is a
 * next page, whose cursor points after the last item returned.
 */
export function toPage<T>(
  rows: readonly T[],
  limit: number,
  sort: SortSpec,
  positionOf: (row: T) => CursorPosition,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(sort, positionOf(last)) : null,
    limit,
  };
}

/** The same page with its items mapped (e.g. rows to response DTOs). */
export function mapPage<T, R>(page: Page<T>, map: (item: T) => R): Page<R> {
  return { ...page, items: page.items.map(map) };
}

// ---------------------------------------------------------------------------------------------------------------
// Keyset SQL (PostgreSQL) for services

export interface KeysetOptions {
  /** SQL expression of each sortable field (from code, never from input), e.g. `{ createdAt: 'p.created_at' }`. */
  columns: Readonly<Record<string, string>>;
  /** The unique tie-breaker, `id` by default. */
  idColumn?: string;
  /** Number of the first `$n` parameter (when the query has parameters before these). */
  firstParameter?: number;
}

export interface Keyset {
  /** The condition "after the cursor", or null on the first page. */
  where: string | null;
  orderBy: string;
  params: unknown[];
}

/**
 * `ORDER BY` and the "after the cursor" condition of a keyset page. The id breaks ties in the direction of the last
 * sort key, so with one direction throughout the condition is a row comparison `(a, id) > ($1, $2)` that an index
 * on `(a, id)` serves; mixed directions expand to `a > $1 OR (a = $1 AND b < $2) OR …`.
 */
export function keysetQuery(
  sort: readonly SortKey[],
  after: CursorPosition | null,
  options: KeysetOptions,
): Keyset {
  const idColumn = options.idColumn ?? 'id';
  const direction: SortDirection = sort[sort.length - 1]?.direction ?? 'asc';
  const keys = [
    ...sort.map((key) => {
      const column = options.columns[key.field];
      if (!column) throw new TypeError(`no column for sort field "${key.field}"`);
      return { column, direction: key.direction };
    }),
    { column: idColumn, direction },
  ];
  const orderBy = keys.map((key) => `${key.column} ${key.direction === 'asc' ? 'ASC' : 'DESC'}`).join(', ');
  if (!after) return { where: null, orderBy, params: [] };
  if (after.values.length !== sort.length) throw new TypeError('cursor does not fit the sort order');
  const first = options.firstParameter ?? 1;
  const params = [...after.values, after.id];
  const placeholder = (index: number): string => `$${first + index}`;
  const operator = (dir: SortDirection): string => (dir === 'asc' ? '>' : '<');
  if (keys.every((key) => key.direction === direction)) {
    const columns = keys.map((key) => key.column).join(', ');
    const values = keys.map((_key, index) => placeholder(index)).join(', ');
    return { where: `(${columns}) ${operator(direction)} (${values})`, orderBy, params };
  }
  const alternatives = keys.map((key, index) => {
    const equal = keys.slice(0, index).map((previous, i) => `${previous.column} = ${placeholder(i)}`);
    return `(${[...equal, `${key.column} ${operator(key.direction)} ${placeholder(index)}`].join(' AND ')})`;
  });
  return { where: `(${alternatives.join(' OR ')})`, orderBy, params };
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Base of every list query: `limit` (default 20, clamped to 1..100) and `cursor`. A resource's query extends it with
 * its filters and `@SortQuery([...], default) sort`.
 */
export class CursorPageQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_LIMIT,
    default: DEFAULT_PAGE_LIMIT,
    description:
      'Einträge pro Seite; größere Werte werden auf 100 begrenzt. / Items per page; larger values are clamped to 100.',
  })
  @Transform(({ value }: { value: unknown }) => clampLimit(value))
  @IsInt()
  limit: number = DEFAULT_PAGE_LIMIT;

  @ApiPropertyOptional({
    type: 'string',
    maxLength: MAX_CURSOR_LENGTH,
    pattern: '^[A-Za-z0-9_-]+$',
    description:
      'nextCursor der vorigen Seite, unverändert; fehlt er, beginnt die Liste von vorn. / ' +
      'nextCursor of the previous page, unchanged; without it the list starts from the beginning.',
  })
  @IsOptional()
  @IsCursor()
  cursor?: string;
}
