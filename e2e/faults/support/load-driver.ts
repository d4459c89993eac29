import type { ActorDto, AllocationDto, Page } from '@wandelwerk/contracts';
import { randomUUID } from 'node:crypto';
import { signAccessToken } from '../../support/gateway.js';
import { FAULTS_JWT_SECRET } from './fault-platform.js';

export const MANAGER: ActorDto = {
  userId: '8b1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f71',
  role: 'program_manager',
  municipalityId: null,
};
export const OFFICER: ActorDto = {
  userId: '8b1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f72',
  role: 'funding_officer',
  municipalityId: null,
};
export const SECOND_OFFICER: ActorDto = {
  userId: '8b1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f73',
  role: 'funding_officer',
  municipalityId: null,
};
export const ADMIN: ActorDto = {
  userId: '8b1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f70',
  role: 'admin',
  municipalityId: null,
};

/** Every flow asks for this much, for 2026 only; above the programme's four-eyes threshold. */
export const REQUESTED_CENTS = 90_000_000;
const scores = { regionalValueAdded: 5, jobs: 3, sustainability: 4, cooperation: 5, feasibility: 4 };

export interface Answer {
  status: number;
  body: Record<string, unknown> | null;
  /** Set when no HTTP answer came (connection refused or reset, timeout). */
  error?: string;
  /** The `X-Correlation-Id` this attempt was sent with (the gateway's audit record keeps it). */
  correlationId: string;
}

/** A request the platform accepted (2xx), with what it should have done, for the proofs afterwards. */
export interface AcceptedRequest {
  requestId: string;
  kind:
    | 'proposal.create'
    | 'proposal.transition'
    | 'review.record'
    | 'allocation.approve'
    | 'allocation.reject'
    | 'contact.create';
  proposalId?: string;
  action?: string;
  allocationId?: string;
  approverUserId?: string;
  title?: string;
  email?: string;
  municipalityId?: string;
  /** Accepted by an earlier attempt whose answer was lost: the retry found the state already changed. */
  answerLost?: boolean;
}

export interface DriverFigures {
  attempts: number;
  accepted: number;
  retried: number;
  gaveUp: number;
  /** Retryable answers by status (0: no answer). */
  retryableByStatus: Record<string, number>;
  flowsStarted: number;
  flowsCompleted: number;
  flowsAbandoned: number;
  budgetExceeded: number;
}

/** A partner of a flow: lead and partner municipality ids, by AGS. */
export interface Pair {
  lead: string;
  partner: string;
}

const RETRY_DEADLINE_MS = 90_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Drives a bounded load through the gateway as clients would: program managers create and submit proposals,
 * officers review, endorse and approve (four eyes) or reject what the budget cannot take, an administrator adds
 * contacts. Requests that fail during a fault (no answer, 5xx, 409 "key in use") are retried, with the same
 * Idempotency-Key where the route supports one; transitions retried after a lost answer are recognised by the
 * state they left. Only 2xx answers count as accepted.
 */
export class LoadDriver {
  readonly accepted: AcceptedRequest[] = [];
  readonly figures: DriverFigures = {
    attempts: 0,
    accepted: 0,
    retried: 0,
    gaveUp: 0,
    retryableByStatus: {},
    flowsStarted: 0,
    flowsCompleted: 0,
    flowsAbandoned: 0,
    budgetExceeded: 0,
  };
  /** Correlation ids of the accepted state-changing requests: each must have one entry in the audit record. */
  readonly acceptedWrites: string[] = [];
  /** Distinct problems seen with status 500 (each a bug unless a fault explains it). */
  readonly internalErrors: { path: string; body: unknown }[] = [];
  private running = false;
  private workers: Promise<void>[] = [];
  private flowNumber = 0;
  private contactNumber = 0;
  private readonly run = randomUUID().slice(0, 8);

  constructor(
    private readonly gatewayUrl: string,
    private readonly pairs: Pair[],
    private readonly bystanders: string[],
    private readonly maxFlows: number,
  ) {}

  /** Accepted requests of the proposal flows so far (progress after a fault; contacts alone are not enough). */
  get acceptedCount(): number {
    return this.accepted.filter((r) => r.kind !== 'contact.create').length;
  }

  async send(
    actor: ActorDto,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    this.figures.attempts++;
    const correlationId = randomUUID();
    try {
      const response = await fetch(`${this.gatewayUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${signAccessToken(actor, FAULTS_JWT_SECRET)}`,
          'x-correlation-id': correlationId,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await response.text();
      let parsed: Record<string, unknown> | null = null;
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : null;
      } catch {
        parsed = { text };
      }
      return { status: response.status, body: parsed, correlationId };
    } catch (error) {
      return {
        status: 0,
        body: null,
        error: error instanceof Error ? error.message : String(error),
        correlationId,
      };
    }
  }

  /** Sends until an answer that is not a transient failure, or until the deadline; the last answer otherwise. */
  async call(
    actor: ActorDto,
    method: string,
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<Answer> {
    const deadline = Date.now() + RETRY_DEADLINE_MS;
    for (let attempt = 0; ; attempt++) {
      const answer = await this.send(
        actor,
        method,
        path,
        body,
        idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
      );
      const transient =
        answer.status === 0 ||
        answer.status >= 500 ||
        (answer.status === 409 && answer.body?.['code'] === 'idempotency-key-in-use');
      if (!transient) {
        if (answer.status >= 200 && answer.status < 300) {
          this.figures.accepted++;
          if (method !== 'GET') this.acceptedWrites.push(answer.correlationId);
        }
        return answer;
      }
      const key = String(answer.status);
      this.figures.retryableByStatus[key] = (this.figures.retryableByStatus[key] ?? 0) + 1;
      if (answer.status === 500 && this.internalErrors.length < 50)
        this.internalErrors.push({ path, body: answer.body });
      if (Date.now() > deadline) {
        this.figures.gaveUp++;
        return answer;
      }
      this.figures.retried++;
      await sleep(Math.min(2_000, 100 * 2 ** attempt) * (0.75 + Math.random() / 2));
    }
  }

  start(workers: number): void {
    this.running = true;
    for (let i = 0; i < workers; i++) this.workers.push(this.flowWorker());
    this.workers.push(this.contactWorker());
  }

  /** Starts no new flows; resolves when the ones under way are done. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  private async flowWorker(): Promise<void> {
    while (this.running && this.flowNumber < this.maxFlows) {
      const n = ++this.flowNumber;
      this.figures.flowsStarted++;
      const done = await this.flow(n).catch(() => false);
      if (done) this.figures.flowsCompleted++;
      else this.figures.flowsAbandoned++;
      await sleep(150);
    }
  }

  private async contactWorker(): Promise<void> {
    while (this.running) {
      const n = ++this.contactNumber;
      const municipalityId = this.bystanders[n % this.bystanders.length];
      const email = `kontakt-${this.run}-${n}@faults.example`;
      const requestId = `contact-${this.run}-${n}`;
      const answer = await this.call(
        ADMIN,
        'POST',
        `/api/v1/municipalities/${municipalityId}/contacts`,
        { fullName: `Kontakt ${n}`, role: 'Wirtschaftsförderung', email, language: 'de' },
        requestId,
      );
      if (answer.status === 201)
        this.accepted.push({ requestId, kind: 'contact.create', email, municipalityId });
      await sleep(400);
    }
  }

  /** One proposal from draft to approved (or rejected when the budget is exhausted); false if abandoned. */
  private async flow(n: number): Promise<boolean> {
    const requestId = `proposal-${this.run}-${n}`;
    const title = `Faultlast ${requestId}`;
    const pair = this.pairs[n % this.pairs.length];
    const created = await this.call(
      MANAGER,
      'POST',
      '/api/v1/projects',
      {
        title,
        summary: 'Sanierung und Nutzungserweiterung einer Halle für Kultur und Sport.',
        description: '',
        workshop: 'culture-tourism-marketing',
        programmeCode: 'INVKG-BB',
        leadMunicipality: { municipalityId: pair.lead, costShareBasisPoints: 8000 },
        partners: [{ municipalityId: pair.partner, costShareBasisPoints: 2000 }],
        totalCostCents: 100_000_000,
        eligibleCostCents: 100_000_000,
        requestedFundingCents: REQUESTED_CENTS,
        costPlan: [{ year: 2026, amountCents: 100_000_000 }],
        plannedStart: '2026-01-01',
        plannedEnd: '2026-12-31',
        indicators: [],
      },
      requestId,
    );
    if (created.status !== 201) return false;
    const id = created.body?.['id'] as string;
    this.accepted.push({ requestId, kind: 'proposal.create', proposalId: id, title });

    if (!(await this.transition(MANAGER, id, 'submit', 'submitted', {}))) return false;
    if (!(await this.transition(OFFICER, id, 'start-review', 'in-review', { reviewDueDate: '2026-03-31' })))
      return false;
    const reviewKey = `review-${this.run}-${n}`;
    const review = await this.call(
      OFFICER,
      'POST',
      `/api/v1/projects/${id}/reviews`,
      { votum: 'endorse', scores, comment: 'Empfohlen.' },
      reviewKey,
    );
    if (review.status !== 201) return false;
    this.accepted.push({ requestId: reviewKey, kind: 'review.record', proposalId: id });
    if (!(await this.transition(OFFICER, id, 'endorse', 'endorsed', { reviewId: review.body?.['id'] })))
      return false;

    // The allocation request comes from funding, by the endorsed event.
    const deadline = Date.now() + RETRY_DEADLINE_MS;
    let allocation: AllocationDto | undefined;
    while (!allocation && Date.now() < deadline) {
      const listed = await this.call(OFFICER, 'GET', `/api/v1/funding/allocations?proposalId=${id}`);
      allocation = (listed.body as unknown as Page<AllocationDto> | null)?.items?.[0];
      if (!allocation) await sleep(200);
    }
    if (!allocation) return false;
    const path = `/api/v1/funding/allocations/${allocation.id}`;
    for (const approver of [OFFICER, SECOND_OFFICER]) {
      const answer = await this.call(approver, 'POST', `${path}/approve`, {});
      const code = answer.body?.['code'];
      const lost =
        (approver === OFFICER && answer.status === 409 && code === 'funding.second-approver-required') ||
        (approver === SECOND_OFFICER &&
          answer.status === 409 &&
          answer.body?.['currentState'] === 'approved');
      if (answer.status === 200 || lost) {
        this.accepted.push({
          requestId: `approve-${allocation.id}-${approver.userId}`,
          kind: 'allocation.approve',
          allocationId: allocation.id,
          proposalId: id,
          approverUserId: approver.userId,
          ...(lost ? { answerLost: true } : {}),
        });
        continue;
      }
      if (answer.status === 409 && code === 'funding.budget-exceeded') {
        this.figures.budgetExceeded++;
        const rejected = await this.call(SECOND_OFFICER, 'POST', `${path}/reject`, {
          reason: 'Budget 2026 ausgeschöpft.',
        });
        const rejectLost = rejected.status === 409 && rejected.body?.['currentState'] === 'rejected';
        if (rejected.status !== 200 && !rejectLost) return false;
        this.accepted.push({
          requestId: `reject-${allocation.id}`,
          kind: 'allocation.reject',
          allocationId: allocation.id,
          proposalId: id,
          ...(rejectLost ? { answerLost: true } : {}),
        });
        return true;
      }
      return false;
    }
    return true;
  }

  /** A lifecycle step; a retry answered 409 from the state the step leads to means an earlier attempt did it. */
  private async transition(
    actor: ActorDto,
    proposalId: string,
    action: string,
    to: string,
    body: object,
  ): Promise<boolean> {
    const answer = await this.call(actor, 'POST', `/api/v1/projects/${proposalId}/${action}`, body);
    const lost = answer.status === 409 && answer.body?.['currentState'] === to;
    if (answer.status !== 200 && !lost) return false;
    this.accepted.push({
      requestId: `${action}-${proposalId}`,
      kind: 'proposal.transition',
      proposalId,
      action,
      ...(lost ? { answerLost: true } : {}),
    });
    return true;
  }
}
