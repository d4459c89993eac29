import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  parseSort,
  PROPOSAL_SORT_FIELDS,
  type ActorDto,
  type ListProposalsQueryDto,
  type Page,
  type ProposalDto,
} from '@wandelwerk/contracts';
import { fetchKeysetPage, when, type SqlFilter } from '@wandelwerk/platform';
import { DataSource } from 'typeorm';
import { PROPOSAL_COLUMNS, toProposalDto, type ProposalRow } from './proposal.record.js';
import { scopeOf, type ProposalScope } from './proposal-visibility.js';

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

/**
 * What the actor may see, as the first filter of every list (`proposal-visibility.ts` is the rule): a program
 * manager's own proposals through `proposal_owner_idx` (owner_user_id, created_at, id), a municipality's through the
 * GIN index on `municipality_ids` (or the same column of `proposal_year`), exactly like the `municipalityId` filter.
 */
function scopeFilters(scope: ProposalScope, t: 'p' | 'y'): SqlFilter[] {
  switch (scope.kind) {
    case 'all':
      return [];
    case 'owner':
      return when(scope.userId, (p) => `p.owner_user_id = ${p}`);
    case 'municipality':
      return when(scope.municipalityId, (p) => `${t}.municipality_ids @> ARRAY[${p}]::uuid[]`);
    case 'none':
      // Still one query, so that a bad cursor is refused the same way as for everyone else.
      return when(false, (p) => `${p}::boolean`);
  }
}

/** The filtered, sorted, cursor-paginated list of the proposals the actor may see. */
@Injectable()
export class ProposalQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(actor: ActorDto, query: ListProposalsQueryDto): Promise<Page<ProposalDto>> {
    const sort = parseSort(query.sort, PROPOSAL_SORT_FIELDS) ?? [
      { field: 'createdAt', direction: 'desc' as const },
    ];
    const scope = scopeOf(actor);
    // With a year the list drives from `projects.proposal_year` (one row per proposal and cost-plan year, kept in
    // step by triggers): the equality filters and the default order are an ordered B-tree range there, so the page
    // stops after `limit` rows instead of filtering a GIN bitmap of a quarter of all proposals. Same rows, same order
    // (the join is 1:1 for a given year) and the same cursors (the cursor still stores p.created_at and p.id).
    // A program manager's own proposals are few (hundreds at most): the owner index drives and the year is checked
    // on those rows, instead of walking a whole year of everybody's proposals for them.
    const byYear = query.year !== undefined && scope.kind !== 'owner';
    const t = byYear ? 'y' : 'p';
    const page = await fetchKeysetPage<ProposalRow>(this.dataSource, {
      from: byYear
        ? 'projects.proposal_year y JOIN projects.proposal p ON p.id = y.proposal_id'
        : 'projects.proposal p',
      columns: PROPOSAL_COLUMNS,
      filters: [
        ...scopeFilters(scope, t),
        ...when(query.year, (p) =>
          byYear ? `y.year = ${p}` : `p.cost_plan_years @> ARRAY[${p}]::integer[]`,
        ),
        // With a text query the text index finds a few thousand rows; ANDing the status index's bitmap (a tenth of
        // all proposals) only costs time, so the status is checked on those rows instead of through its index.
        ...when(query.status, (p) =>
          query.q && !byYear ? `(${t}.status || '') = ${p}` : `${t}.status = ${p}`,
        ),
        ...when(query.programmeCode, (p) => `${t}.programme_code = ${p}`),
        ...when(query.workshop, (p) => `${t}.workshop = ${p}`),
        ...when(query.municipalityId, (p) => `${t}.municipality_ids @> ARRAY[${p}]::uuid[]`),
        ...when(query.q, (p) => `p.search @@ websearch_to_tsquery('german', ${p})`),
      ],
      sort,
      sortColumns: byYear ? { ...SORT_COLUMNS, createdAt: 'y.created_at' } : SORT_COLUMNS,
      sortValues: SORT_VALUES,
      idColumn: byYear ? 'y.proposal_id' : 'p.id',
      cursor: query.cursor,
      limit: query.limit,
    });
    return { ...page, items: page.items.map(toProposalDto) };
  }
}
