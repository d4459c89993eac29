import { FUNDING_SCHEMA } from '../infrastructure/persistence/schema.js';
import { oncePerRequest } from '@wandelwerk/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  BudgetAmendedEvent,
  type ActorDto,
  type AmendBudgetDto,
  type BudgetAmendmentDto,
  type BudgetAmendmentKind,
  type BudgetLedgerDto,
  type ProgrammeDto,
} from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { FUNDING_STAFF, requireAdmin, requireRole } from '../access/funding-access.js';
import { ProgrammesService } from '../programmes/programmes.service.js';
import { BudgetLedger, BudgetLineRefused, figuresOf } from './budget-ledger.js';
import { BudgetProblems } from './budget.problems.js';

interface AmendmentRow {
  id: string;
  programme_id: string;
  kind: BudgetAmendmentKind;
  year: number;
  to_year: number | null;
  amount_cents: string;
  reason: string;
  actor_user_id: string;
  at: Date;
}

/** Budget lines per programme and year, their amendments (who, when, why) and the ledger. */
@Injectable()
export class BudgetService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly ledger: BudgetLedger,
    private readonly programmes: ProgrammesService,
  ) {}

  async amend(actor: ActorDto, programmeId: string, input: AmendBudgetDto): Promise<BudgetAmendmentDto> {
    requireAdmin(actor, { de: 'Budgets ändern', en: 'Amending budgets' });
    if (input.kind === 'move') {
      if (input.toYear === undefined) throw BudgetProblems.invalidMove('isDefined');
      if (input.toYear === input.year) throw BudgetProblems.invalidMove('otherYear');
    } else if (input.toYear !== undefined) {
      throw BudgetProblems.invalidMove('onlyForMove');
    }
    const programme = await this.programmes.get(programmeId);
    try {
      // The same request again (its first answer was lost) gets the amendment it made, not a second one.
      return await this.dataSource.transaction((manager) =>
        oncePerRequest(manager, FUNDING_SCHEMA, 'budget.amend', () =>
          this.amendIn(manager, actor, programme, input),
        ),
      );
    } catch (error) {
      if (error instanceof BudgetLineRefused) throw await this.refusalProblem(error);
      throw error;
    }
  }

  private async amendIn(
    manager: EntityManager,
    actor: ActorDto,
    programme: ProgrammeDto,
    input: AmendBudgetDto,
  ): Promise<BudgetAmendmentDto> {
    const key = { id: programme.id, code: programme.code };
    const { firstYear, lastYear } = programme.fundingPeriod;
    const inside = (field: string, year: number) => {
      if (year < firstYear || year > lastYear)
        throw BudgetProblems.yearOutsidePeriod(field, year, firstYear, lastYear, programme.code);
    };
    // Each change: the year and its delta; applied in ascending year order (see BudgetLedger).
    const changes: { year: number; delta: number }[] = [];
    if (input.kind === 'raise') {
      inside('year', input.year);
      await this.ledger.ensureLine(manager, programme.id, input.year);
      changes.push({ year: input.year, delta: input.amountCents });
    } else if (input.kind === 'cut') {
      changes.push({ year: input.year, delta: -input.amountCents });
    } else {
      const toYear = input.toYear as number;
      inside('toYear', toYear);
      await this.ledger.ensureLine(manager, programme.id, toYear);
      changes.push(
        { year: input.year, delta: -input.amountCents },
        { year: toYear, delta: input.amountCents },
      );
    }
    changes.sort((a, b) => a.year - b.year);
    const id = randomUUID();
    const rows = [];
    for (const change of changes)
      rows.push(await this.ledger.changePlan(manager, key, change.year, change.delta));
    const [amendment] = await manager.query<AmendmentRow[]>(
      `INSERT INTO funding.budget_amendment (id, programme_id, kind, year, to_year, amount_cents, reason,
         actor_user_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) RETURNING *`,
      [
        id,
        programme.id,
        input.kind,
        input.year,
        input.toYear ?? null,
        input.amountCents,
        input.reason,
        actor.userId,
      ],
    );
    await this.outbox.publishAll(
      manager,
      rows.map((row) => ({
        type: BudgetAmendedEvent.type,
        subject: row.id,
        data: {
          programmeId: programme.id,
          programmeCode: programme.code,
          year: row.year,
          version: row.version,
          previousBudgetCents: Number(row.previous_planned_cents),
          budgetCents: Number(row.planned_cents),
          reservedCents: Number(row.reserved_cents) + Number(row.disbursed_cents),
          reason: input.reason,
          actorUserId: actor.userId,
        },
      })),
    );
    const years = await this.ledger.lines(
      manager,
      programme.id,
      changes.map((change) => change.year),
    );
    return { ...toAmendmentDto(amendment), years };
  }

  async ledgerOf(actor: ActorDto, programmeId: string): Promise<BudgetLedgerDto> {
    requireRole(actor, FUNDING_STAFF, { de: 'Das Budget einsehen', en: 'Reading the budget' });
    const programme = await this.programmes.get(programmeId);
    const years = await this.ledger.lines(this.dataSource.manager, programmeId);
    const sum = (pick: (y: (typeof years)[number]) => number) =>
      years.reduce((total, y) => total + pick(y), 0);
    return {
      programmeId,
      programmeCode: programme.code,
      years,
      totals: {
        plannedCents: sum((y) => y.plannedCents),
        reservedCents: sum((y) => y.reservedCents),
        disbursedCents: sum((y) => y.disbursedCents),
        availableCents: sum((y) => y.availableCents),
      },
    };
  }

  async amendments(actor: ActorDto, programmeId: string): Promise<BudgetAmendmentDto[]> {
    requireRole(actor, FUNDING_STAFF, { de: 'Budgetänderungen einsehen', en: 'Reading budget amendments' });
    await this.programmes.get(programmeId);
    const rows = await this.dataSource.query<AmendmentRow[]>(
      `SELECT * FROM funding.budget_amendment WHERE programme_id = $1 ORDER BY seq`,
      [programmeId],
    );
    return rows.map((row) => ({ ...toAmendmentDto(row), years: [] }));
  }

  /**
   * The problem for a refused change, with the line's figures as they are now: the transaction that tried has been
   * rolled back, so this is read afresh.
   */
  async refusalProblem(refused: BudgetLineRefused) {
    const { programme, year, amountCents } = refused;
    const [line] = await this.ledger.lines(this.dataSource.manager, programme.id, [year]);
    if (refused.change === 'plan') {
      return line
        ? BudgetProblems.belowReserved(programme.code, year, amountCents, figuresOf(line))
        : BudgetProblems.lineNotFound(programme.code, year);
    }
    return BudgetProblems.exceeded(programme.code, year, amountCents, line ? figuresOf(line) : null);
  }
}

function toAmendmentDto(row: AmendmentRow): Omit<BudgetAmendmentDto, 'years'> {
  return {
    id: row.id,
    programmeId: row.programme_id,
    kind: row.kind,
    year: row.year,
    toYear: row.to_year,
    amountCents: Number(row.amount_cents),
    reason: row.reason,
    actorUserId: row.actor_user_id,
    at: row.at.toISOString(),
  };
}
