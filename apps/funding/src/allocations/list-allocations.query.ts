import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ALLOCATION_SORT_FIELDS,
  parseSort,
  type ActorDto,
  type AllocationDto,
  type ListAllocationsQueryDto,
  type Page,
} from '@wandelwerk/contracts';
import { fetchKeysetPage, when, type SqlFilter } from '@wandelwerk/platform';
import { DataSource } from 'typeorm';
import { FUNDING_STAFF } from '../access/funding-access.js';
import { ALLOCATION_COLUMNS, toAllocation, type AllocationRow } from './allocation.record.js';

const SORT_COLUMNS: Record<(typeof ALLOCATION_SORT_FIELDS)[number], string> = {
  createdAt: 'a.created_at',
  updatedAt: 'a.updated_at',
  amountCents: 'a.amount_cents',
};
const SORT_VALUES: Record<keyof typeof SORT_COLUMNS, string> = {
  createdAt: `to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  updatedAt: `to_char(a.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  amountCents: 'a.amount_cents::float8',
};

/**
 * The filtered, sorted, cursor-paginated list of allocations. Funding staff see all; a program manager only the
 * allocations of their own proposals, a municipality only those it leads or takes part in.
 */
@Injectable()
export class AllocationQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(actor: ActorDto, query: ListAllocationsQueryDto): Promise<Page<AllocationDto>> {
    const sort = parseSort(query.sort, ALLOCATION_SORT_FIELDS) ?? [
      { field: 'createdAt', direction: 'desc' as const },
    ];
    const page = await fetchKeysetPage<AllocationRow>(this.dataSource, {
      from: 'funding.allocation a',
      columns: ALLOCATION_COLUMNS,
      filters: [
        ...scopeOf(actor),
        ...when(query.status, (p) => `a.status = ${p}`),
        ...when(query.programmeId, (p) => `a.programme_id = ${p}`),
        ...when(query.proposalId, (p) => `a.proposal_id = ${p}`),
        ...when(query.municipalityId, (p) => `a.municipality_ids @> ARRAY[${p}]::uuid[]`),
      ],
      sort,
      sortColumns: SORT_COLUMNS,
      sortValues: SORT_VALUES,
      idColumn: 'a.id',
      cursor: query.cursor,
      limit: query.limit,
    });
    return { ...page, items: page.items.map(toAllocation) };
  }
}

function scopeOf(actor: ActorDto): SqlFilter[] {
  if (FUNDING_STAFF.includes(actor.role)) return [];
  if (actor.role === 'program_manager') return [[(p) => `a.owner_user_id = ${p}`, actor.userId]];
  // A municipality account without its municipality sees nothing.
  return [
    [
      (p) => `a.municipality_ids @> ARRAY[${p}]::uuid[]`,
      actor.municipalityId ?? '00000000-0000-4000-8000-000000000000',
    ],
  ];
}
