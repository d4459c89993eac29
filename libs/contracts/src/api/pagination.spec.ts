import { describe, expect, it } from '@jest/globals';
import { ProblemException } from './problem.js';
import {
  clampLimit,
  CursorPageQueryDto,
  decodeCursor,
  encodeCursor,
  isCursor,
  keysetQuery,
  parseSort,
  SortQuery,
  toPage,
} from './pagination.js';
import { checkDto } from './validation.js';

const ID = '0b9f2a52-8f0e-4c4e-9d4e-6f1a2b3c4d5e';

describe('limit', () => {
  it.each([
    [undefined, 20],
    ['5', 5],
    [5, 5],
    ['100', 100],
    ['101', 100],
    ['1000', 100],
    ['99999999999999999999999', 100],
    ['0', 1],
    ['-5', 1],
    ['-99999999999', 1],
    ['abc', 'abc'],
    ['2.5', '2.5'],
    ['', ''],
    [2.5, 2.5],
  ])('%j → %j', (given, expected) => {
    expect(clampLimit(given)).toBe(expected);
  });

  it('is validated and defaulted in the query DTO', () => {
    expect(checkDto(CursorPageQueryDto, {})).toMatchObject({ ok: true, value: { limit: 20 } });
    expect(checkDto(CursorPageQueryDto, { limit: '1000' })).toMatchObject({
      ok: true,
      value: { limit: 100 },
    });
    const result = checkDto(CursorPageQueryDto, { limit: 'many' });
    expect(!result.ok && result.violations[0]).toMatchObject({ field: 'limit', rule: 'isInt' });
  });
});

describe('sort', () => {
  it('parses whitelisted fields, descending with a dash', () => {
    expect(parseSort('-createdAt,name', ['name', 'createdAt'])).toEqual([
      { field: 'createdAt', direction: 'desc' },
      { field: 'name', direction: 'asc' },
    ]);
  });

  it.each(['password', 'name,name', '', ' name', 'name,', '--name', 'a,b,c,d'])('refuses %j', (sort) => {
    expect(parseSort(sort, ['name', 'createdAt', 'a', 'b', 'c', 'd'])).toBeNull();
  });

  it('has a decorator for query DTOs', () => {
    class ListQuery extends CursorPageQueryDto {
      @SortQuery(['name', 'createdAt'], 'name')
      sort: string = 'name';
    }
    expect(checkDto(ListQuery, {})).toMatchObject({ ok: true, value: { sort: 'name', limit: 20 } });
    expect(checkDto(ListQuery, { sort: '-createdAt' })).toMatchObject({ ok: true });
    const result = checkDto(ListQuery, { sort: 'secret' });
    expect(!result.ok && result.violations[0]).toMatchObject({
      field: 'sort',
      rule: 'isSort',
      messages: { en: expect.stringContaining('of name, createdAt') as unknown },
    });
    expect(() => SortQuery(['name'], 'id')).toThrow('default sort');
  });
});

describe('cursor', () => {
  const sort = parseSort('-createdAt,name', ['name', 'createdAt'])!;
  const position = { values: ['2026-01-02T03:04:05.678Z', 'Lübbenau/Spreewald'], id: ID };

  it('round-trips the sort values and the id, and is base64url', () => {
    const cursor = encodeCursor(sort, position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(isCursor(cursor)).toBe(true);
    expect(decodeCursor(cursor, '-createdAt,name')).toEqual(position);
  });

  it('refuses a changed cursor, naming the cursor parameter', () => {
    const cursor = encodeCursor(sort, position);
    const body = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(
      JSON.stringify({ ...body, i: '1c9f2a52-8f0e-4c4e-9d4e-6f1a2b3c4d5e' }),
    ).toString('base64url');
    const flipped = `${cursor.slice(0, 10)}${cursor[10] === 'A' ? 'B' : 'A'}${cursor.slice(11)}`;
    for (const bad of [forged, flipped, `${cursor}A`, 'bm90IGpzb24', 'a b', '', 'x'.repeat(2_000)]) {
      expect(isCursor(bad)).toBe(false);
      let thrown: unknown;
      try {
        decodeCursor(bad, sort);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ProblemException);
      expect((thrown as ProblemException).problem).toMatchObject({
        status: 400,
        code: 'validation-failed',
        errors: [{ field: 'cursor', rule: 'isCursor' }],
      });
    }
  });

  it('refuses a cursor of another sort order', () => {
    const cursor = encodeCursor('name', { values: ['Cottbus'], id: ID });
    expect(() => decodeCursor(cursor, '-name')).toThrow(ProblemException);
    try {
      decodeCursor(cursor, '-name');
    } catch (error) {
      expect((error as ProblemException).problem.errors).toMatchObject([
        { field: 'cursor', rule: 'cursorMismatch' },
      ]);
    }
  });

  it('refuses values a cursor cannot carry', () => {
    expect(() => encodeCursor('name', { values: [], id: ID })).toThrow('needs 1 values');
    expect(() => encodeCursor('name', { values: [Number.NaN], id: ID })).toThrow('finite');
  });
});

describe('toPage', () => {
  const rows = Array.from({ length: 5 }, (_unused, i) => ({ id: `id-${i}`, name: 'Forst' }));
  const positionOf = (row: { id: string; name: string }) => ({ values: [row.name], id: row.id });

  it('returns limit items and a cursor after the last when there is more', () => {
    const page = toPage(rows, 4, 'name', positionOf);
    expect(page.items).toHaveLength(4);
    expect(page.limit).toBe(4);
    expect(decodeCursor(page.nextCursor!, 'name')).toEqual({ values: ['Forst'], id: 'id-3' });
  });

  it('has no next cursor on the last page', () => {
    expect(toPage(rows, 5, 'name', positionOf).nextCursor).toBeNull();
    expect(toPage([], 5, 'name', positionOf)).toEqual({ items: [], nextCursor: null, limit: 5 });
  });
});

describe('keysetQuery', () => {
  const columns = { name: 'm.name', createdAt: 'm.created_at' };

  it('orders by the sort keys and the id, and starts from the beginning without a cursor', () => {
    expect(keysetQuery(parseSort('name', ['name'])!, null, { columns })).toEqual({
      where: null,
      orderBy: 'm.name ASC, id ASC',
      params: [],
    });
  });

  it('uses a row comparison when all keys go one way', () => {
    const sort = parseSort('-createdAt,-name', ['name', 'createdAt'])!;
    expect(
      keysetQuery(
        sort,
        { values: ['2026-01-01T00:00:00.000Z', 'Forst'], id: ID },
        {
          columns,
          idColumn: 'm.id',
          firstParameter: 3,
        },
      ),
    ).toEqual({
      where: '(m.created_at, m.name, m.id) < ($3, $4, $5)',
      orderBy: 'm.created_at DESC, m.name DESC, m.id DESC',
      params: ['2026-01-01T00:00:00.000Z', 'Forst', ID],
    });
  });

  it('expands mixed directions', () => {
    const sort = parseSort('-createdAt,name', ['name', 'createdAt'])!;
    expect(keysetQuery(sort, { values: ['t', 'Forst'], id: ID }, { columns }).where).toBe(
      '((m.created_at < $1) OR (m.created_at = $1 AND m.name > $2) OR (m.created_at = $1 AND m.name = $2 AND id > $3))',
    );
  });

  it('refuses a field without a column', () => {
    expect(() => keysetQuery([{ field: 'secret', direction: 'asc' }], null, { columns })).toThrow(
      'no column',
    );
  });
});
