import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  MUNICIPALITY_SORT_FIELDS,
  parseSort,
  type ListMunicipalitiesQueryDto,
  type MunicipalityDto,
  type Page,
} from '@wandelwerk/contracts';
import { fetchKeysetPage, when } from '@wandelwerk/platform';
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
    const page = await fetchKeysetPage<MunicipalityRow>(this.dataSource, {
      from: 'municipalities.municipality m',
      columns: 'm.*',
      filters: [
        ...when(query.ags, (p) => `m.ags = ${p}`),
        ...when(query.state, (p) => `m.state = ${p}`),
        ...when(query.district, (p) => `m.district = ${p}`),
        ...when(query.region, (p) => `m.region = ${p}`),
        ...when(query.active, (p) => `m.active = ${p}`),
        ...when(
          query.q && `%${escapeLike(query.q)}%`,
          (p) => `(m.name ILIKE ${p} OR m.official_name ILIKE ${p})`,
        ),
      ],
      sort,
      sortColumns: SORT_COLUMNS,
      sortValues: SORT_VALUES,
      idColumn: 'm.id',
      cursor: query.cursor,
      limit: query.limit,
    });
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
