import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DEFAULT_FOUR_EYES_THRESHOLD_CENTS,
  parseSort,
  PROGRAMME_SORT_FIELDS,
  ProgrammePublishedEvent,
  ProgrammeUpdatedEvent,
  type ActorDto,
  type CreateProgrammeDto,
  type ListProgrammesQueryDto,
  type Page,
  type ProgrammeDto,
  type UpdateProgrammeDto,
} from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { fetchKeysetPage, when } from '@wandelwerk/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { requireAdmin } from '../access/funding-access.js';
import { ProgrammeProblems } from './programme.problems.js';
import {
  changedFields,
  PROGRAMME_COLUMNS,
  snapshotOf,
  toProgrammeDto,
  type ProgrammeRow,
} from './programme.record.js';

const SORT_COLUMNS: Record<(typeof PROGRAMME_SORT_FIELDS)[number], string> = {
  code: 'g.code',
  name: 'lower(g.name)',
  createdAt: 'g.created_at',
};
const SORT_VALUES: Record<keyof typeof SORT_COLUMNS, string> = {
  ...SORT_COLUMNS,
  createdAt: `to_char(g.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
};

const isUniqueViolation = (error: unknown, constraint: string): boolean =>
  error instanceof QueryFailedError &&
  (error.driverError as { code?: string; constraint?: string }).code === '23505' &&
  (error.driverError as { constraint?: string }).constraint === constraint;

/**
 * Funding programmes. Each change commits with its event (`funding.programme.published.v1` / `.updated.v1`, the
 * whole programme), from which the projects service checks proposals.
 */
@Injectable()
export class ProgrammesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
  ) {}

  async create(actor: ActorDto, input: CreateProgrammeDto): Promise<ProgrammeDto> {
    requireAdmin(actor, { de: 'Förderprogramme anlegen', en: 'Creating funding programmes' });
    if (input.fundingPeriod.lastYear < input.fundingPeriod.firstYear)
      throw ProgrammeProblems.periodReversed();
    try {
      return await this.dataSource.transaction(async (manager) => {
        const id = randomUUID();
        await manager.query(
          `INSERT INTO funding.programme (id, code, name, legal_basis, max_funding_rate_basis_points, first_year,
             last_year, eligible_state_codes, eligible_regions, four_eyes_threshold_cents, active, version,
             created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, now(), now())`,
          [
            id,
            input.code,
            input.name,
            input.legalBasis,
            input.maxFundingRateBasisPoints,
            input.fundingPeriod.firstYear,
            input.fundingPeriod.lastYear,
            input.eligibleStateCodes,
            input.eligibleRegions,
            input.fourEyesThresholdCents ?? DEFAULT_FOUR_EYES_THRESHOLD_CENTS,
            input.active ?? true,
          ],
        );
        const programme = await this.load(manager, id);
        await this.outbox.publish(manager, {
          type: ProgrammePublishedEvent.type,
          subject: id,
          data: snapshotOf(programme, actor.userId),
        });
        return programme;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'programme_code_key')) throw ProgrammeProblems.codeTaken(input.code);
      throw error;
    }
  }

  async update(actor: ActorDto, id: string, patch: UpdateProgrammeDto): Promise<ProgrammeDto> {
    requireAdmin(actor, { de: 'Förderprogramme ändern', en: 'Changing funding programmes' });
    return this.dataSource.transaction(async (manager) => {
      const current = await this.load(manager, id, true);
      const merged: ProgrammeDto = { ...current };
      for (const [key, value] of Object.entries(patch)) {
        if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
      }
      const changed = changedFields(current, merged);
      if (changed.length === 0) return current;
      const { firstYear, lastYear } = merged.fundingPeriod;
      if (lastYear < firstYear) throw ProgrammeProblems.periodReversed();
      // Money planned outside a narrowed period would be a budget nobody can allocate from.
      const outside = await manager.query<{ year: number }[]>(
        `SELECT year FROM funding.budget_year WHERE programme_id = $1 AND planned_cents > 0
           AND (year < $2 OR year > $3) ORDER BY year`,
        [id, firstYear, lastYear],
      );
      if (outside.length > 0) throw ProgrammeProblems.budgetOutsidePeriod(outside.map((row) => row.year));
      await manager.query(
        `UPDATE funding.programme SET name = $2, legal_basis = $3, max_funding_rate_basis_points = $4,
           first_year = $5, last_year = $6, eligible_state_codes = $7, eligible_regions = $8,
           four_eyes_threshold_cents = $9, active = $10, version = version + 1, updated_at = now()
         WHERE id = $1`,
        [
          id,
          merged.name,
          merged.legalBasis,
          merged.maxFundingRateBasisPoints,
          firstYear,
          lastYear,
          merged.eligibleStateCodes,
          merged.eligibleRegions,
          merged.fourEyesThresholdCents,
          merged.active,
        ],
      );
      const programme = await this.load(manager, id);
      await this.outbox.publish(manager, {
        type: ProgrammeUpdatedEvent.type,
        subject: id,
        data: { ...snapshotOf(programme, actor.userId), changedFields: changed },
      });
      return programme;
    });
  }

  get(id: string): Promise<ProgrammeDto> {
    return this.load(this.dataSource.manager, id);
  }

  async list(query: ListProgrammesQueryDto): Promise<Page<ProgrammeDto>> {
    const sort = parseSort(query.sort, PROGRAMME_SORT_FIELDS) ?? [
      { field: 'code', direction: 'asc' as const },
    ];
    const page = await fetchKeysetPage<ProgrammeRow>(this.dataSource, {
      from: 'funding.programme g',
      columns: PROGRAMME_COLUMNS,
      filters: [...when(query.active, (p) => `g.active = ${p}`)],
      sort,
      sortColumns: SORT_COLUMNS,
      sortValues: SORT_VALUES,
      idColumn: 'g.id',
      cursor: query.cursor,
      limit: query.limit,
    });
    return { ...page, items: page.items.map(toProgrammeDto) };
  }

  /** The programme; `lock` holds its row until the transaction ends (changes of one programme queue). */
  async load(manager: EntityManager, id: string, lock = false): Promise<ProgrammeDto> {
    const [row] = await manager.query<ProgrammeRow[]>(
      `SELECT ${PROGRAMME_COLUMNS} FROM funding.programme g WHERE g.id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    if (!row) throw ProgrammeProblems.notFound(id);
    return toProgrammeDto(row);
  }

  async findByCode(manager: EntityManager, code: string): Promise<ProgrammeDto | null> {
    const [row] = await manager.query<ProgrammeRow[]>(
      `SELECT ${PROGRAMME_COLUMNS} FROM funding.programme g WHERE g.code = $1`,
      [code],
    );
    return row ? toProgrammeDto(row) : null;
  }
}
