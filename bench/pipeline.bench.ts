import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import { proposalSubmittedFixture } from '@wandelwerk/contracts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '@wandelwerk/gateway/blueprint';
import { connectNats } from '@wandelwerk/messaging';
import { testSettings } from '@wandelwerk/testing';
import {
  fastifyHelloWorld,
  jetstreamPublishes,
  postgresCommits,
  type Baseline,
} from './support/baselines.js';
import { JsonClient } from './support/http-client.js';
import { PgActivitySampler, sequentialScans } from './support/pg-activity.js';
import { Sink } from './support/pipeline-sink.js';
import type { SeenDelivery, SeenNotification } from './support/pipeline-sink-worker.js';
import { PLATFORM_APPS, REPO_ROOT, startPlatform, type Platform } from './support/platform-processes.js';
import { machineBetween, machineTicks, ProcessSampler } from './support/process-sampler.js';
import { runSuite, type Report, type SuiteContext } from './support/report.js';
import { distribution, now, openLoop, sleep, until, type Distribution } from './support/stats.js';

/*
 * The whole pipeline (issue 7): the five apps as processes (`apps/<app>/dist/main.js`, as `npm start` runs them) on a
 * database, NATS prefix and Redis prefixes of the run's own; proposals driven through the gateway with real tokens
 * (accounts created through the users API, signed in through /api/v1/auth/login); open loop at a fixed rate. Drafts are
 * created before the measured phases. Two phases:
 *
 *   A. submissions at --rate (100/s): POST …/submit of a prepared draft, nothing else; measured up to every in-app
 *      notification of "submitted" stored. This is the phase of the targets. No e-mail or webhook recipients yet.
 *   B. the whole pipeline at --pipeline-rate: submit → start-review → review → endorse → (funding requests the
 *      allocation) → approve, each proposal carried through at once; with --contacts e-mail recipients and --webhooks
 *      endpoints per municipality, added before this phase. Per stage and end to end.
 *
 * Beside them, measured in the same run with the platform idle: the raw limits (PostgreSQL single-row INSERT+COMMIT,
 * acknowledged JetStream publishes, a Fastify hello world through the same HTTP client) and the ratios. Per app: peak
 * resident memory (VmRSS sampled every 100 ms; VmHWM beside it) and CPU, read from /proc.
 *
 * Time stamps: the load generator (main thread) and the observer thread (NATS subscription, SMTP server, webhook
 * receiver) read the same process-wide monotonic clock. "Stored" is the arrival of the notifications'
 * `notifications.notification.created.v1`, which the notifications service writes in the same transaction as the
 * notifications and publishes after the commit: an upper bound (the relay's hop is included). The notification rows'
 * own `created_at` (clock_timestamp() at the INSERT, before the commit) gives the lower bound beside it.
 */

const TARGET_SUBMIT_TO_STORED_P99_MS = 100;
const TARGET_PEAK_RSS_MB = 250;
const SUBMITTED = 'projects.proposal.submitted.v1';
const APPROVED = 'funding.allocation.approved.v1';
const PASSWORD = 'Bench-Pipeline-2026!';
const SCORES = { regionalValueAdded: 5, jobs: 3, sustainability: 4, cooperation: 5, feasibility: 4 };
const YEARS = [2026, 2027, 2028, 2029];
/** Below the default four-eyes threshold (1,000,000 €): one approval per allocation. */
const REQUESTED_CENTS = 9_000_000;
const ELIGIBLE_CENTS = 10_000_000;

interface Settings {
  rate: number;
  warmupMs: number;
  measureMs: number;
  pipelineRate: number;
  pipelineWarmupMs: number;
  pipelineMeasureMs: number;
  drainTimeoutMs: number;
  partners: number;
  contacts: number;
  webhooks: number;
  logLevel: string;
  /** Each app writes a V8 CPU profile here when it stops (node --cpu-prof). */
  cpuProfileDir: string;
  baselineConcurrency: number;
  baselineWarmupMs: number;
  baselineMs: number;
  prepareConcurrency: number;
  sockets: number;
  phases: string;
}

interface Actor {
  headers: Record<string, string>;
  userId: string;
}

interface Actors {
  manager: Actor;
  reviewer: Actor;
  approver: Actor;
  admin: Record<string, string>;
}

/** What happened to one proposal, on the monotonic clock (ms). */
interface Run {
  proposalId: string;
  measured: boolean;
  startedAt: number;
  /** Wall clock (ms since the epoch, fractional) at startedAt, to compare with the database's time stamps. */
  startedWall: number;
  correlation: { submit: string; startReview: string; review: string; endorse: string; approve: string };
  submitted?: number;
  endorsed?: number;
  allocationSeen?: number;
  approveStarted?: number;
  approveStartedWall?: number;
  approved?: number;
  error?: string;
}

interface Phase {
  key: 'A' | 'B';
  title: string;
  full: boolean;
  rate: number;
  warmupMs: number;
  measureMs: number;
  drafts: string[];
}

interface Env {
  context: SuiteContext;
  settings: Settings;
  platform: Platform;
  sink: Sink;
  sampler: ProcessSampler;
  client: JsonClient;
  actors: Actors;
  natsUrl: string;
  raw: { pg: Baseline; js: Baseline; http: Baseline };
}

interface PhaseOutcome {
  submitToStored: Distribution;
  complete: boolean;
  peakRssMB: Record<string, number>;
}

const wallNow = (): number => performance.timeOrigin + performance.now();
const loadAverage = (): string =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

function adminToken(secret: string): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const issuedAt = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({
    sub: randomUUID(),
    role: 'admin',
    mun: null,
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    iat: issuedAt,
    exp: issuedAt + 3600,
    jti: randomUUID(),
  })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

function draftBody(i: number, municipalities: string[], partners: number): Record<string, unknown> {
  const lead = municipalities[i % municipalities.length];
  const others = Array.from(
    { length: partners },
    (_, p) => municipalities[(i + 1 + p) % municipalities.length],
  );
  const year = YEARS[i % YEARS.length];
  return {
    title: `Sanierung der Stadthalle, Bauabschnitt ${i + 1}`,
    summary: 'Energetische Sanierung der Stadthalle und ein neuer Saal für Vereine und Tagungen.',
    description: 'Photovoltaik, Wärmepumpe und barrierefreier Zugang.',
    workshop: 'culture-tourism-marketing',
    programmeCode: 'INVKG-BB',
    leadMunicipality: { municipalityId: lead, costShareBasisPoints: 10_000 - 1_000 * others.length },
    partners: others.map((municipalityId) => ({ municipalityId, costShareBasisPoints: 1_000 })),
    totalCostCents: ELIGIBLE_CENTS,
    eligibleCostCents: ELIGIBLE_CENTS,
    requestedFundingCents: REQUESTED_CENTS,
    costPlan: [{ year, amountCents: ELIGIBLE_CENTS }],
    plannedStart: `${year}-01-01`,
    plannedEnd: `${year}-12-31`,
    indicators: [],
  };
}

const fmt = (d: Distribution, decimals = 1): string =>
  d.count === 0 ? 'n/a' : `${d.p50.toFixed(decimals)} / ${d.p99.toFixed(decimals)} / ${d.max.toFixed(0)}`;

/** Sum of the messages in the run's streams (every event any service published). */
async function streamMessages(platform: Platform, natsUrl: string): Promise<number> {
  const nc = await connectNats({ url: natsUrl, name: 'bench-pipeline-streams' });
  try {
    const jsm = await jetstreamManager(nc);
    let total = 0;
    for await (const info of jsm.streams.list()) {
      if (info.config.name.startsWith(platform.prefix) && !info.config.name.endsWith('RAWPROBE'))
        total += info.state.messages;
    }
    return total;
  } finally {
    await nc.close();
  }
}

async function commits(platform: Platform): Promise<number> {
  const [row] = await platform.db.query<{ n: string }>(
    `SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()`,
  );
  return Number(row?.n ?? Number.NaN);
}

async function setUp(
  env: Omit<Env, 'actors' | 'raw'>,
): Promise<{ actors: Actors; municipalities: string[] }> {
  const { client, platform, context } = env;
  const admin = { authorization: `Bearer ${adminToken(platform.jwtSecret)}` };
  const account = async (email: string, displayName: string, role: string): Promise<Actor> => {
    await client.expect(
      201,
      'POST',
      '/api/v1/users',
      { email, displayName, role, password: PASSWORD },
      admin,
    );
    const pair = await client.expect(200, 'POST', '/api/v1/auth/login', { email, password: PASSWORD });
    const user = pair['user'] as { id: string };
    return { headers: { authorization: `Bearer ${String(pair['accessToken'])}` }, userId: user.id };
  };
  context.progress(
    'accounts: a program manager and two funding officers, signed in through /api/v1/auth/login',
  );
  const manager = await account('programm@bench.example', 'Paula Programm', 'program_manager');
  const reviewer = await account('foerderung@bench.example', 'Frank Förder', 'funding_officer');
  const approver = await account('foerderung2@bench.example', 'Fiona Förder', 'funding_officer');

  context.progress('municipalities: importing data/demo/municipalities.csv');
  const csv = readFileSync(`${REPO_ROOT}data/demo/municipalities.csv`, 'utf8');
  await client.expect(200, 'POST', '/api/v1/municipalities/import', csv, {
    ...admin,
    'content-type': 'text/csv',
  });
  const listed = await client.expect(200, 'GET', '/api/v1/municipalities?limit=100', undefined, admin);
  const all = listed['items'] as { id: string; ags: string }[];
  // Brandenburg: the programme's state.
  const municipalities = all
    .filter((m) => m.ags.startsWith('12'))
    .sort((a, b) => a.ags.localeCompare(b.ags))
    .map((m) => m.id);
  if (municipalities.length < env.settings.partners + 1)
    throw new Error(`only ${municipalities.length} Brandenburg municipalities to choose from`);

  context.progress('programme INVKG-BB with budget lines 2026–2029');
  const programme = await client.expect(
    201,
    'POST',
    '/api/v1/funding/programmes',
    {
      code: 'INVKG-BB',
      name: 'InvKG Arm 1 Brandenburg',
      legalBasis: 'Investitionsgesetz Kohleregionen (InvKG), §§ 1, 3 und 7',
      maxFundingRateBasisPoints: 9000,
      fundingPeriod: { firstYear: 2020, lastYear: 2038 },
      eligibleStateCodes: ['12'],
      eligibleRegions: ['lausitz'],
    },
    admin,
  );
  const { settings } = env;
  const allocations = Math.ceil(
    (settings.pipelineRate * (settings.pipelineWarmupMs + settings.pipelineMeasureMs)) / 1000,
  );
  // Twice what the allocations need: no budget threshold is crossed.
  const perYear = Math.ceil(allocations / YEARS.length + 10) * REQUESTED_CENTS * 2;
  for (const year of YEARS)
    await client.expect(
      201,
      'POST',
      `/api/v1/funding/programmes/${String(programme['id'])}/budget/amendments`,
      { kind: 'raise', year, amountCents: perYear, reason: 'Haushaltsplan' },
      admin,
    );
  const settled = await until(
    async () => {
      const [row] = await platform.db.query<{ p: number; m: number; n: number }>(
        `SELECT (SELECT count(*)::int FROM projects.programme_read_model WHERE code = 'INVKG-BB') AS p,
                (SELECT count(*)::int FROM projects.municipality_read_model) AS m,
                (SELECT count(*)::int FROM notifications.municipality_read_model) AS n`,
      );
      return row?.p === 1 && row.m === all.length && row.n === all.length;
    },
    30_000,
    200,
  );
  if (!settled) throw new Error('the read models of projects and notifications did not settle in 30 s');
  return { actors: { manager, reviewer, approver, admin }, municipalities };
}

/** E-mail contacts and webhook endpoints for every municipality proposals name, known to notifications when done. */
async function addDeliveryTargets(env: Env, municipalities: string[]): Promise<void> {
  const { client, settings, actors, sink } = env;
  for (const [n, id] of municipalities.entries()) {
    for (let c = 0; c < settings.contacts; c++)
      await client.expect(
        201,
        'POST',
        `/api/v1/municipalities/${id}/contacts`,
        {
          fullName: `Kontakt ${c + 1}`,
          role: 'Wirtschaftsförderung',
          email: `kontakt${c + 1}.${n}@gemeinde.example`,
          language: (n + c) % 2 === 0 ? 'de' : 'en',
        },
        actors.admin,
      );
    for (let w = 0; w < settings.webhooks; w++)
      await client.expect(
        201,
        'POST',
        `/api/v1/municipalities/${id}/webhooks`,
        { url: `${sink.webhookUrl}/${n}/${w}`, description: 'bench' },
        actors.admin,
      );
  }
  const contacts = municipalities.length * settings.contacts;
  const settled = await until(
    async () =>
      (
        await env.platform.db.query<{ c: number }>(
          `SELECT count(*)::int AS c FROM notifications.contact_read_model`,
        )
      )[0]?.c === contacts,
    30_000,
    200,
  );
  if (!settled) throw new Error('the contacts did not reach the notifications service in 30 s');
}

async function prepareDrafts(
  env: Omit<Env, 'raw'>,
  municipalities: string[],
  count: number,
): Promise<{ drafts: string[]; seconds: number }> {
  const { settings, client, actors } = env;
  env.context.progress(`preparing ${count} drafts (closed loop, ${settings.prepareConcurrency} at once)`);
  const drafts: string[] = new Array<string>(count);
  let next = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: settings.prepareConcurrency }, async () => {
      while (next < count) {
        const i = next++;
        const created = await client.expect(
          201,
          'POST',
          '/api/v1/projects',
          draftBody(i, municipalities, settings.partners),
          { ...actors.manager.headers, 'idempotency-key': randomUUID() },
        );
        drafts[i] = String(created['id']);
      }
    }),
  );
  return { drafts, seconds: (now() - started) / 1000 };
}

function group<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** Runs one phase: the open loop, the drain, and its sections of the report. */
async function runPhase(env: Env, phase: Phase): Promise<PhaseOutcome> {
  const { context, settings, platform, sink, sampler, client, actors, natsUrl, raw } = env;
  const report: Report = context.report;
  const { manager, reviewer, approver } = actors;
  const seenBefore = { notifications: sink.notifications.length, deliveries: sink.deliveries.length };
  const runs: Run[] = [];
  let requests = 0;
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  const send = (
    expected: number,
    actor: Actor,
    path: string,
    body: unknown,
    correlation: string,
  ): Promise<Record<string, unknown>> => {
    requests++;
    return client.expect(expected, 'POST', path, body, { ...actor.headers, 'x-correlation-id': correlation });
  };
  const pipeline = async (index: number): Promise<void> => {
    const proposalId = phase.drafts[index];
    const startedAt = now();
    const run: Run = {
      proposalId,
      measured: startedAt >= windowStart && startedAt < windowEnd,
      startedAt,
      startedWall: wallNow(),
      correlation: {
        submit: randomUUID(),
        startReview: randomUUID(),
        review: randomUUID(),
        endorse: randomUUID(),
        approve: randomUUID(),
      },
    };
    runs.push(run);
    const path = `/api/v1/projects/${proposalId}`;
    try {
      await send(200, manager, `${path}/submit`, {}, run.correlation.submit);
      run.submitted = now();
      if (!phase.full) return;
      await send(
        200,
        reviewer,
        `${path}/start-review`,
        { reviewDueDate: '2026-03-31' },
        run.correlation.startReview,
      );
      const review = await send(
        201,
        reviewer,
        `${path}/reviews`,
        { votum: 'endorse', scores: SCORES, comment: 'Empfohlen.' },
        run.correlation.review,
      );
      await send(200, reviewer, `${path}/endorse`, { reviewId: review['id'] }, run.correlation.endorse);
      run.endorsed = now();
      const allocation = await sink.allocationOf(proposalId, settings.drainTimeoutMs);
      run.allocationSeen = allocation.at;
      run.approveStarted = now();
      run.approveStartedWall = wallNow();
      const approved = await send(
        200,
        approver,
        `/api/v1/funding/allocations/${allocation.allocationId}/approve`,
        {},
        run.correlation.approve,
      );
      if (approved['status'] !== 'approved')
        throw new Error(`allocation ${allocation.allocationId} is ${String(approved['status'])}`);
      run.approved = now();
    } catch (error) {
      run.error = error instanceof Error ? error.message : String(error);
      throw error;
    }
  };

  context.progress(
    `phase ${phase.key}: ${phase.rate}/s for ${(phase.warmupMs + phase.measureMs) / 1000} s (the first ${phase.warmupMs / 1000} s warm-up), open loop; load average ${loadAverage()}`,
  );
  const loadLabel = `load ${phase.key}`;
  sampler.openWindow(loadLabel);
  const loopStarted = now();
  windowStart = loopStarted + phase.warmupMs;
  windowEnd = windowStart + phase.measureMs;
  let windowFigures: ReturnType<ProcessSampler['closeWindow']> | undefined;
  let machineWindow: ReturnType<typeof machineBetween> | undefined;
  let commitsInWindow = Number.NaN;
  let messagesInWindow = Number.NaN;
  let requestsInWindow = 0;
  let pgActivity: PgActivitySampler | undefined;
  const edges = (async () => {
    await sleep(Math.max(0, windowStart - now()));
    sampler.openWindow(phase.key);
    const machineBefore = machineTicks();
    const requestsBefore = requests;
    const [commitsBefore, messagesBefore] = await Promise.all([
      commits(platform),
      streamMessages(platform, natsUrl),
    ]);
    if (context.flag('profile')) pgActivity = await PgActivitySampler.start(platform.db.url);
    await sleep(Math.max(0, windowEnd - now()));
    windowFigures = sampler.closeWindow(phase.key);
    machineWindow = machineBetween(machineBefore, machineTicks());
    requestsInWindow = requests - requestsBefore;
    await pgActivity?.stop();
    const [commitsAfter, messagesAfter] = await Promise.all([
      commits(platform),
      streamMessages(platform, natsUrl),
    ]);
    commitsInWindow = commitsAfter - commitsBefore;
    messagesInWindow = messagesAfter - messagesBefore;
  })();
  const offered = await openLoop({
    ratePerSecond: phase.rate,
    durationMs: phase.warmupMs + phase.measureMs,
    maxInFlight: 5_000,
    operation: pipeline,
  });
  await edges;

  // --- drain: every notification and delivery the database holds for these proposals has been seen ---------------
  context.progress(`phase ${phase.key}: waiting for the last notifications and deliveries`);
  const proposalIds = runs.map((r) => r.proposalId);
  const drainStarted = now();
  let lastChange = now();
  let previous = -1;
  // Done when everything stored was seen and nothing new was stored for a moment.
  const drained = await until(
    async () => {
      await sink.flush();
      const [row] = await platform.db.query<{ n: number; d: number }>(
        `SELECT (SELECT count(*)::int FROM notifications.notification WHERE proposal_id = ANY($1)) AS n,
                (SELECT count(*)::int FROM notifications.delivery d JOIN notifications.notification n
                   ON n.id = d.notification_id WHERE n.proposal_id = ANY($1) AND d.status <> 'skipped') AS d`,
        [proposalIds],
      );
      const stored = (row?.n ?? 0) + (row?.d ?? 0);
      const seen =
        sink.notifications.length - seenBefore.notifications + sink.deliveries.length - seenBefore.deliveries;
      if (stored !== previous) {
        previous = stored;
        lastChange = now();
      }
      return seen >= stored && now() - lastChange > 2_000;
    },
    settings.drainTimeoutMs,
    250,
  );
  const drainSeconds = (now() - drainStarted) / 1000;
  const loadFigures = sampler.closeWindow(loadLabel);

  // --- figures ----------------------------------------------------------------------------------------------------
  const measured = runs.filter((r) => r.measured);
  const failed = runs.filter((r) => r.error);
  const notifications = sink.notifications.slice(seenBefore.notifications);
  const deliveries = sink.deliveries.slice(seenBefore.deliveries);
  const byCorrelation = group<SeenNotification>(notifications, (n) => n.correlationId);
  const eventAt = new Map(sink.events.map((e) => [`${e.correlationId} ${e.type}`, e.at]));
  const deliveriesOf = group<SeenDelivery>(deliveries, (d) => d.notificationId);
  // What the database holds per proposal and source event: in-app notifications, and deliveries by channel.
  const held = await platform.db.query<{
    proposal_id: string;
    source_event_type: string;
    in_app: number;
    email: number;
    webhook: number;
    last_created: string;
  }>(
    `SELECT n.proposal_id, n.source_event_type,
            count(DISTINCT n.id) FILTER (WHERE 'in-app' = ANY (n.channels))::int AS in_app,
            count(d.id) FILTER (WHERE d.channel = 'email')::int AS email,
            count(d.id) FILTER (WHERE d.channel = 'webhook')::int AS webhook,
            (extract(epoch FROM max(n.created_at) FILTER (WHERE 'in-app' = ANY (n.channels))) * 1000)::text AS last_created
     FROM notifications.notification n
     LEFT JOIN notifications.delivery d ON d.notification_id = n.id AND d.status <> 'skipped'
     WHERE n.proposal_id = ANY($1) AND n.source_event_type = ANY($2)
     GROUP BY n.proposal_id, n.source_event_type`,
    [measured.map((r) => r.proposalId), [SUBMITTED, APPROVED]],
  );
  const heldOf = new Map(held.map((h) => [`${h.proposal_id} ${h.source_event_type}`, h]));

  interface StageOutcome {
    inApp?: number;
    inAppLowerBound?: number;
    email?: number;
    webhook?: number;
    missing: number;
  }
  /** From `from` to the last in-app notification / e-mail / webhook of the event the request `correlation` caused. */
  const outcome = (
    run: Run,
    correlation: string,
    type: string,
    from: number,
    fromWall: number,
  ): StageOutcome => {
    const seen = (byCorrelation.get(correlation) ?? []).filter((n) => n.sourceEventType === type);
    const h = heldOf.get(`${run.proposalId} ${type}`);
    const result: StageOutcome = { missing: 0 };
    const inApp = seen.filter((n) => n.inApp);
    if (!h || h.in_app === 0 || inApp.length < h.in_app) result.missing++;
    else {
      result.inApp = Math.max(...inApp.map((n) => n.at)) - from;
      result.inAppLowerBound = Number(h.last_created) - fromWall;
    }
    for (const channel of ['email', 'webhook'] as const) {
      const expected = h?.[channel] ?? 0;
      if (expected === 0) continue;
      const arrived = seen.flatMap((n) =>
        (deliveriesOf.get(n.id) ?? []).filter((d) => d.channel === channel),
      );
      if (arrived.length < expected) result.missing++;
      else result[channel] = Math.max(...arrived.map((d) => d.at)) - from;
    }
    return result;
  };

  const stage: Record<string, number[]> = {};
  const push = (key: string, value: number | undefined): void => {
    if (value !== undefined && Number.isFinite(value)) (stage[key] ??= []).push(value);
  };
  let missingSubmitted = 0;
  let missingApproved = 0;
  for (const run of measured) {
    if (run.error) continue;
    push('submitAccepted', run.submitted! - run.startedAt);
    const submitted = outcome(run, run.correlation.submit, SUBMITTED, run.startedAt, run.startedWall);
    if (submitted.missing > 0) missingSubmitted++;
    push('submittedInApp', submitted.inApp);
    const submittedEvent = eventAt.get(`${run.correlation.submit} ${SUBMITTED}`);
    if (submittedEvent !== undefined && submitted.inApp !== undefined) {
      push('submittedEvent', submittedEvent - run.startedAt);
      push('submittedHandled', run.startedAt + submitted.inApp - submittedEvent);
    }
    push('submittedInAppLower', submitted.inAppLowerBound);
    push('submittedEmail', submitted.email);
    push('submittedWebhook', submitted.webhook);
    if (!phase.full) continue;
    push('review', run.endorsed! - run.submitted!);
    push('allocationRequested', run.allocationSeen! - run.endorsed!);
    push('approve', run.approved! - run.approveStarted!);
    const approved = outcome(
      run,
      run.correlation.approve,
      APPROVED,
      run.approveStarted!,
      run.approveStartedWall!,
    );
    if (approved.missing > 0) missingApproved++;
    push('approvedInApp', approved.inApp);
    const approvedEvent = eventAt.get(`${run.correlation.approve} ${APPROVED}`);
    if (approvedEvent !== undefined && approved.inApp !== undefined) {
      push('approvedEvent', approvedEvent - run.approveStarted!);
      push('approvedHandled', run.approveStarted! + approved.inApp - approvedEvent);
    }
    push('approvedInAppLower', approved.inAppLowerBound);
    push('approvedEmail', approved.email);
    push('approvedWebhook', approved.webhook);
    const offset = run.approveStarted! - run.startedAt;
    if (approved.inApp !== undefined) push('endToEndInApp', offset + approved.inApp);
    if (approved.missing === 0 && approved.inApp !== undefined)
      push('endToEndAll', offset + Math.max(approved.inApp, approved.email ?? 0, approved.webhook ?? 0));
  }
  const d = (key: string): Distribution => distribution(stage[key] ?? []);
  const seconds = windowFigures?.seconds ?? phase.measureMs / 1000;
  const inWindow = (t: number | undefined): boolean => t !== undefined && t >= windowStart && t < windowEnd;
  const submittedInWindow = runs.filter((r) => inWindow(r.submitted)).length;
  const approvedInWindow = runs.filter((r) => inWindow(r.approved)).length;
  const notificationsInWindow = notifications.filter((n) => inWindow(n.at)).length;
  const deliveriesInWindow = deliveries.filter((x) => inWindow(x.at)).length;

  const k = phase.key;
  report.startSection(`${k}. ${phase.title}`);
  report.figure(`${k}.load.started`, 'proposals started (warm-up + measured)', offered.started);
  report.figure(`${k}.load.measured`, 'proposals started in the measured window', measured.length);
  report.figure(`${k}.load.failed`, 'proposals failed (any step)', failed.length);
  report.figure(
    `${k}.load.skipped`,
    'proposals not started (in-flight limit)',
    offered.skippedForInFlightLimit,
  );
  report.figure(
    `${k}.load.drain`,
    `after the last submission until everything stored was seen${drained ? '' : ' (timed out)'}`,
    drainSeconds,
    's',
    1,
  );
  report.figure(
    `${k}.tp.submissions`,
    'submissions accepted in the window',
    submittedInWindow / seconds,
    '/s',
    1,
  );
  if (phase.full)
    report.figure(
      `${k}.tp.approved`,
      'allocations approved in the window',
      approvedInWindow / seconds,
      '/s',
      1,
    );
  report.figure(`${k}.tp.requests`, 'HTTP requests to the gateway', requestsInWindow / seconds, 'req/s', 0);
  report.figure(
    `${k}.tp.notifications`,
    'notifications stored (every recipient)',
    notificationsInWindow / seconds,
    '/s',
    0,
  );
  report.figure(`${k}.tp.deliveries`, 'e-mails + webhooks received', deliveriesInWindow / seconds, '/s', 0);
  report.figure(
    `${k}.tp.commits`,
    "PostgreSQL commits (the run's database)",
    commitsInWindow / seconds,
    '/s',
    0,
  );
  report.figure(
    `${k}.tp.events`,
    'events published to JetStream (every service)',
    messagesInWindow / seconds,
    'msg/s',
    0,
  );

  const rows: [string, string][] = [
    ['submitAccepted', 'submit answered (POST …/submit)'],
    ['submittedInApp', 'submit → every in-app notification of "submitted" stored'],
    ['submittedInAppLower', "    same, by the last row's created_at (lower bound)"],
    ['submittedEvent', '    of it: submit → "submitted" event on NATS (projects and its relay)'],
    ['submittedHandled', '    of it: event → stored (notifications and its relay)'],
    ['submittedEmail', 'submit → every e-mail of "submitted" received'],
    ['submittedWebhook', 'submit → every webhook of "submitted" received'],
  ];
  if (phase.full)
    rows.push(
      ['review', 'start-review + review + endorse answered'],
      ['allocationRequested', 'endorse answered → allocation requested (event seen)'],
      ['approve', 'approve answered'],
      ['approvedInApp', 'approve → every in-app notification of "approved" stored'],
      ['approvedInAppLower', "    same, by the last row's created_at (lower bound)"],
      ['approvedEvent', '    of it: approve → "approved" event on NATS (funding and its relay)'],
      ['approvedHandled', '    of it: event → stored (notifications and its relay)'],
      ['approvedEmail', 'approve → every e-mail of "approved" received'],
      ['approvedWebhook', 'approve → every webhook of "approved" received'],
      ['endToEndInApp', 'end to end: submit → "approved" stored in-app'],
      ['endToEndAll', 'end to end: submit → "approved" on every channel'],
    );
  for (const [key, label] of rows) {
    const dist = d(key);
    if (dist.count === 0 && /Email|Webhook/.test(key)) continue;
    report.figure(`${k}.stage.${key}`, `${label}, p50 / p99 / max (n=${dist.count})`, fmt(dist), 'ms');
  }
  report.figure(
    `${k}.missing.submitted`,
    'measured proposals with a "submitted" notification or delivery not seen',
    missingSubmitted,
  );
  if (phase.full)
    report.figure(
      `${k}.missing.approved`,
      'measured proposals with an "approved" notification or delivery not seen',
      missingApproved,
    );

  const peakRssMB: Record<string, number> = {};
  for (const app of PLATFORM_APPS) {
    const load = loadFigures.processes[app];
    peakRssMB[app] = (load.peakRssMiB * 2 ** 20) / 1e6;
    report.figure(
      `${k}.proc.${app}`,
      `${app}: peak RSS in the phase / VmHWM since start (MB) / CPU in the window (% of a core)`,
      `${peakRssMB[app].toFixed(0)} / ${((load.hwmMiB * 2 ** 20) / 1e6).toFixed(0)} / ${(windowFigures?.processes[app]?.cpuPercent ?? Number.NaN).toFixed(0)}`,
    );
  }
  if (windowFigures && machineWindow) {
    const g = windowFigures.groupsCpuPercent;
    report.figure(
      `${k}.proc.servers`,
      'CPU % of postgres / nats-server / redis-server / the bench process',
      [g['postgres'], g['nats-server'], g['redis-server'], windowFigures.selfCpuPercent]
        .map((v) => (v ?? Number.NaN).toFixed(0))
        .join(' / '),
    );
    const ours =
      PLATFORM_APPS.reduce((sum, a) => sum + (windowFigures!.processes[a]?.cpuPercent ?? 0), 0) +
      (g['postgres'] ?? 0) +
      (g['nats-server'] ?? 0) +
      (g['redis-server'] ?? 0) +
      windowFigures.selfCpuPercent;
    const other = Math.max(0, machineWindow.busyPercent - ours);
    report.figure(
      `${k}.proc.machine`,
      'machine busy / of it other work / idle (% of one core; 2 cores = 200)',
      `${machineWindow.busyPercent.toFixed(0)} / ${other.toFixed(0)} / ${machineWindow.idlePercent.toFixed(0)}`,
    );
    if (other > 25)
      report.note(
        `Phase ${k}: other processes used ${other.toFixed(0)} % of a core in the window; the figures are pessimistic.`,
      );
    report.figure(
      `${k}.cpuPerProposal`,
      "CPU per proposal, all of the run's processes and servers",
      (ours * 10) / Math.max(1, submittedInWindow / seconds),
      'ms',
      1,
    );
  }

  // In a steady state every submission of the window is carried through the phase's steps.
  const per = (value: number): number => value / Math.max(1, submittedInWindow);
  report.figure(
    `${k}.cost`,
    'per proposal: HTTP requests / PostgreSQL commits / JetStream events',
    `${per(requestsInWindow).toFixed(1)} / ${per(commitsInWindow).toFixed(1)} / ${per(messagesInWindow).toFixed(1)}`,
  );
  report.figure(
    `${k}.ratio`,
    'pipeline ÷ raw: requests/s ÷ hello world, commits/s ÷ raw, events/s ÷ raw',
    `${(requestsInWindow / seconds / raw.http.perSecond).toFixed(4)} / ${(commitsInWindow / seconds / raw.pg.perSecond).toFixed(4)} / ${(messagesInWindow / seconds / raw.js.perSecond).toFixed(4)}`,
  );
  report.figure(
    `${k}.bound`,
    'proposals/s the raw limits would carry at these costs: HTTP / PostgreSQL / JetStream',
    `${(raw.http.perSecond / per(requestsInWindow)).toFixed(0)} / ${(raw.pg.perSecond / per(commitsInWindow)).toFixed(0)} / ${(raw.js.perSecond / per(messagesInWindow)).toFixed(0)}`,
    '/s',
  );
  if (failed.length > 0) report.note(`Phase ${k}: first failure: ${failed[0].error}`);

  if (pgActivity) {
    report.startSection(
      `${k}. profile: PostgreSQL backends by statement (${pgActivity.samples} samples of pg_stat_activity)`,
    );
    for (const [i, e] of pgActivity.top(20).entries())
      report.figure(
        `${k}.pg.activity.${i}`,
        `${e.application} ${e.state}${e.wait ? ` (${e.wait})` : ''}: ${e.query.slice(0, 110)}`,
        e.meanBackends,
        'backends',
        2,
      );
    for (const t of await sequentialScans((sql) => platform.db.query(sql)))
      report.figure(
        `${k}.pg.seq.${t.table}`,
        `${t.table}: seq scans / rows they read / index scans / dead rows`,
        `${t.seqScans} / ${t.rowsRead} / ${t.indexScans} / ${t.deadRows}`,
      );
  }
  const complete =
    missingSubmitted === 0 && failed.length === 0 && offered.skippedForInFlightLimit === 0 && drained;
  return { submitToStored: d('submittedInApp'), complete, peakRssMB };
}

runSuite(
  'pipeline',
  'pipeline: proposals through submit → endorse → approve → notifications, the five apps as processes',
  async (context) => {
    const { report } = context;
    const settings: Settings = {
      rate: context.numberOption('rate', 100),
      warmupMs: context.numberOption('warmup-ms', 5_000),
      measureMs: context.numberOption('measure-ms', 30_000),
      pipelineRate: context.numberOption('pipeline-rate', 5),
      pipelineWarmupMs: context.numberOption('pipeline-warmup-ms', 5_000),
      pipelineMeasureMs: context.numberOption('pipeline-measure-ms', 30_000),
      drainTimeoutMs: context.numberOption('drain-timeout-ms', 120_000),
      partners: context.numberOption('partners', 2),
      contacts: Number(context.option('contacts') ?? 1),
      webhooks: Number(context.option('webhooks') ?? 1),
      logLevel: context.option('log-level') ?? 'warn',
      cpuProfileDir: context.option('cpu-prof-dir') ?? '',
      baselineConcurrency: context.numberOption('baseline-concurrency', 16),
      baselineWarmupMs: context.numberOption('baseline-warmup-ms', 1_000),
      baselineMs: context.numberOption('baseline-ms', 5_000),
      prepareConcurrency: context.numberOption('prepare-concurrency', 8),
      sockets: context.numberOption('sockets', 256),
      phases: context.option('phases') ?? 'AB',
    };
    if (!/^[AB]+$/.test(settings.phases)) throw new Error('--phases must be A, B or AB');
    Object.assign(report.settings, settings);
    const natsUrl = testSettings().NATS_URL;

    let interrupted = false;
    const stop = (): void => {
      interrupted = true;
      context.progress('interrupted; cleaning up');
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const checkInterrupted = (): void => {
      if (interrupted) throw new Error('interrupted');
    };

    const prefix = `benchpipe${randomUUID().replaceAll('-', '').slice(0, 10)}`;
    const sink = await Sink.start({ natsUrl, prefix });
    const sampler = new ProcessSampler();
    let platform: Platform | undefined;
    let client: JsonClient | undefined;
    try {
      context.progress(`load average before start: ${loadAverage()}`);
      report.settings['loadAverageAtStart'] = loadAverage();
      platform = await startPlatform({
        logLevel: settings.logLevel,
        prefix,
        nodeArgs: settings.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}`] : [],
        progress: (m) => context.progress(m),
        extraEnv: {
          notifications: {
            SMTP_URL: sink.smtpUrl,
            PUBLIC_API_URL: 'https://wandelwerk.example',
            WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
          },
        },
      });
      for (const app of PLATFORM_APPS) sampler.track(app, platform.apps[app].child.pid!);
      sampler.start();
      const [version] = await platform.db.query<{ v: string }>(
        `SELECT current_setting('server_version') AS v`,
      );
      report.servers['PostgreSQL'] = version?.v ?? 'unknown';
      client = new JsonClient(platform.apps.gateway.url, settings.sockets);
      const partial = { context, settings, platform, sink, sampler, client, natsUrl };
      const { actors, municipalities } = await setUp(partial);
      checkInterrupted();

      const count = (rate: number, warmupMs: number, measureMs: number): number =>
        Math.ceil((rate * (warmupMs + measureMs)) / 1000);
      const countA = settings.phases.includes('A')
        ? count(settings.rate, settings.warmupMs, settings.measureMs)
        : 0;
      const countB = settings.phases.includes('B')
        ? count(settings.pipelineRate, settings.pipelineWarmupMs, settings.pipelineMeasureMs)
        : 0;
      const prepared = await prepareDrafts({ ...partial, actors }, municipalities, countA + countB);
      checkInterrupted();

      // --- the raw limits, with the platform idle --------------------------------------------------------------
      await sleep(2_000);
      const loop = {
        concurrency: settings.baselineConcurrency,
        warmupMs: settings.baselineWarmupMs,
        measureMs: settings.baselineMs,
      };
      context.progress('baseline: PostgreSQL single-row INSERT + COMMIT');
      const rawPg = await postgresCommits(platform.db.url, loop);
      checkInterrupted();
      context.progress('baseline: JetStream acknowledged publishes');
      const rawJs = await jetstreamPublishes(natsUrl, prefix, JSON.stringify(proposalSubmittedFixture), loop);
      checkInterrupted();
      context.progress('baseline: Fastify hello world');
      const rawHttp = await fastifyHelloWorld(loop);
      checkInterrupted();
      const env: Env = { ...partial, actors, raw: { pg: rawPg, js: rawJs, http: rawHttp } };

      report.startSection(
        `set-up and the raw limits of this machine (same run, platform idle; ${settings.baselineConcurrency} at once, closed loop, ${settings.baselineMs / 1000} s each)`,
      );
      report.figure('setup.drafts', 'drafts created through the gateway before the phases', countA + countB);
      report.figure(
        'setup.draftsPerSecond',
        '    at (closed loop)',
        (countA + countB) / prepared.seconds,
        '/s',
      );
      const baselineRow = (key: string, label: string, b: Baseline, unit: string): void => {
        report.figure(`raw.${key}`, label, b.perSecond, unit);
        report.figure(
          `raw.${key}.latency`,
          '    latency p50 / p99',
          `${b.latency.p50.toFixed(2)} / ${b.latency.p99.toFixed(2)}`,
          'ms',
        );
      };
      baselineRow('pg', 'PostgreSQL single-row INSERT + COMMIT', rawPg, 'commits/s');
      baselineRow('js', 'JetStream publish, acknowledged (file storage)', rawJs, 'msg/s');
      baselineRow('http', 'Fastify hello world, same HTTP client', rawHttp, 'req/s');
      await sleep(1_000);

      const outcomes: PhaseOutcome[] = [];
      let a: PhaseOutcome | undefined;
      if (countA > 0) {
        a = await runPhase(env, {
          key: 'A',
          title: `submissions at ${settings.rate}/s (open loop, ${settings.measureMs / 1000} s after ${settings.warmupMs / 1000} s warm-up), in-app only`,
          full: false,
          rate: settings.rate,
          warmupMs: settings.warmupMs,
          measureMs: settings.measureMs,
          drafts: prepared.drafts.slice(0, countA),
        });
        outcomes.push(a);
        checkInterrupted();
      }
      if (countB > 0) {
        if (settings.contacts > 0 || settings.webhooks > 0) {
          context.progress(
            `adding ${settings.contacts} contact(s) and ${settings.webhooks} webhook(s) per municipality`,
          );
          await addDeliveryTargets(env, municipalities);
        }
        await sleep(1_000);
        outcomes.push(
          await runPhase(env, {
            key: 'B',
            title: `the whole pipeline at ${settings.pipelineRate}/s (open loop, ${settings.pipelineMeasureMs / 1000} s after ${settings.pipelineWarmupMs / 1000} s warm-up); per municipality ${settings.contacts} e-mail contact(s), ${settings.webhooks} webhook(s)`,
            full: true,
            rate: settings.pipelineRate,
            warmupMs: settings.pipelineWarmupMs,
            measureMs: settings.pipelineMeasureMs,
            drafts: prepared.drafts.slice(countA),
          }),
        );
      }

      const warnings = PLATFORM_APPS.map((app) => `${app} ${platform!.apps[app].warningCount}`).join(', ');
      report.startSection('logs');
      report.figure('log.warnings', 'log lines at warn or above, per app', warnings);
      for (const app of PLATFORM_APPS)
        for (const line of platform.apps[app].warnings.slice(0, 3)) report.note(`${app}: ${line}`);

      // --- targets ------------------------------------------------------------------------------------------------
      if (a) {
        report.target(
          'submitToStoredP99',
          `submit → all in-app notifications stored, p99 at ${settings.rate}/s`,
          a.complete ? a.submitToStored.p99 : Number.POSITIVE_INFINITY,
          '<=',
          TARGET_SUBMIT_TO_STORED_P99_MS,
          'ms',
          1,
        );
        if (!a.complete)
          report.note(
            'Phase A was not complete (failures, notifications not seen, or the drain timed out): the latency target counts as missed.',
          );
      }
      for (const app of PLATFORM_APPS)
        report.target(
          `peakRss.${app}`,
          `${app}: peak resident memory under load (phases ${settings.phases})`,
          Math.max(...outcomes.map((o) => o.peakRssMB[app] ?? 0)),
          '<=',
          TARGET_PEAK_RSS_MB,
          'MB',
          0,
        );
      report.note(
        "Stored = the notification.created event of the last in-app notification of the event seen on NATS (written in the notifications' transaction, published by its outbox relay after the commit): an upper bound; the created_at line is the lower bound.",
      );
      report.note(
        `Apps log at ${settings.logLevel}; one approval per allocation (below the four-eyes threshold); reviewer and approver are different funding officers; ${settings.partners} partner municipalities per proposal.`,
      );
      report.note(
        `Load average at the start: ${String(report.settings['loadAverageAtStart'])}; at the end: ${loadAverage()}.`,
      );
    } finally {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      sampler.stop();
      client?.close();
      await sink.close().catch(() => undefined);
      const cleaned = await platform?.dispose().catch((error: unknown) => {
        context.progress(`clean-up failed: ${String(error)}`);
        return undefined;
      });
      context.progress(
        `cleaned up (apps stopped, database, NATS streams, ${cleaned?.redisKeys ?? 0} Redis keys)`,
      );
    }
  },
);
