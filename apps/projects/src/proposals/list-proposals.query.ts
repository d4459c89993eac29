import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  decodeCursor,
  keysetQuery,
  parseSort,
  PROPOSAL_SORT_FIELDS,
  toPage,
  type ListProposalsQueryDto,
  type Page,
  type ProposalDto,
} from '@wandelwerk/contracts';
import { DataSource } from 'typeorm';
import { PROPOSAL_COLUMNS, toProposalDto, type ProposalRow } from './proposal.record.js';

/** Sort columns (from code, never from input); each has an index with the id. */
const SORT_COLUMNS: Record<(typeof PROPOSAL_SORT_FIELDS)[number], string> = {
  createdAt: 'p.created_at',
  updatedAt: 'p.updated_at',
  title: 'lower(p.title)',
  requestedFundingCents: 'p.requested_funding_cents',
};

/** What the cursor stores: timestamps to the microsecond, money as a number. */
const SORT_VALUES: Record<keyof typeof SORT_COLUMNS, string> = {
  createdAt: `to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  updatedAt: `to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  title: 'lower(p.title)',
  requestedFundingCents: 'p.requested_funding_cents::float8',
};

type Row = ProposalRow & { sort_key_0: string; sort_key_1?: string; sort_key_2?: string };

/** The filtered, sorted, cursor-paginated list of proposals. */
@Injectable()
export class ProposalQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(query: ListProposalsQueryDto): Promise<Page<ProposalDto>> {
    const sort = parseSort(query.sort, PROPOSAL_SORT_FIELDS) ?? [
      { field: 'createdAt', direction: 'desc' as const },
    ];
    const conditions: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (placeholder: string) => string, value: unknown): void => {
      params.push(value);
      conditions.push(sql(`$${params.length}`));
    };
    if (query.status) add((p) => `p.status = ${p}`, query.status);
    if (query.programmeCode) add((p) => `p.programme_code = ${p}`, query.programmeCode);
    if (query.workshop) add((p) => `p.workshop = ${p}`, query.workshop);
    if (query.municipalityId) add((p) => `p.municipality_ids @> ARRAY[${p}]::uuid[]`, query.municipalityId);
    if (query.year !== undefined) add((p) => `p.cost_plan_years @> ARRAY[${p}]::integer[]`, query.year);
    if (query.q) add((p) => `p.search @@ websearch_to_tsquery('german', ${p})`, query.q);
    const after = query.cursor ? decodeCursor(query.cursor, sort) : null;
    const keyset = keysetQuery(sort, after, {
      columns: SORT_COLUMNS,
      idColumn: 'p.id',
      firstParameter: params.length + 1,
    });
    if (keyset.where) conditions.push(keyset.where);
    params.push(...keyset.params, query.limit + 1);
    const sortKeys = sort.map(
      (key, i) => `${SORT_VALUES[key.field as keyof typeof SORT_VALUES]} AS sort_key_${i}`,
    );
    const rows = await this.dataSource.query<Row[]>(
      `SELECT ${PROPOSAL_COLUMNS}, ${sortKeys.join(', ')} FROM projects.proposal p
       ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY ${keyset.orderBy} LIMIT $${params.length}`,
      params,
    );
    const page = toPage(rows, query.limit, sort, (row) => ({
      values: sort.map((_key, i) => row[`sort_key_${i}` as 'sort_key_0']),
      id: row.id,
    }));
    return { ...page, items: page.items.map(toProposalDto) };
  }
}
