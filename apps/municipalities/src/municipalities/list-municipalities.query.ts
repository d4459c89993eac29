import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  decodeCursor,
  keysetQuery,
  MUNICIPALITY_SORT_FIELDS,
  parseSort,
  toPage,
  type ListMunicipalitiesQueryDto,
  type MunicipalityDto,
  type Page,
} from '@wandelwerk/contracts';
import { DataSource } from 'typeorm';
import { MunicipalityEntity } from './municipality.entity.js';
import { toMunicipalityDto } from './municipality.mapper.js';
import { MunicipalityProblems } from './municipality.problems.js';

/** Columns the list may be sorted by (from code, never from input). */
const SORT_COLUMNS: Record<(typeof MUNICIPALITY_SORT_FIELDS)[number], string> = {
  name: 'lower(m.name)',
  ags: 'm.ags',
  createdAt: 'm.created_at',
  updatedAt: 'm.updated_at',
};

/** What the cursor stores of each sort column: timestamps to the microsecond, so no row is seen twice. */
const SORT_VALUES: Record<keyof typeof SORT_COLUMNS, string> = {
  ...SORT_COLUMNS,
  createdAt: `to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  updatedAt: `to_char(m.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
};

interface MunicipalityRow {
  id: string;
  ags: string;
  name: string;
  official_name: string;
  district: string;
  state: string;
  region: MunicipalityEntity['region'];
  active: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
  sort_key_0: string;
  sort_key_1?: string;
  sort_key_2?: string;
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Reads of the registry: one municipality, and the filtered, sorted, cursor-paginated list. */
@Injectable()
export class MunicipalityQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async get(id: string): Promise<MunicipalityDto> {
    const municipality = await this.dataSource.manager.findOne(MunicipalityEntity, { where: { id } });
    if (!municipality) throw MunicipalityProblems.notFound(id);
    return toMunicipalityDto(municipality);
  }

  async list(query: ListMunicipalitiesQueryDto): Promise<Page<MunicipalityDto>> {
    const sort = parseSort(query.sort, MUNICIPALITY_SORT_FIELDS) ?? [
      { field: 'name', direction: 'asc' as const },
    ];
    const conditions: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (placeholder: string) => string, value: unknown): void => {
      params.push(value);
      conditions.push(sql(`$${params.length}`));
    };
    if (query.ags) add((p) => `m.ags = ${p}`, query.ags);
    if (query.state) add((p) => `m.state = ${p}`, query.state);
    if (query.district) add((p) => `m.district = ${p}`, query.district);
    if (query.region) add((p) => `m.region = ${p}`, query.region);
    if (query.active !== undefined) add((p) => `m.active = ${p}`, query.active);
    if (query.q) add((p) => `(m.name ILIKE ${p} OR m.official_name ILIKE ${p})`, `%${escapeLike(query.q)}%`);
    const after = query.cursor ? decodeCursor(query.cursor, sort) : null;
    const keyset = keysetQuery(sort, after, {
      columns: SORT_COLUMNS,
      idColumn: 'm.id',
      firstParameter: params.length + 1,
    });
    if (keyset.where) conditions.push(keyset.where);
    params.push(...keyset.params, query.limit + 1);
    const sortKeys = sort.map(
      (key, i) => `${SORT_VALUES[key.field as keyof typeof SORT_VALUES]} AS sort_key_${i}`,
    );
    const rows = await this.dataSource.query<MunicipalityRow[]>(
      `SELECT m.*, ${sortKeys.join(', ')} FROM municipalities.municipality m
       ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY ${keyset.orderBy} LIMIT $${params.length}`,
      params,
    );
    const page = toPage(rows, query.limit, sort, (row) => ({
      values: sort.map((_key, i) => row[`sort_key_${i}` as 'sort_key_0']),
      id: row.id,
    }));
    return { ...page, items: page.items.map((row) => toMunicipalityDto(fromRow(row))) };
  }
}

function fromRow(row: MunicipalityRow): MunicipalityEntity {
  return Object.assign(new MunicipalityEntity(), {
    id: row.id,
    ags: row.ags,
    name: row.name,
    officialName: row.official_name,
    district: row.district,
    state: row.state,
    region: row.region,
    active: row.active,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
