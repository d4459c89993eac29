import { decodeCursor, keysetQuery, toPage, type Page, type SortKey } from '@wandelwerk/contracts';
import type { DataSource } from 'typeorm';

/** A filter that applies: its SQL (given the placeholder of its value) and the value. */
export type SqlFilter = readonly [condition: (placeholder: string) => string, value: unknown];

/** `[cond, value]` when the value is given, nothing otherwise: `...when(query.status, (p) => `status = ${p}`)`. */
export function when(value: unknown, condition: (placeholder: string) => string): SqlFilter[] {
  return value === undefined || value === null || value === '' ? [] : [[condition, value]];
}

export interface KeysetPageQuery {
  /** `FROM` clause, e.g. `projects.proposal p`. */
  from: string;
  /** The select list. */
  columns: string;
  filters: readonly SqlFilter[];
  sort: readonly SortKey[];
  /** SQL of each sort field for ORDER BY and the cursor condition (from code, never from input). */
  sortColumns: Readonly<Record<string, string>>;
  /** What the cursor stores of each sort field (e.g. timestamps as text to the microsecond); default the column. */
  sortValues?: Readonly<Record<string, string>>;
  idColumn: string;
  cursor?: string | undefined;
  limit: number;
}

/**
 * One page of a filtered, sorted list by keyset pagination: stable however rows tie, and as fast on page 1000 as on
 * page 1 when an index covers the sort columns and the id.
 */
export async function fetchKeysetPage<Row extends { id: string }>(
  dataSource: DataSource,
  q: KeysetPageQuery,
): Promise<Page<Row>> {
  const params: unknown[] = [];
  const conditions = q.filters.map(([condition, value]) => {
    params.push(value);
    return condition(`$${params.length}`);
  });
  const after = q.cursor ? decodeCursor(q.cursor, q.sort) : null;
  const keyset = keysetQuery(q.sort, after, {
    columns: q.sortColumns,
    idColumn: q.idColumn,
    firstParameter: params.length + 1,
  });
  if (keyset.where) conditions.push(keyset.where);
  params.push(...keyset.params, q.limit + 1);
  const sortKeys = q.sort.map((key, i) => `${(q.sortValues ?? q.sortColumns)[key.field]} AS sort_key_${i}`);
  const rows = await dataSource.query<(Row & Record<string, unknown>)[]>(
    `SELECT ${q.columns}, ${sortKeys.join(', ')} FROM ${q.from}
     ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
     ORDER BY ${keyset.orderBy} LIMIT $${params.length}`,
    params,
  );
  return toPage(rows, q.limit, q.sort, (row) => ({
    values: q.sort.map((_key, i) => String(row[`sort_key_${i}`])),
    id: row.id,
  }));
}
