import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  parseSort,
  PROPOSAL_SORT_FIELDS,
  type ListProposalsQueryDto,
  type Page,
  type ProposalDto,
} from '@wandelwerk/contracts';
import { fetchKeysetPage, when } from '@wandelwerk/platform';
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

/** The filtered, sorted, cursor-paginated list of proposals. */
@Injectable()
export class ProposalQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(query: ListProposalsQueryDto): Promise<Page<ProposalDto>> {
    const sort = parseSort(query.sort, PROPOSAL_SORT_FIELDS) ?? [
      { field: 'createdAt', direction: 'desc' as const },
    ];
    const page = await fetchKeysetPage<ProposalRow>(this.dataSource, {
      from: 'projects.proposal p',
      columns: PROPOSAL_COLUMNS,
      filters: [
        ...when(query.status, (p) => `p.status = ${p}`),
        ...when(query.programmeCode, (p) => `p.programme_code = ${p}`),
        ...when(query.workshop, (p) => `p.workshop = ${p}`),
        ...when(query.municipalityId, (p) => `p.municipality_ids @> ARRAY[${p}]::uuid[]`),
        ...when(query.year, (p) => `p.cost_plan_years @> ARRAY[${p}]::integer[]`),
        ...when(query.q, (p) => `p.search @@ websearch_to_tsquery('german', ${p})`),
      ],
      sort,
      sortColumns: SORT_COLUMNS,
      sortValues: SORT_VALUES,
      idColumn: 'p.id',
      cursor: query.cursor,
      limit: query.limit,
    });
    return { ...page, items: page.items.map(toProposalDto) };
  }
}
