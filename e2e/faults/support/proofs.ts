import { jetstreamManager } from '@nats-io/jetstream';
import { buildTopology, connectNats, DeadLetterAdmin, type DeadLetterEntry } from '@wandelwerk/messaging';
import type pg from 'pg';
import type { FaultPlatform } from './fault-platform.js';
import type { AcceptedRequest } from './load-driver.js';

/** What went missing or happened twice, each named, so a failure says exactly what. */
export interface Findings {
  checked: number;
  lost: string[];
  duplicated: string[];
}

const findings = (): Findings => ({ checked: 0, lost: [], duplicated: [] });

/** Compares how often each expected thing exists: 0 is lost, more than 1 duplicated. */
function countOnce(result: Findings, what: string, count: number): void {
  result.checked++;
  if (count === 0) result.lost.push(what);
  else if (count > 1) result.duplicated.push(`${what} ×${count}`);
}

async function rows<T extends pg.QueryResultRow>(db: pg.Pool, sql: string, params: unknown[] = []) {
  return (await db.query<T>(sql, params)).rows;
}

/** Every accepted request's effect exists exactly once (rows counted per accepted request). */
export async function proveEffects(
  db: pg.Pool,
  accepted: AcceptedRequest[],
  acceptedWrites: string[],
): Promise<Findings> {
  const result = findings();
  // The gateway's audit record: one entry per accepted state-changing request, found by its correlation id.
  const audited = new Map(
    (
      await rows<{ correlation_id: string; n: string }>(
        db,
        `SELECT correlation_id, count(*) AS n FROM gateway.audit_entry WHERE correlation_id = ANY($1)
         AND status < 300 GROUP BY correlation_id`,
        [acceptedWrites],
      )
    ).map((r) => [r.correlation_id, Number(r.n)]),
  );
  for (const id of acceptedWrites) countOnce(result, `audit entry of request ${id}`, audited.get(id) ?? 0);
  const titles = new Map(
    (
      await rows<{ title: string; n: string }>(
        db,
        `SELECT title, count(*) AS n FROM projects.proposal WHERE title LIKE 'Faultlast %' GROUP BY title`,
      )
    ).map((r) => [r.title, Number(r.n)]),
  );
  for (const request of accepted.filter((r) => r.kind === 'proposal.create'))
    countOnce(result, `proposal "${request.title}"`, titles.get(request.title!) ?? 0);
  // Also a request never accepted (given up) must not have left two.
  for (const [title, n] of titles)
    if (n > 1 && !accepted.some((r) => r.title === title))
      result.duplicated.push(`proposal "${title}" ×${n}`);

  const transitions = new Map(
    (
      await rows<{ key: string; n: string }>(
        db,
        `SELECT proposal_id || ' ' || action AS key, count(*) AS n FROM projects.proposal_transition t
         JOIN projects.proposal p ON p.id = t.proposal_id WHERE p.title LIKE 'Faultlast %' GROUP BY 1`,
      )
    ).map((r) => [r.key, Number(r.n)]),
  );
  for (const request of accepted.filter((r) => r.kind === 'proposal.transition')) {
    const key = `${request.proposalId} ${request.action}`;
    countOnce(result, `transition ${key}`, transitions.get(key) ?? 0);
  }
  for (const [key, n] of transitions) if (n > 1) result.duplicated.push(`transition ${key} ×${n}`);

  const reviews = new Map(
    (
      await rows<{ proposal_id: string; n: string }>(
        db,
        `SELECT proposal_id, count(*) AS n FROM projects.review GROUP BY proposal_id`,
      )
    ).map((r) => [r.proposal_id, Number(r.n)]),
  );
  for (const request of accepted.filter((r) => r.kind === 'review.record'))
    countOnce(result, `review of ${request.proposalId}`, reviews.get(request.proposalId!) ?? 0);

  const approvals = new Set(
    (
      await rows<{ key: string }>(
        db,
        `SELECT allocation_id || ' ' || approver_user_id AS key FROM funding.allocation_approval`,
      )
    ).map((r) => r.key),
  );
  for (const request of accepted.filter((r) => r.kind === 'allocation.approve'))
    countOnce(
      result,
      `approval of ${request.allocationId} by ${request.approverUserId}`,
      approvals.has(`${request.allocationId} ${request.approverUserId}`) ? 1 : 0,
    );
  const decisions = new Map(
    (
      await rows<{ key: string; n: string }>(
        db,
        `SELECT allocation_id || ' ' || action || ' ' || to_status AS key, count(*) AS n
         FROM funding.allocation_decision GROUP BY 1`,
      )
    ).map((r) => [r.key, Number(r.n)]),
  );
  for (const request of accepted.filter((r) => r.kind === 'allocation.reject'))
    countOnce(
      result,
      `rejection of ${request.allocationId}`,
      decisions.get(`${request.allocationId} reject rejected`) ?? 0,
    );
  for (const [key, n] of decisions) if (n > 1) result.duplicated.push(`decision ${key} ×${n}`);

  // What events should have done: an allocation request per endorsed proposal, and the proposal following the
  // allocation's final decision.
  const followers = await rows<{
    proposal_id: string;
    allocations: string;
    status: string | null;
    followed: string;
  }>(
    db,
    `SELECT p.id AS proposal_id,
       (SELECT count(*) FROM funding.allocation a WHERE a.proposal_id = p.id) AS allocations,
       (SELECT a.status FROM funding.allocation a WHERE a.proposal_id = p.id) AS status,
       (SELECT count(*) FROM projects.proposal_transition t WHERE t.proposal_id = p.id
          AND t.action = (SELECT CASE a.status WHEN 'approved' THEN 'approve' ELSE 'reject' END
                          FROM funding.allocation a WHERE a.proposal_id = p.id)) AS followed
     FROM projects.proposal p
     WHERE p.title LIKE 'Faultlast %'
       AND EXISTS (SELECT 1 FROM projects.proposal_transition t WHERE t.proposal_id = p.id AND t.action = 'endorse')`,
  );
  for (const f of followers) {
    countOnce(result, `allocation request of ${f.proposal_id}`, Number(f.allocations));
    if (f.status === 'approved' || f.status === 'rejected')
      countOnce(
        result,
        `proposal ${f.proposal_id} following its allocation (${f.status})`,
        Number(f.followed),
      );
  }

  const contacts = new Map(
    (
      await rows<{ email: string; n: string; seen: string }>(
        db,
        `SELECT c.email, count(*) AS n,
           (SELECT count(*) FROM notifications.contact_read_model r WHERE r.email = c.email) AS seen
         FROM municipalities.contact c WHERE c.email LIKE 'kontakt-%@faults.example' GROUP BY c.email`,
      )
    ).map((r) => [r.email, r]),
  );
  for (const request of accepted.filter((r) => r.kind === 'contact.create')) {
    const row = contacts.get(request.email!);
    countOnce(result, `contact ${request.email}`, Number(row?.n ?? 0));
    countOnce(result, `contact ${request.email} known to notifications`, Number(row?.seen ?? 0));
  }
  return result;
}

const PROPOSAL_KEYS: Record<string, string> = {
  submitted: 'proposal.submitted',
  'in-review': 'proposal.review-started',
  endorsed: 'proposal.endorsed',
  approved: 'proposal.approved',
  rejected: 'proposal.rejected',
};
const ALLOCATION_KEYS: Record<string, string> = {
  approved: 'allocation.approved',
  rejected: 'allocation.rejected',
};

export interface NotificationFigures extends Findings {
  inApp: number;
  emails: number;
  webhooks: number;
  /**
   * Sent twice under the same Message-ID / webhook-id because the sending process was killed after the receiver's
   * answer and before the outcome was recorded (the delivery shows a claim without a logged attempt): the documented
   * at-least-once window, which receivers de-duplicate by those ids.
   */
  redeliveredAfterKill: string[];
}

/**
 * Every expected notification was delivered exactly once per recipient and channel. What is expected follows from
 * what happened (the proposals' transitions and the allocations' decisions), not from the notifications service's
 * own records: for each change, the lead and the partner municipality in-app and by webhook, each of their contacts
 * by e-mail, and the owner in-app unless the owner made the change.
 */
export async function proveNotifications(
  platform: FaultPlatform,
  ownerUserId: string,
): Promise<NotificationFigures> {
  const { db } = platform;
  const result: NotificationFigures = {
    ...findings(),
    inApp: 0,
    emails: 0,
    webhooks: 0,
    redeliveredAfterKill: [],
  };
  // Per delivery (notification and channel): claims (attempts) and attempts whose outcome was recorded.
  const unrecordedClaims = new Map(
    (
      await rows<{ key: string; unrecorded: string }>(
        db,
        `SELECT d.notification_id || ' ' || d.channel AS key,
           d.attempts - (SELECT count(*) FROM notifications.delivery_attempt a WHERE a.delivery_id = d.id) AS unrecorded
         FROM notifications.delivery d WHERE d.notification_id IS NOT NULL`,
      )
    ).map((r) => [r.key, Number(r.unrecorded)]),
  );
  /** Exactly once, or twice with a claim whose outcome was never recorded (see redeliveredAfterKill). */
  const deliveredOnce = (what: string, notificationId: string, channel: string, n: number) => {
    if (n > 1 && n - 1 <= (unrecordedClaims.get(`${notificationId} ${channel}`) ?? 0)) {
      result.checked++;
      result.redeliveredAfterKill.push(`${what} ×${n}`);
    } else countOnce(result, what, n);
  };
  const changes = await rows<{
    proposal_id: string;
    key: string;
    actor: string | null;
    municipalities: string[];
  }>(
    db,
    `WITH faults AS (
       SELECT id, ARRAY[(lead_municipality->>'municipalityId')::uuid]
         || ARRAY(SELECT (x->>'municipalityId')::uuid FROM jsonb_array_elements(partners) x) AS municipalities
       FROM projects.proposal WHERE title LIKE 'Faultlast %')
     SELECT f.id AS proposal_id, 'p:' || t.to_status AS key, t.actor_user_id AS actor, f.municipalities
     FROM faults f JOIN projects.proposal_transition t ON t.proposal_id = f.id
     UNION ALL
     SELECT f.id, 'a:' || d.to_status, d.actor_user_id, f.municipalities
     FROM faults f JOIN funding.allocation a ON a.proposal_id = f.id
       JOIN funding.allocation_decision d ON d.allocation_id = a.id
     WHERE d.action IN ('approve', 'reject') AND d.to_status IN ('approved', 'rejected')`,
  );
  const contacts = await rows<{ id: string; municipality_id: string; email: string }>(
    db,
    `SELECT id, municipality_id, email FROM municipalities.contact WHERE email NOT LIKE 'kontakt-%@faults.example'`,
  );
  const notifications = await rows<{
    id: string;
    proposal_id: string;
    template_key: string;
    recipient_kind: string;
    recipient_id: string;
  }>(
    db,
    `SELECT n.id, n.proposal_id, n.template_key, n.recipient_kind, n.recipient_id
     FROM notifications.notification n JOIN projects.proposal p ON p.id = n.proposal_id
     WHERE p.title LIKE 'Faultlast %'`,
  );
  const byRecipient = new Map<string, typeof notifications>();
  for (const n of notifications) {
    const key = `${n.proposal_id} ${n.template_key} ${n.recipient_kind} ${n.recipient_id}`;
    byRecipient.set(key, [...(byRecipient.get(key) ?? []), n]);
  }
  const expectedMails = new Map<string, { address: string; notificationId: string }>(); // by Message-ID
  const expectedHooks = new Map<string, string>(); // webhook-id → notification id
  const webhooksOf = new Map<string, number>(
    (
      await rows<{ municipality_id: string; n: string }>(
        db,
        `SELECT municipality_id, count(*) AS n FROM notifications.webhook WHERE deleted_at IS NULL AND status = 'active'
         GROUP BY municipality_id`,
      )
    ).map((r) => [r.municipality_id, Number(r.n)]),
  );
  for (const change of changes) {
    const [source, status] = change.key.split(':') as ['p' | 'a', string];
    const templateKey = (source === 'p' ? PROPOSAL_KEYS : ALLOCATION_KEYS)[status];
    if (!templateKey) continue;
    const expect = (kind: string, id: string) => {
      const found = byRecipient.get(`${change.proposal_id} ${templateKey} ${kind} ${id}`) ?? [];
      countOnce(result, `${templateKey} of ${change.proposal_id} for ${kind} ${id}`, found.length);
      return found;
    };
    for (const municipalityId of change.municipalities) {
      for (const n of expect('municipality', municipalityId)) {
        result.inApp++;
        if ((webhooksOf.get(municipalityId) ?? 0) > 0) expectedHooks.set(`msg_${n.id}`, n.id);
      }
      for (const contact of contacts.filter((c) => c.municipality_id === municipalityId))
        for (const n of expect('contact', contact.id))
          expectedMails.set(`<${n.id}@wandelwerk.notifications>`, {
            address: contact.email,
            notificationId: n.id,
          });
    }
    if (change.actor !== ownerUserId) result.inApp += expect('user', ownerUserId).length;
  }

  const mails = new Map<string, number>();
  for (const mail of platform.smtp.mails) mails.set(mail.messageId, (mails.get(mail.messageId) ?? 0) + 1);
  for (const [messageId, { address, notificationId }] of expectedMails) {
    const n = mails.get(messageId) ?? 0;
    deliveredOnce(`e-mail ${messageId} to ${address}`, notificationId, 'email', n);
    result.emails += Math.min(n, 1);
  }
  for (const [messageId, n] of mails)
    if (n > 1 && !expectedMails.has(messageId)) result.duplicated.push(`e-mail ${messageId} ×${n}`);

  const hooks = new Map<string, number>();
  for (const hook of platform.hooks.received.filter((h) => h.answeredWith < 300)) {
    const id = String(hook.headers['webhook-id']);
    hooks.set(id, (hooks.get(id) ?? 0) + 1);
  }
  for (const [id, notificationId] of expectedHooks) {
    const n = hooks.get(id) ?? 0;
    deliveredOnce(`webhook ${id}`, notificationId, 'webhook', n);
    result.webhooks += Math.min(n, 1);
  }
  for (const [id, n] of hooks)
    if (n > 1 && !expectedHooks.has(id)) result.duplicated.push(`webhook ${id} ×${n}`);
  return result;
}

export interface LedgerLine {
  year: number;
  planned: number;
  reserved: number;
  disbursed: number;
  amended: number;
  reservedByAllocations: number;
}

/** The budget lines as the ledger keeps them, next to what the amendments and the allocations add up to. */
export async function ledger(db: pg.Pool): Promise<LedgerLine[]> {
  const lines = await rows<Record<string, string>>(
    db,
    `SELECT b.year, b.planned_cents AS planned, b.reserved_cents AS reserved, b.disbursed_cents AS disbursed,
       (SELECT coalesce(sum(CASE a.kind WHEN 'raise' THEN a.amount_cents WHEN 'cut' THEN -a.amount_cents END), 0)
        FROM funding.budget_amendment a WHERE a.programme_id = b.programme_id AND a.year = b.year) AS amended,
       (SELECT coalesce(sum(y.amount_cents - y.paid_cents), 0) FROM funding.allocation_year y
        JOIN funding.allocation al ON al.id = y.allocation_id
        WHERE al.programme_id = b.programme_id AND y.year = b.year
          AND al.status IN ('approved', 'committed', 'disbursing')) AS reserved_by_allocations
     FROM funding.budget_year b ORDER BY b.year`,
  );
  return lines.map((l) => ({
    year: Number(l['year']),
    planned: Number(l['planned']),
    reserved: Number(l['reserved']),
    disbursed: Number(l['disbursed']),
    amended: Number(l['amended']),
    reservedByAllocations: Number(l['reserved_by_allocations']),
  }));
}

export interface Backlog {
  unsentOutbox: Record<string, number>;
  events: number;
  consumers: { name: string; pending: number; ackPending: number }[];
  deliveriesNotDone: Record<string, number>;
  deadLetters: DeadLetterEntry[];
}

/** Outboxes, consumers, deliveries and the dead-letter stream: what is still under way or gave up. */
export async function backlog(platform: FaultPlatform): Promise<Backlog> {
  const { db } = platform;
  const schemas = (
    await rows<{ table_schema: string }>(
      db,
      `SELECT table_schema FROM information_schema.tables WHERE table_name = 'outbox' ORDER BY table_schema`,
    )
  ).map((r) => r.table_schema);
  const unsentOutbox: Record<string, number> = {};
  let events = 0;
  for (const schema of schemas) {
    const [row] = await rows<{ unsent: string; total: string }>(
      db,
      `SELECT count(*) FILTER (WHERE sent_at IS NULL) AS unsent, count(*) AS total FROM ${schema}.outbox`,
    );
    unsentOutbox[schema] = Number(row?.unsent ?? 0);
    events += Number(row?.total ?? 0);
  }
  const deliveriesNotDone = Object.fromEntries(
    (
      await rows<{ status: string; n: string }>(
        db,
        `SELECT status, count(*) AS n FROM notifications.delivery WHERE status NOT IN ('succeeded', 'skipped', 'digested')
         GROUP BY status`,
      )
    ).map((r) => [r.status, Number(r.n)]),
  );
  const nc = await connectNats({ url: platform.nats.url, name: 'faults-proof' });
  try {
    const jsm = await jetstreamManager(nc);
    const consumers = [];
    for (const spec of buildTopology({ prefix: platform.env['NATS_PREFIX'] ?? '' }).consumers) {
      const info = await jsm.consumers.info(spec.stream, spec.durable);
      consumers.push({
        name: `${spec.stream}/${spec.durable}`,
        pending: info.num_pending,
        ackPending: info.num_ack_pending,
      });
    }
    const deadLetters = await new DeadLetterAdmin(nc, platform.env['NATS_PREFIX'] ?? '').list();
    return { unsentOutbox, events, consumers, deliveriesNotDone, deadLetters };
  } finally {
    await nc.close();
  }
}

/** Nothing under way any more: outboxes published, consumers caught up, no delivery waiting or being sent. */
export const settled = (b: Backlog): boolean =>
  Object.values(b.unsentOutbox).every((n) => n === 0) &&
  b.consumers.every((c) => c.pending === 0 && c.ackPending === 0) &&
  Object.keys(b.deliveriesNotDone).length === 0;

/**
 * The evidence behind a failure, written next to the app logs: deliveries left over with their attempts, and for
 * each proposal whose owner was not notified, when the notifications service handled each event about it.
 */
export async function diagnosis(db: pg.Pool, lostOwners: string[]): Promise<Record<string, unknown>> {
  const deliveries = await rows(
    db,
    `SELECT d.id, d.channel, d.status, d.attempts, d.max_attempts, d.created_at, d.queued_at, d.lease_until,
       d.updated_at, n.template_key, n.proposal_id,
       (SELECT json_agg(json_build_object('attempt', a.attempt, 'at', a.started_at, 'ok', a.succeeded,
          'http', a.http_status, 'error', a.error) ORDER BY a.attempt)
        FROM notifications.delivery_attempt a WHERE a.delivery_id = d.id) AS attempt_log
     FROM notifications.delivery d LEFT JOIN notifications.notification n ON n.id = d.notification_id
     WHERE d.status NOT IN ('succeeded', 'skipped', 'digested') ORDER BY d.created_at`,
  );
  const proposals = [...new Set(lostOwners)];
  const handled =
    proposals.length === 0
      ? []
      : await rows(
          db,
          `SELECT e.aggregate_id, e.type, e.created_at, e.sent_at, i.consumer, i.handled_at
           FROM (SELECT id, aggregate_id, type, created_at, sent_at FROM projects.outbox
                 UNION ALL SELECT id, payload->'data'->'proposal'->>'proposalId', type, created_at, sent_at
                 FROM funding.outbox) e
           LEFT JOIN notifications.inbox i ON i.event_id = e.id
           WHERE e.aggregate_id = ANY($1) ORDER BY e.aggregate_id, i.handled_at NULLS LAST`,
          [proposals],
        );
  return { deliveriesLeftOver: deliveries, eventsOfProposalsWithoutOwnerNotification: handled };
}
