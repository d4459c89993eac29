import { FUNDING_SCHEMA } from '../infrastructure/persistence/schema.js';
import { oncePerRequest } from '@wandelwerk/platform';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  AllocationApprovalRecordedEvent,
  AllocationApprovedEvent,
  AllocationCancelledEvent,
  AllocationClosedEvent,
  AllocationCommittedEvent,
  AllocationRejectedEvent,
  AllocationRequestedEvent,
  DisbursementPaidEvent,
  type ActorDto,
  type AllocationAction,
  type AllocationDecisionDto,
  type AllocationDto,
  type AllocationStatus,
  type CommitAllocationDto,
  type DisbursementDto,
  type DisbursementResultDto,
  type DisburseDto,
  type ProposalEndorsedEvent,
} from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { maySeeAllocation, requireFundingOfficer } from '../access/funding-access.js';
import { BudgetLedger, BudgetLineRefused } from '../budget/budget-ledger.js';
import { BudgetService } from '../budget/budget.service.js';
import { ProgrammesService } from '../programmes/programmes.service.js';
import { holdsReservation, isAllowed, type AllocationCommand } from './allocation-lifecycle.js';
import { AllocationProblems } from './allocation.problems.js';
import {
  ALLOCATION_COLUMNS,
  amountByYear,
  eventBaseOf,
  refOf,
  toAllocation,
  unpaidByYear,
  type Allocation,
  type AllocationRow,
} from './allocation.record.js';
import {
  allocationAmount,
  appliedRate,
  approvalRefusal,
  approvalsRequired,
  splitByYear,
} from './allocation-rules.js';

interface DecisionRow {
  id: string;
  action: AllocationAction;
  from_status: AllocationStatus | null;
  to_status: AllocationStatus;
  actor_user_id: string | null;
  reason: string | null;
  amount_cents: string | null;
  details: Record<string, unknown>;
  at: Date;
}

interface DisbursementRow {
  id: string;
  allocation_id: string;
  instalment: number;
  year: number;
  amount_cents: string;
  paid_on: string;
  report_id: string | null;
  actor_user_id: string;
  comment: string | null;
  created_at: Date;
}

const DISBURSEMENT_COLUMNS = `id, allocation_id, instalment, year, amount_cents, to_char(paid_on, 'YYYY-MM-DD') AS paid_on,
  report_id, actor_user_id, comment, created_at`;

interface Decision {
  action: AllocationAction;
  from: AllocationStatus | null;
  to: AllocationStatus;
  actorUserId: string | null;
  reason: string | null;
  amountCents?: number | null;
  details?: Record<string, unknown>;
}

const WITHDRAWN_REASON = 'Der Projektvorschlag wurde zurückgezogen.';

/**
 * Allocations of programme money to endorsed proposals: four-eyes approval, grant decision, tranches. Every command
 * locks the allocation's row first (commands on one allocation queue), re-checks who may do it, writes its decision
 * log entry and its events in the same transaction, and moves money only through the BudgetLedger.
 */
@Injectable()
export class AllocationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    private readonly ledger: BudgetLedger,
    private readonly budgets: BudgetService,
    private readonly programmes: ProgrammesService,
  ) {}

  /**
   * Opens the allocation request of an endorsed proposal (in the event's transaction). A proposal has at most one
   * allocation, so a repeated endorsement changes nothing.
   */
  async open(manager: EntityManager, proposalId: string, event: ProposalEndorsedEvent): Promise<void> {
    const proposal = event.proposal;
    const programme = await this.programmes.findByCode(manager, proposal.programmeCode);
    // Projects only endorses proposals of programmes it learnt from this service; throwing retries and then
    // dead-letters the event, where an operator sees it.
    if (!programme)
      throw new Error(`endorsed proposal ${proposalId} names unknown programme ${proposal.programmeCode}`);
    const amount = allocationAmount(
      proposal.requestedFundingCents,
      proposal.eligibleCostCents,
      programme.maxFundingRateBasisPoints,
    );
    const years = splitByYear(event.requestedFundingByYear, amount);
    const required = approvalsRequired(amount, programme.fourEyesThresholdCents);
    const id = randomUUID();
    const inserted = await manager.query<{ id: string }[]>(
      `INSERT INTO funding.allocation (id, proposal_id, programme_id, programme_code, status, version, title,
         owner_user_id, lead_municipality, partners, municipality_ids, total_cost_cents, eligible_cost_cents,
         requested_funding_cents, funding_rate_basis_points, amount_cents, approvals_required, planned_start,
         planned_end, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'requested', 1, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, now(), now())
       ON CONFLICT (proposal_id) DO NOTHING RETURNING id`,
      [
        id,
        proposalId,
        programme.id,
        programme.code,
        proposal.title,
        proposal.ownerUserId,
        JSON.stringify(proposal.leadMunicipality),
        JSON.stringify(proposal.partners),
        [proposal.leadMunicipality.municipalityId, ...proposal.partners.map((p) => p.municipalityId)],
        proposal.totalCostCents,
        proposal.eligibleCostCents,
        proposal.requestedFundingCents,
        appliedRate(amount, proposal.eligibleCostCents),
        amount,
        required,
        proposal.plannedStart,
        proposal.plannedEnd,
      ],
    );
    if (inserted.length === 0) return;
    await manager.query(
      `INSERT INTO funding.allocation_year (allocation_id, year, amount_cents)
       SELECT $1, * FROM unnest($2::int[], $3::bigint[])`,
      [id, years.map((y) => y.year), years.map((y) => y.amountCents)],
    );
    const shares = [
      { ...proposal.leadMunicipality, role: 'lead' },
      ...proposal.partners.map((p) => ({ ...p, role: 'partner' })),
    ];
    await manager.query(
      `INSERT INTO funding.allocation_share (allocation_id, municipality_id, ags, name, role, cost_share_basis_points)
       SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[])`,
      [
        id,
        shares.map((s) => s.municipalityId),
        shares.map((s) => s.ags),
        shares.map((s) => s.name),
        shares.map((s) => s.role),
        shares.map((s) => s.costShareBasisPoints),
      ],
    );
    const allocation = await this.load(manager, id);
    await this.decide(manager, allocation, {
      action: 'request',
      from: null,
      to: 'requested',
      actorUserId: event.actorUserId,
      reason: event.comment,
      amountCents: amount,
      details: { reviewId: event.reviewId, requestedFundingCents: proposal.requestedFundingCents },
    });
    await this.outbox.publish(manager, {
      type: AllocationRequestedEvent.type,
      subject: id,
      data: { ...eventBaseOf(allocation), amountByYear: years, requiresTwoApprovals: required === 2 },
    });
  }

  /**
   * An approval. Below the programme's four-eyes threshold it approves; at or above it the first approval is
   * recorded (and visible) and the second, by another officer, approves. Approving reserves each year's money.
   */
  approve(actor: ActorDto, id: string, comment: string | null): Promise<AllocationDto> {
    return this.withBudget(async (manager) => {
      const current = await this.commandable(manager, actor, id, 'approve', {
        de: 'Mittel freigeben',
        en: 'Approving allocations',
      });
      const refusal = approvalRefusal(actor.userId, {
        ownerUserId: current.ownerUserId,
        approverUserIds: current.approvals.map((a) => a.approverUserId),
      });
      if (refusal === 'own-proposal') throw AllocationProblems.ownProposal();
      if (refusal === 'already-approved') throw AllocationProblems.secondApproverRequired(current.status);
      // The threshold of now counts too, if it was lowered since the request: never fewer eyes than either says.
      const programme = await this.programmes.load(manager, current.programmeId);
      const required = Math.max(
        current.approvalsRequired,
        approvalsRequired(current.amountCents, programme.fourEyesThresholdCents),
      );
      await manager.query(
        `INSERT INTO funding.allocation_approval (allocation_id, approver_user_id, comment, at)
         VALUES ($1, $2, $3, now())`,
        [id, actor.userId, comment],
      );
      const approvers = [...current.approvals.map((a) => a.approverUserId), actor.userId];
      const complete = approvers.length >= required;
      if (complete) {
        await this.ledger.reserve(
          manager,
          { id: current.programmeId, code: current.programmeCode },
          amountByYear(current),
        );
      }
      const allocation = await this.update(manager, current, {
        status: complete ? 'approved' : 'requested',
        approvals_required: required,
      });
      await this.decide(manager, allocation, {
        action: 'approve',
        from: current.status,
        to: allocation.status,
        actorUserId: actor.userId,
        reason: comment,
        amountCents: complete ? allocation.amountCents : null,
        details: { approval: approvers.length, approvalsRequired: required },
      });
      if (complete) {
        await this.outbox.publish(manager, {
          type: AllocationApprovedEvent.type,
          subject: id,
          data: {
            ...eventBaseOf(allocation),
            approverUserIds: approvers,
            amountByYear: amountByYear(allocation),
            comment,
          },
        });
      } else {
        await this.outbox.publish(manager, {
          type: AllocationApprovalRecordedEvent.type,
          subject: id,
          data: { ...eventBaseOf(allocation), approverUserId: actor.userId, comment },
        });
      }
      return allocation;
    });
  }

  reject(actor: ActorDto, id: string, reason: string): Promise<AllocationDto> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.commandable(manager, actor, id, 'reject', {
        de: 'Mittelzuweisungen ablehnen',
        en: 'Rejecting allocations',
      });
      const allocation = await this.update(manager, current, {
        status: 'rejected',
        rejection_reason: reason,
      });
      await this.decide(manager, allocation, {
        action: 'reject',
        from: current.status,
        to: 'rejected',
        actorUserId: actor.userId,
        reason,
      });
      await this.outbox.publish(manager, {
        type: AllocationRejectedEvent.type,
        subject: id,
        data: { ...eventBaseOf(allocation), actorUserId: actor.userId, reason },
      });
      return allocation;
    });
  }

  /** The grant decision (Bewilligungsbescheid) with its date and reference number. */
  commit(actor: ActorDto, id: string, data: CommitAllocationDto): Promise<AllocationDto> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.commandable(manager, actor, id, 'commit', {
        de: 'Bewilligungen erfassen',
        en: 'Recording grant decisions',
      });
      const allocation = await this.update(manager, current, {
        status: 'committed',
        grant_decision_date: data.grantDecisionDate,
        grant_reference: data.grantReference,
      });
      await this.decide(manager, allocation, {
        action: 'commit',
        from: current.status,
        to: 'committed',
        actorUserId: actor.userId,
        reason: data.comment ?? null,
        amountCents: allocation.amountCents,
        details: { grantDecisionDate: data.grantDecisionDate, grantReference: data.grantReference },
      });
      await this.outbox.publish(manager, {
        type: AllocationCommittedEvent.type,
        subject: id,
        data: {
          ...eventBaseOf(allocation),
          grantDecisionDate: data.grantDecisionDate,
          grantReference: data.grantReference,
          actorUserId: actor.userId,
        },
      });
      return allocation;
    });
  }

  /**
   * A tranche against one year: never more than is still open of that year. The last one (everything paid, or
   * `final`) closes the allocation and gives what was not paid back to the budget.
   */
  disburse(actor: ActorDto, id: string, data: DisburseDto): Promise<DisbursementResultDto> {
    // The same request again (its first answer was lost) gets the tranche it paid, not a second one.
    return this.withBudget((manager) =>
      oncePerRequest(manager, FUNDING_SCHEMA, 'allocation.disburse', async () => {
        const current = await this.commandable(manager, actor, id, 'disburse', {
          de: 'Auszahlungen erfassen',
          en: 'Recording disbursements',
        });
        const year = current.years.find((y) => y.year === data.year);
        if (!year)
          throw AllocationProblems.yearNotAllocated(
            data.year,
            current.years.map((y) => y.year),
          );
        if (current.grantDecisionDate && data.paidOn < current.grantDecisionDate)
          throw AllocationProblems.paidBeforeGrantDecision(current.grantDecisionDate);
        // The allocation's row is locked, so this is the year's figure until commit; the CHECK on
        // allocation_year (paid ≤ amount) stands behind it.
        if (data.amountCents > year.remainingCents)
          throw AllocationProblems.trancheExceedsYear(data.year, data.amountCents, year.remainingCents);
        const key = { id: current.programmeId, code: current.programmeCode };
        await manager.query(
          `UPDATE funding.allocation_year SET paid_cents = paid_cents + $3 WHERE allocation_id = $1 AND year = $2`,
          [id, data.year, data.amountCents],
        );
        await this.ledger.disburse(manager, key, data.year, data.amountCents);
        const [row] = await manager.query<DisbursementRow[]>(
          `INSERT INTO funding.disbursement (id, allocation_id, instalment, year, amount_cents, paid_on, report_id,
           actor_user_id, comment, created_at)
         VALUES ($1, $2, (SELECT count(*) + 1 FROM funding.disbursement WHERE allocation_id = $2), $3, $4, $5, $6,
           $7, $8, now())
         RETURNING ${DISBURSEMENT_COLUMNS}`,
          [
            randomUUID(),
            id,
            data.year,
            data.amountCents,
            data.paidOn,
            data.reportId ?? null,
            actor.userId,
            data.comment ?? null,
          ],
        );
        const disbursement = toDisbursementDto(row);
        const paidTotal = current.paidCents + data.amountCents;
        const closes = paidTotal === current.amountCents || data.final === true;
        let allocation = await this.update(manager, current, {
          status: 'disbursing',
          paid_cents: paidTotal,
        });
        await this.decide(manager, allocation, {
          action: 'disburse',
          from: current.status,
          to: 'disbursing',
          actorUserId: actor.userId,
          reason: data.comment ?? null,
          amountCents: data.amountCents,
          details: {
            disbursementId: disbursement.id,
            instalment: disbursement.instalment,
            year: data.year,
            paidOn: data.paidOn,
            reportId: disbursement.reportId,
          },
        });
        let released = 0;
        if (closes) {
          const unpaid = unpaidByYear(allocation);
          released = unpaid.reduce((sum, y) => sum + y.amountCents, 0);
          await this.ledger.release(manager, key, unpaid);
          const before = allocation;
          allocation = await this.update(manager, before, { status: 'closed', released_cents: released });
          await this.decide(manager, allocation, {
            action: 'close',
            from: 'disbursing',
            to: 'closed',
            actorUserId: actor.userId,
            reason: data.comment ?? null,
            amountCents: released,
            details: { paidTotalCents: paidTotal, releasedCents: released, final: data.final === true },
          });
        }
        await this.outbox.publish(manager, {
          type: DisbursementPaidEvent.type,
          subject: disbursement.id,
          data: {
            allocationId: id,
            proposal: refOf(allocation),
            programmeCode: allocation.programmeCode,
            instalment: disbursement.instalment,
            amountCents: data.amountCents,
            paidOn: data.paidOn,
            paidTotalCents: paidTotal,
            remainingCents: allocation.amountCents - paidTotal - released,
            reportId: disbursement.reportId,
            actorUserId: actor.userId,
          },
        });
        if (closes) {
          await this.outbox.publish(manager, {
            type: AllocationClosedEvent.type,
            subject: id,
            data: {
              ...eventBaseOf(allocation),
              paidTotalCents: paidTotal,
              releasedCents: released,
              actorUserId: actor.userId,
            },
          });
        }
        return { ...disbursement, allocation };
      }),
    );
  }

  cancel(actor: ActorDto, id: string, reason: string): Promise<AllocationDto> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.commandable(manager, actor, id, 'cancel', {
        de: 'Mittelzuweisungen stornieren',
        en: 'Cancelling allocations',
      });
      return this.cancelIn(manager, current, actor.userId, reason);
    });
  }

  /** The proposal was withdrawn: its allocation is cancelled unless money has been paid or it is decided already. */
  async proposalWithdrawn(manager: EntityManager, proposalId: string): Promise<void> {
    const [row] = await manager.query<{ id: string }[]>(
      `SELECT id FROM funding.allocation WHERE proposal_id = $1 FOR UPDATE`,
      [proposalId],
    );
    if (!row) return;
    const current = await this.load(manager, row.id);
    if (!isAllowed(current.status, 'cancel')) return;
    await this.cancelIn(manager, current, null, WITHDRAWN_REASON);
  }

  private async cancelIn(
    manager: EntityManager,
    current: Allocation,
    actorUserId: string | null,
    reason: string,
  ): Promise<AllocationDto> {
    const unpaid = holdsReservation(current.status) ? unpaidByYear(current) : [];
    const released = unpaid.reduce((sum, y) => sum + y.amountCents, 0);
    await this.ledger.release(manager, { id: current.programmeId, code: current.programmeCode }, unpaid);
    const allocation = await this.update(manager, current, {
      status: 'cancelled',
      cancellation_reason: reason,
      released_cents: released,
    });
    await this.decide(manager, allocation, {
      action: 'cancel',
      from: current.status,
      to: 'cancelled',
      actorUserId,
      reason,
      amountCents: released,
      details: { releasedCents: released },
    });
    await this.outbox.publish(manager, {
      type: AllocationCancelledEvent.type,
      subject: current.id,
      data: { ...eventBaseOf(allocation), actorUserId, reason, releasedCents: released },
    });
    return allocation;
  }

  async get(actor: ActorDto, id: string): Promise<AllocationDto> {
    return this.visible(actor, await this.load(this.dataSource.manager, id));
  }

  async decisions(actor: ActorDto, id: string): Promise<AllocationDecisionDto[]> {
    this.visible(actor, await this.load(this.dataSource.manager, id));
    const rows = await this.dataSource.query<DecisionRow[]>(
      `SELECT id, action, from_status, to_status, actor_user_id, reason, amount_cents, details, at
       FROM funding.allocation_decision WHERE allocation_id = $1 ORDER BY seq`,
      [id],
    );
    return rows.map((row) => ({
      id: row.id,
      action: row.action,
      fromStatus: row.from_status,
      toStatus: row.to_status,
      actorUserId: row.actor_user_id,
      reason: row.reason,
      amountCents: row.amount_cents === null ? null : Number(row.amount_cents),
      details: row.details,
      at: row.at.toISOString(),
    }));
  }

  async disbursements(actor: ActorDto, id: string): Promise<DisbursementDto[]> {
    this.visible(actor, await this.load(this.dataSource.manager, id));
    const rows = await this.dataSource.query<DisbursementRow[]>(
      `SELECT ${DISBURSEMENT_COLUMNS} FROM funding.disbursement WHERE allocation_id = $1 ORDER BY instalment`,
      [id],
    );
    return rows.map(toDisbursementDto);
  }

  async load(manager: EntityManager, id: string, lock = false): Promise<Allocation> {
    if (lock) {
      // Lock first, then read: the row with its years and approvals as the previous holder of the lock left them.
      const locked = await manager.query<unknown[]>(
        `SELECT 1 FROM funding.allocation WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (locked.length === 0) throw AllocationProblems.notFound(id);
    }
    const [row] = await manager.query<AllocationRow[]>(
      `SELECT ${ALLOCATION_COLUMNS} FROM funding.allocation a WHERE a.id = $1`,
      [id],
    );
    if (!row) throw AllocationProblems.notFound(id);
    return toAllocation(row);
  }

  /** Locks the allocation and checks who asks and whether the command is allowed in its status. */
  private async commandable(
    manager: EntityManager,
    actor: ActorDto,
    id: string,
    command: AllocationCommand,
    what: { de: string; en: string },
  ): Promise<Allocation> {
    const current = await this.load(manager, id, true);
    requireFundingOfficer(actor, what);
    if (!isAllowed(current.status, command))
      throw AllocationProblems.transitionNotAllowed(current.status, command);
    return current;
  }

  /** Others learn nothing of an allocation they may not see, not even that it exists. */
  private visible(actor: ActorDto, allocation: Allocation): AllocationDto {
    if (!maySeeAllocation(actor, allocation)) throw AllocationProblems.notFound(allocation.id);
    return allocation;
  }

  private async update(
    manager: EntityManager,
    current: Allocation,
    set: Record<string, unknown>,
  ): Promise<Allocation> {
    const assignments = Object.keys(set).map((column, i) => `, ${column} = $${i + 2}`);
    await manager.query(
      `UPDATE funding.allocation SET version = version + 1, updated_at = now()${assignments.join('')} WHERE id = $1`,
      [current.id, ...Object.values(set)],
    );
    return this.load(manager, current.id);
  }

  private async decide(manager: EntityManager, allocation: AllocationDto, decision: Decision): Promise<void> {
    await manager.query(
      `INSERT INTO funding.allocation_decision (id, allocation_id, action, from_status, to_status, actor_user_id,
         reason, amount_cents, details, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())`,
      [
        randomUUID(),
        allocation.id,
        decision.action,
        decision.from,
        decision.to,
        decision.actorUserId,
        decision.reason,
        decision.amountCents ?? null,
        JSON.stringify(decision.details ?? {}),
      ],
    );
  }

  /** A transaction whose refused budget change becomes a 409 naming what is available, read after the rollback. */
  private async withBudget<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      if (error instanceof BudgetLineRefused) throw await this.budgets.refusalProblem(error);
      throw error;
    }
  }
}

function toDisbursementDto(row: DisbursementRow): DisbursementDto {
  return {
    id: row.id,
    allocationId: row.allocation_id,
    instalment: row.instalment,
    year: row.year,
    amountCents: Number(row.amount_cents),
    paidOn: row.paid_on,
    reportId: row.report_id,
    actorUserId: row.actor_user_id,
    comment: row.comment,
    createdAt: row.created_at.toISOString(),
  };
}
