import { PROJECTS_SCHEMA } from '../infrastructure/persistence/schema.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ProposalApprovedEvent,
  ProposalCompletedEvent,
  ProposalCreatedEvent,
  ProposalEndorsedEvent,
  ProposalImplementationStartedEvent,
  ProposalRejectedEvent,
  ProposalReviewStartedEvent,
  ProposalRevisionRequestedEvent,
  ProposalSubmittedEvent,
  ProposalUpdatedEvent,
  ProposalWithdrawnEvent,
  type ActorDto,
  type CreateProposalDto,
  type ProposalAction,
  type ProposalDto,
  type ProposalMunicipalityDto,
  type ProposalStatus,
  type ProposalTransitionDto,
  type UpdateProposalDto,
} from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { randomUUID } from 'node:crypto';
import { oncePerRequest } from '@wandelwerk/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { allowedActions, isEditable, nextStatus, USER_ACTIONS } from './proposal-lifecycle.js';
import { ProposalProblems } from './proposal.problems.js';
import { maySee } from './proposal-visibility.js';
import {
  contentOf,
  detailsOf,
  PROPOSAL_COLUMNS,
  toProposalDto,
  type ProposalRow,
} from './proposal.record.js';
import {
  draftRules,
  requestedFundingByYear,
  submitRules,
  type MunicipalityFacts,
  type ProgrammeFacts,
  type RuleViolation,
} from './proposal-rules.js';

const EVENT_TYPES: Record<Exclude<ProposalAction, never>, string> = {
  submit: ProposalSubmittedEvent.type,
  'start-review': ProposalReviewStartedEvent.type,
  'request-revision': ProposalRevisionRequestedEvent.type,
  endorse: ProposalEndorsedEvent.type,
  reject: ProposalRejectedEvent.type,
  withdraw: ProposalWithdrawnEvent.type,
  approve: ProposalApprovedEvent.type,
  'start-implementation': ProposalImplementationStartedEvent.type,
  complete: ProposalCompletedEvent.type,
};

/** Who may take which step: the owner drafts and answers, funding officers review. */
const REVIEW_ACTIONS: readonly ProposalAction[] = ['start-review', 'request-revision', 'endorse', 'reject'];

export interface TransitionRequest {
  action: ProposalAction;
  /** Null when the platform acts (a reaction to a funding event). */
  actor: ActorDto | null;
  comment: string | null;
  /** Fields of the event beyond the common ones. */
  extra?: Record<string, unknown>;
  /** Checks before the change, in the same transaction; may add to `extra`. */
  precondition?: (manager: EntityManager, proposal: ProposalDto) => Promise<Record<string, unknown> | void>;
  /** Further columns to set, e.g. the allocation of an approval. */
  set?: Record<string, unknown>;
}

interface TransitionRow {
  id: string;
  action: ProposalAction;
  from_status: ProposalStatus;
  to_status: ProposalStatus;
  actor_user_id: string | null;
  comment: string | null;
  at: Date;
}

/** The money, plan and outcome columns, in the order both the insert and the update of a draft write them. */
const planColumns = (p: CreateProposalDto): unknown[] => [
  p.totalCostCents,
  p.eligibleCostCents,
  p.requestedFundingCents,
  JSON.stringify(p.costPlan),
  p.costPlan.map((row) => row.year),
  p.plannedStart,
  p.plannedEnd,
  JSON.stringify(p.indicators),
];

const visibleActions = (status: ProposalStatus): ProposalAction[] =>
  allowedActions(status).filter((action) => USER_ACTIONS.includes(action));

/** Drafting and the lifecycle of proposals: each change, its history entry and its event commit together. */
@Injectable()
export class ProposalsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
  ) {}

  async create(actor: ActorDto, input: CreateProposalDto): Promise<ProposalDto> {
    this.checkDraft(input);
    return this.dataSource.transaction((manager) =>
      oncePerRequest(manager, PROJECTS_SCHEMA, 'proposal.create', async () => {
        const { lead, partners } = await this.participants(manager, input);
        const id = randomUUID();
        const now = new Date();
        await manager.query(
          `INSERT INTO projects.proposal (id, status, version, title, summary, description, workshop, programme_code,
           owner_user_id, lead_municipality, partners, municipality_ids, total_cost_cents, eligible_cost_cents,
           requested_funding_cents, cost_plan, cost_plan_years, planned_start, planned_end, indicators, created_at,
           updated_at)
         VALUES ($1, 'draft', 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)`,
          [
            id,
            input.title,
            input.summary,
            input.description,
            input.workshop,
            input.programmeCode,
            actor.userId,
            ...this.participantColumns(lead, partners),
            ...planColumns(input),
            now,
          ],
        );
        const proposal = await this.load(manager, id);
        await this.outbox.publish(manager, {
          type: ProposalCreatedEvent.type,
          subject: id,
          data: { version: 1, proposal: detailsOf(proposal), status: 'draft', actorUserId: actor.userId },
        });
        return proposal;
      }),
    );
  }

  async update(actor: ActorDto, id: string, patch: UpdateProposalDto): Promise<ProposalDto> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.loadFor(manager, id, actor);
      this.requireOwner(actor, current, 'ändern', 'change');
      if (!isEditable(current.status))
        throw ProposalProblems.notEditable(current.status, visibleActions(current.status));
      const before = contentOf(current);
      const merged: CreateProposalDto = { ...before };
      for (const [key, value] of Object.entries(patch)) {
        if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
      }
      const changed = (Object.keys(before) as (keyof CreateProposalDto)[]).filter(
        (key) => JSON.stringify(before[key]) !== JSON.stringify(merged[key]),
      );
      if (changed.length === 0) return current;
      this.checkDraft(merged);
      const { lead, partners } = await this.participants(manager, merged);
      const result = await manager.query<[unknown, number]>(
        `UPDATE projects.proposal SET version = version + 1, title = $3, summary = $4, description = $5,
           workshop = $6, programme_code = $7, lead_municipality = $8, partners = $9, municipality_ids = $10,
           total_cost_cents = $11, eligible_cost_cents = $12, requested_funding_cents = $13, cost_plan = $14,
           cost_plan_years = $15, planned_start = $16, planned_end = $17, indicators = $18, updated_at = now()
         WHERE id = $1 AND version = $2`,
        [
          id,
          current.version,
          merged.title,
          merged.summary,
          merged.description,
          merged.workshop,
          merged.programmeCode,
          ...this.participantColumns(lead, partners),
          ...planColumns(merged),
        ],
      );
      if (result[1] !== 1) throw ProposalProblems.concurrentModification(current.status);
      const proposal = await this.load(manager, id);
      await this.outbox.publish(manager, {
        type: ProposalUpdatedEvent.type,
        subject: id,
        data: {
          version: proposal.version,
          proposal: detailsOf(proposal),
          status: proposal.status,
          changedFields: changed,
          actorUserId: actor.userId,
        },
      });
      return proposal;
    });
  }

  /** A step of the lifecycle in its own transaction. */
  transition(id: string, request: TransitionRequest): Promise<ProposalDto> {
    return this.dataSource.transaction((manager) => this.transitionIn(manager, id, request));
  }

  /**
   * A step of the lifecycle inside the caller's transaction: checks that the actor may see the proposal (404), that
   * the step is allowed from the current status, who asks and its preconditions, then changes the status only if nobody changed the proposal meanwhile (version).
   */
  async transitionIn(manager: EntityManager, id: string, request: TransitionRequest): Promise<ProposalDto> {
    const current = await this.loadFor(manager, id, request.actor);
    const to = nextStatus(current.status, request.action);
    if (!to)
      throw ProposalProblems.transitionNotAllowed(
        current.status,
        request.action,
        visibleActions(current.status),
      );
    if (request.actor) this.authorize(request.actor, current, request.action);
    const extra = { ...request.extra, ...((await request.precondition?.(manager, current)) ?? {}) };
    const set = { ...request.set };
    if (request.action === 'start-review') set['review_round'] = current.reviewRound + 1;
    const assignments = Object.keys(set).map((column, i) => `, ${column} = $${i + 9}`);
    // One round trip for the change, its history row and the changed proposal (each round trip costs the service and
    // PostgreSQL more CPU than these statements themselves). No row when someone changed the proposal meanwhile.
    const [row] = await manager.query<ProposalRow[]>(
      `WITH p AS (
         UPDATE projects.proposal SET status = $3, version = version + 1, updated_at = now()${assignments.join('')}
         WHERE id = $1 AND version = $2
         RETURNING *
       ), transition AS (
         INSERT INTO projects.proposal_transition (id, proposal_id, action, from_status, to_status, actor_user_id,
           comment, at)
         SELECT $4::uuid, p.id, $5::text, $6::text, p.status, $7::uuid, $8::text, now() FROM p
       )
       SELECT ${PROPOSAL_COLUMNS} FROM p`,
      [
        id,
        current.version,
        to,
        randomUUID(),
        request.action,
        current.status,
        request.actor?.userId ?? null,
        request.comment,
        ...Object.values(set),
      ],
    );
    if (!row) throw ProposalProblems.concurrentModification(current.status);
    const proposal = withReviewRound(row);
    await this.outbox.publish(manager, {
      type: EVENT_TYPES[request.action],
      subject: id,
      data: {
        version: proposal.version,
        proposal: detailsOf(proposal),
        actorUserId: request.actor?.userId ?? null,
        fromStatus: current.status,
        toStatus: to,
        comment: request.comment,
        ...extra,
      },
    });
    return proposal;
  }

  /** The submit rules against the programme and municipalities this service knows from their events. */
  async checkSubmitRules(manager: EntityManager, proposal: ProposalDto): Promise<void> {
    const content = contentOf(proposal);
    const ids = [content.leadMunicipality.municipalityId, ...content.partners.map((p) => p.municipalityId)];
    // Programme and municipalities in one round trip.
    const [facts] = await manager.query<
      { programme: ProgrammeFacts | null; municipalities: MunicipalityFacts[] }[]
    >(
      `SELECT
         (SELECT json_build_object('code', code, 'maxFundingRateBasisPoints', max_funding_rate_basis_points,
            'firstYear', first_year, 'lastYear', last_year, 'active', active)
          FROM projects.programme_read_model WHERE code = $1) AS programme,
         (SELECT coalesce(json_agg(json_build_object('id', id, 'active', active)), '[]'::json)
          FROM projects.municipality_read_model WHERE id = ANY($2::uuid[])) AS municipalities`,
      [content.programmeCode, ids],
    );
    const rows = facts?.municipalities ?? [];
    const violations = submitRules(
      content,
      facts?.programme ?? null,
      new Map(rows.map((row) => [row.id, row])),
    );
    if (violations.length > 0) throw ProposalProblems.submitRulesViolated(violations);
  }

  endorsedExtras(proposal: ProposalDto): Record<string, unknown> {
    return {
      requestedFundingByYear: requestedFundingByYear(proposal.costPlan, proposal.requestedFundingCents),
    };
  }

  async history(actor: ActorDto, id: string): Promise<ProposalTransitionDto[]> {
    await this.loadFor(this.dataSource.manager, id, actor);
    const rows = await this.dataSource.query<TransitionRow[]>(
      `SELECT id, action, from_status, to_status, actor_user_id, comment, at FROM projects.proposal_transition
       WHERE proposal_id = $1 ORDER BY seq`,
      [id],
    );
    return rows.map((row) => ({
      id: row.id,
      action: row.action,
      fromStatus: row.from_status,
      toStatus: row.to_status,
      actorUserId: row.actor_user_id,
      comment: row.comment,
      at: row.at.toISOString(),
    }));
  }

  get(actor: ActorDto, id: string): Promise<ProposalDto> {
    return this.loadFor(this.dataSource.manager, id, actor);
  }

  /**
   * The proposal as `actor` may see it: one outside their scope answers 404 exactly like one that does not exist, so
   * that neither reads nor commands reveal it (403 is kept for a visible proposal the actor may not act on).
   * `null` is the platform acting on its own.
   */
  async loadFor(
    manager: EntityManager,
    id: string,
    actor: ActorDto | null,
  ): Promise<ProposalDto & { reviewRound: number }> {
    const proposal = await this.load(manager, id);
    if (!maySee(actor, proposal)) throw ProposalProblems.notFound(id);
    return proposal;
  }

  /** The proposal whoever asks; callers that act for a user use `loadFor`. */
  async load(manager: EntityManager, id: string): Promise<ProposalDto & { reviewRound: number }> {
    const [row] = await manager.query<ProposalRow[]>(
      `SELECT ${PROPOSAL_COLUMNS} FROM projects.proposal p WHERE p.id = $1`,
      [id],
    );
    if (!row) throw ProposalProblems.notFound(id);
    return withReviewRound(row);
  }

  private checkDraft(input: CreateProposalDto): void {
    const violations = draftRules(input);
    if (violations.length > 0) throw ProposalProblems.invalid(violations);
  }

  /** The lead and partners with AGS and name from the read model; every one must be known. */
  private async participants(
    manager: EntityManager,
    input: CreateProposalDto,
  ): Promise<{ lead: ProposalMunicipalityDto; partners: ProposalMunicipalityDto[] }> {
    const ids = [input.leadMunicipality.municipalityId, ...input.partners.map((p) => p.municipalityId)];
    const rows = await manager.query<{ id: string; ags: string; name: string }[]>(
      `SELECT id, ags, name FROM projects.municipality_read_model WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const known = new Map(rows.map((row) => [row.id, row]));
    const unknown: RuleViolation[] = [];
    const resolve = (
      share: { municipalityId: string; costShareBasisPoints: number },
      field: string,
    ): ProposalMunicipalityDto => {
      const row = known.get(share.municipalityId);
      if (!row) {
        unknown.push({
          field,
          rule: 'municipalityExists',
          de: `Die Kommune ${share.municipalityId} ist nicht bekannt`,
          en: `The municipality ${share.municipalityId} is not known`,
        });
        return { municipalityId: share.municipalityId, ags: '', name: '', costShareBasisPoints: 0 };
      }
      return {
        municipalityId: row.id,
        ags: row.ags,
        name: row.name,
        costShareBasisPoints: share.costShareBasisPoints,
      };
    };
    const lead = resolve(input.leadMunicipality, 'leadMunicipality.municipalityId');
    const partners = input.partners.map((p, i) => resolve(p, `partners[${i}].municipalityId`));
    if (unknown.length > 0) throw ProposalProblems.municipalitiesUnknown(unknown);
    return { lead, partners };
  }

  private participantColumns(lead: ProposalMunicipalityDto, partners: ProposalMunicipalityDto[]): unknown[] {
    return [
      JSON.stringify(lead),
      JSON.stringify(partners),
      [lead.municipalityId, ...partners.map((p) => p.municipalityId)],
    ];
  }

  private authorize(actor: ActorDto, proposal: ProposalDto, action: ProposalAction): void {
    if (actor.role === 'admin') return;
    if (REVIEW_ACTIONS.includes(action)) {
      if (actor.role !== 'funding_officer')
        throw ProposalProblems.forbidden(
          'Diesen Schritt der Prüfung gehen nur Förderreferentinnen und -referenten.',
          'Only funding officers take this step of the review.',
        );
      return;
    }
    this.requireOwner(actor, proposal, 'bearbeiten', 'act on');
  }

  private requireOwner(actor: ActorDto, proposal: ProposalDto, de: string, en: string): void {
    if (actor.role === 'admin' || actor.userId === proposal.ownerUserId) return;
    throw ProposalProblems.forbidden(
      `Nur wer den Vorschlag verantwortet, kann ihn ${de}.`,
      `Only the owner of the proposal can ${en} it.`,
    );
  }
}

/** The proposal as the API shows it, with the review round for the service's own use (not serialised). */
function withReviewRound(row: ProposalRow): ProposalDto & { reviewRound: number } {
  return Object.defineProperty(toProposalDto(row), 'reviewRound', {
    value: row.review_round,
    enumerable: false,
  }) as ProposalDto & { reviewRound: number };
}
