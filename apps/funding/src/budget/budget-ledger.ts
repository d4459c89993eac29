import { Injectable } from '@nestjs/common';
import { BudgetThresholdReachedEvent, type BudgetYearDto, type FundingYear } from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { QueryFailedError, type EntityManager } from 'typeorm';
import type { LineFigures } from './budget.problems.js';
import { thresholdsCrossed } from './budget-thresholds.js';

/** Whose budget: the programme's id and code (events name both). */
export interface ProgrammeKey {
  id: string;
  code: string;
}

/**
 * A change of one budget line that did not happen: the database refused it (`does-not-fit`: it would break the
 * plan) or the year has no line. `change` says whether the plan itself or money against it was to change.
 */
export class BudgetLineRefused extends Error {
  constructor(
    readonly reason: 'does-not-fit' | 'no-line',
    readonly change: 'plan' | 'money',
    readonly programme: ProgrammeKey,
    readonly year: number,
    readonly amountCents: number,
  ) {
    super(`budget line ${programme.code} ${year}: ${reason} (${change}, ${amountCents} cents)`);
  }
}

interface Delta {
  planned?: number;
  reserved?: number;
  disbursed?: number;
}

/** A budget line as PostgreSQL returns it (bigint as text). */
export interface BudgetLineRow {
  id: string;
  year: number;
  planned_cents: string;
  reserved_cents: string;
  disbursed_cents: string;
  threshold_level: number;
  version: number;
}

export const LINE_COLUMNS = `id, year, planned_cents, reserved_cents, disbursed_cents, threshold_level, version`;

export function toBudgetYearDto(row: BudgetLineRow): BudgetYearDto {
  const planned = Number(row.planned_cents);
  const reserved = Number(row.reserved_cents);
  const disbursed = Number(row.disbursed_cents);
  return {
    id: row.id,
    year: row.year,
    plannedCents: planned,
    reservedCents: reserved,
    disbursedCents: disbursed,
    availableCents: planned - reserved - disbursed,
    thresholdPercent: row.threshold_level,
    version: row.version,
  };
}

export const figuresOf = (dto: BudgetYearDto): LineFigures => ({
  year: dto.year,
  plannedCents: dto.plannedCents,
  reservedCents: dto.reservedCents,
  disbursedCents: dto.disbursedCents,
  availableCents: dto.availableCents,
});

/** The constraints whose violation means "this change does not fit the plan". */
const PLAN_CONSTRAINTS = new Set(['budget_year_within_plan', 'budget_year_planned_not_negative']);

const violatesPlan = (error: unknown): boolean => {
  if (!(error instanceof QueryFailedError)) return false;
  const driver = error.driverError as { code?: string; constraint?: string };
  return driver.code === '23514' && PLAN_CONSTRAINTS.has(driver.constraint ?? '');
};

/** TypeORM answers an UPDATE … RETURNING with [rows, count]. */
const returnedRows = <T>(result: unknown): T[] =>
  (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];

/**
 * The only writer of the budget lines' figures. Every change is a single relative UPDATE of one line inside the
 * caller's transaction: the line's row lock orders concurrent writers, and the CHECK `budget_year_within_plan`
 * (reserved + disbursed ≤ planned) refuses the change that would not fit — there is no read-then-write here.
 * Lines of one transaction are changed in ascending year order, so two multi-year changes cannot deadlock.
 */
@Injectable()
export class BudgetLedger {
  constructor(private readonly outbox: OutboxPublisher) {}

  /** Reserves each year's amount; throws BudgetLineRefused for the first year that does not fit. */
  async reserve(
    manager: EntityManager,
    programme: ProgrammeKey,
    years: readonly FundingYear[],
  ): Promise<void> {
    for (const { year, amountCents } of ascending(years)) {
      if (amountCents === 0) continue;
      await this.change(manager, programme, year, { reserved: amountCents }, 'money');
    }
  }

  /** Gives reservations back (rejection after approval, cancellation, the unpaid rest at closing). */
  async release(
    manager: EntityManager,
    programme: ProgrammeKey,
    years: readonly FundingYear[],
  ): Promise<void> {
    for (const { year, amountCents } of ascending(years)) {
      if (amountCents === 0) continue;
      await this.change(manager, programme, year, { reserved: -amountCents }, 'money');
    }
  }

  /** A tranche paid: reserved money becomes disbursed money (the used share stays the same). */
  async disburse(
    manager: EntityManager,
    programme: ProgrammeKey,
    year: number,
    amountCents: number,
  ): Promise<void> {
    await this.change(manager, programme, year, { reserved: -amountCents, disbursed: amountCents }, 'money');
  }

  /** Raises (positive) or cuts (negative) the planned money of a year; a cut below what is used is refused. */
  changePlan(
    manager: EntityManager,
    programme: ProgrammeKey,
    year: number,
    deltaCents: number,
  ): Promise<BudgetLineRow & { previous_planned_cents: string }> {
    return this.change(manager, programme, year, { planned: deltaCents }, 'plan');
  }

  /** Creates the line of a year with nothing planned, unless it exists. */
  async ensureLine(manager: EntityManager, programmeId: string, year: number): Promise<void> {
    await manager.query(
      `INSERT INTO funding.budget_year (id, programme_id, year, planned_cents, version, updated_at)
       VALUES (gen_random_uuid(), $1, $2, 0, 1, now()) ON CONFLICT (programme_id, year) DO NOTHING`,
      [programmeId, year],
    );
  }

  async lines(
    manager: EntityManager,
    programmeId: string,
    years?: readonly number[],
  ): Promise<BudgetYearDto[]> {
    const rows = await manager.query<BudgetLineRow[]>(
      `SELECT ${LINE_COLUMNS} FROM funding.budget_year WHERE programme_id = $1
       ${years ? 'AND year = ANY($2::int[])' : ''} ORDER BY year`,
      years ? [programmeId, years] : [programmeId],
    );
    return rows.map(toBudgetYearDto);
  }

  private async change(
    manager: EntityManager,
    programme: ProgrammeKey,
    year: number,
    delta: Delta,
    change: 'plan' | 'money',
  ): Promise<BudgetLineRow & { previous_planned_cents: string }> {
    const planned = delta.planned ?? 0;
    const reserved = delta.reserved ?? 0;
    const disbursed = delta.disbursed ?? 0;
    const amount = Math.abs(planned || reserved);
    let rows: (BudgetLineRow & { previous_planned_cents: string; level_before: number })[];
    try {
      // The level before is computed from the row after minus the deltas: the row was locked for the update, so
      // nothing else changed it in between.
      rows = returnedRows(
        await manager.query(
          `UPDATE funding.budget_year SET planned_cents = planned_cents + $3::bigint,
             reserved_cents = reserved_cents + $4::bigint, disbursed_cents = disbursed_cents + $5::bigint,
             version = version + 1, updated_at = now()
           WHERE programme_id = $1 AND year = $2
           RETURNING ${LINE_COLUMNS}, planned_cents - $3::bigint AS previous_planned_cents,
             funding.budget_threshold_level(reserved_cents + disbursed_cents - $4::bigint - $5::bigint,
               planned_cents - $3::bigint) AS level_before`,
          [programme.id, year, planned, reserved, disbursed],
        ),
      );
    } catch (error) {
      if (violatesPlan(error)) throw new BudgetLineRefused('does-not-fit', change, programme, year, amount);
      throw error;
    }
    const [row] = rows;
    if (!row) throw new BudgetLineRefused('no-line', change, programme, year, amount);
    const used = Number(row.reserved_cents) + Number(row.disbursed_cents);
    await this.outbox.publishAll(
      manager,
      thresholdsCrossed(row.level_before, row.threshold_level).map((thresholdPercent) => ({
        type: BudgetThresholdReachedEvent.type,
        subject: row.id,
        data: {
          programmeId: programme.id,
          programmeCode: programme.code,
          year,
          thresholdPercent,
          budgetCents: Number(row.planned_cents),
          reservedCents: used,
        },
      })),
    );
    return row;
  }
}

const ascending = (years: readonly FundingYear[]): FundingYear[] =>
  [...years].sort((a, b) => a.year - b.year);
