import { randomInt, randomUUID } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import { Worker } from 'node:worker_threads';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import nodemailer from 'nodemailer';
import {
  buildCloudEvent,
  contactAddedFixture,
  municipalityRegisteredFixture,
  NOTIFICATIONS_RPC,
  proposalSubmittedFixture,
  type ActorDto,
  type CloudEvent,
  type ProposalDetails,
  type ProposalSubmittedEvent,
  type WebhookWithSecretDto,
} from '@wandelwerk/contracts';
import { subjectOf } from '@wandelwerk/messaging';
import { NotificationsSettings, notificationsBlueprint } from '@wandelwerk/notifications/blueprint';
import { SETTINGS } from '@wandelwerk/platform';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import type { FromReceivers, ReceiversWorkerData } from './notifications/receivers-worker.js';
import { runSuite, type Report, type SuiteContext } from './support/report.js';
import { distribution, now, openLoop, sleep, until } from './support/stats.js';

/*
 * The notifications suite. The notifications service runs as in production (its blueprint, JetStream transport with
 * inbox, outbox relay, BullMQ delivery workers) in this process; the SMTP server and the webhook receiver run in a
 * worker thread. Measured:
 *   - event published → in-app notification stored: from before the JetStream publish of a proposal event to the
 *     moment its `notifications.notification.created.v1` (written in the same transaction as the notifications,
 *     published by the outbox relay after the commit) arrives on a core NATS subscription: an upper bound of
 *     "stored", and the moment a live (SSE) push can happen. Baseline: a raw JetStream publish → pull-consumer round
 *     trip at the same rate.
 *   - e-mails and webhooks delivered per second: a burst of events, each fanning out to several contacts or
 *     endpoints, until the receivers counted every one. Baselines: raw nodemailer sends (the service's transport
 *     options) and raw HTTP POSTs (the same body size), as many at once as the service's delivery workers, to the
 *     same receivers.
 */

const ADMIN: ActorDto = { userId: randomUUID(), role: 'admin', municipalityId: null };
/** The delivery processor's BullMQ worker concurrency (apps/notifications deliveries). */
const DELIVERY_CONCURRENCY = 8;

interface Receivers {
  smtpUrl: string;
  webhookUrl: string;
  mails(): number;
  webhooks(): number;
  close(): Promise<void>;
}

async function startReceivers(): Promise<Receivers> {
  const counters = new SharedArrayBuffer(8);
  const view = new Int32Array(counters);
  const worker = new Worker(new URL('./notifications/receivers-worker.js', import.meta.url), {
    workerData: { counters } satisfies ReceiversWorkerData,
  });
  const ready = await new Promise<FromReceivers>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    smtpUrl: ready.smtpUrl,
    webhookUrl: ready.webhookUrl,
    mails: () => Atomics.load(view, 0),
    webhooks: () => Atomics.load(view, 1),
    close: async () => {
      await worker.terminate();
    },
  };
}

/** Municipalities of one phase, registered through their events (and contacts, if any). */
interface Group {
  ids: string[];
}

function submitted(group: Group): CloudEvent<ProposalSubmittedEvent> {
  const base = proposalSubmittedFixture.data.proposal;
  const [lead, ...partners] = group.ids;
  const ref = (municipalityId: string, costShareBasisPoints: number) => ({
    municipalityId,
    ags: base.leadMunicipality.ags,
    name: base.leadMunicipality.name,
    costShareBasisPoints,
  });
  const proposal: ProposalDetails = {
    ...base,
    leadMunicipality: ref(lead, 10_000 - 1000 * partners.length),
    partners: partners.map((id) => ref(id, 1000)),
  };
  return buildCloudEvent({
    type: proposalSubmittedFixture.type,
    subject: randomUUID(),
    data: { ...proposalSubmittedFixture.data, proposal },
    correlationId: randomUUID(),
    causationId: null,
  });
}

async function phaseSetup(
  t: TestService,
  publish: (event: CloudEvent) => Promise<void>,
  size: number,
  contactsEach: number,
): Promise<Group> {
  const ids = Array.from({ length: size }, () => randomUUID());
  for (const id of ids) {
    await publish(
      buildCloudEvent({
        type: municipalityRegisteredFixture.type,
        subject: id,
        data: {
          ...municipalityRegisteredFixture.data,
          ags: `12${String(randomInt(0, 999_999)).padStart(6, '0')}`,
        },
        correlationId: randomUUID(),
        causationId: null,
      }),
    );
    for (let c = 0; c < contactsEach; c++)
      await publish(
        buildCloudEvent({
          type: contactAddedFixture.type,
          subject: randomUUID(),
          data: {
            ...contactAddedFixture.data,
            municipalityId: id,
            email: `kontakt${c}@${id.slice(0, 8)}.example`,
            language: c % 2 === 0 ? 'de' : 'en',
          },
          correlationId: randomUUID(),
          causationId: null,
        }),
      );
  }
  const known = await until(async () => {
    const [row] = await t.db.query<{ m: number; c: number }>(
      `SELECT (SELECT count(*)::int FROM notifications.municipality_read_model WHERE id = ANY($1)) AS m,
              (SELECT count(*)::int FROM notifications.contact_read_model WHERE municipality_id = ANY($1)) AS c`,
      [ids],
    );
    return row?.m === size && row.c === size * contactsEach;
  }, 20_000);
  if (!known) throw new Error('the read models did not take up the municipalities');
  return { ids };
}

/** Publishes `count` events at once and measures until the receiver counted `perEvent` deliveries of each. */
async function burst(
  publish: (event: CloudEvent) => Promise<void>,
  group: Group,
  count: number,
  perEvent: number,
  counted: () => number,
  timeoutMs: number,
): Promise<{ delivered: number; seconds: number; perSecond: number; complete: boolean }> {
  const before = counted();
  const expected = count * perEvent;
  const started = now();
  const events = Array.from({ length: count }, () => submitted(group));
  // A few publishes in flight: the producing side is not what is measured.
  for (let i = 0; i < events.length; i += 32) await Promise.all(events.slice(i, i + 32).map(publish));
  const complete = await until(() => counted() - before >= expected, timeoutMs, 5);
  const seconds = (now() - started) / 1000;
  const delivered = counted() - before;
  return { delivered, seconds, perSecond: delivered / seconds, complete };
}

/** Runs `total` operations, `concurrency` at a time; resolves with operations per second. */
async function pool(
  total: number,
  concurrency: number,
  operation: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await operation(next++);
    }),
  );
  return total / ((now() - started) / 1000);
}

async function measureLatency(
  ctx: SuiteContext,
  report: Report,
  t: TestService,
  publish: (event: CloudEvent) => Promise<void>,
  group: Group,
): Promise<void> {
  const rate = ctx.numberOption('rate', 50);
  const measureMs = ctx.numberOption('measure-ms', 10_000);
  const warmupMs = ctx.numberOption('warmup-ms', 2_000);
  const seen = new Map<string, number>();
  const sub = t.topo.nc.subscribe(subjectOf(t.topo.prefix, 'notifications.notification.created.v1'), {
    callback: (error, msg) => {
      if (error) return;
      const causation = (msg.json<CloudEvent>() as { causationid?: string }).causationid;
      if (causation && !seen.has(causation)) seen.set(causation, now());
    },
  });
  const publishedAt = new Map<string, number>();
  const run = async (durationMs: number, record: boolean) => {
    await openLoop({
      ratePerSecond: rate,
      durationMs,
      maxInFlight: 256,
      operation: async () => {
        const event = submitted(group);
        if (record) publishedAt.set(event.id, now());
        await publish(event);
      },
    });
  };
  ctx.progress(`event → in-app: ${rate} events/s, ${warmupMs} ms warm-up, ${measureMs} ms measured`);
  await run(warmupMs, false);
  await run(measureMs, true);
  await until(() => [...publishedAt.keys()].every((id) => seen.has(id)), 20_000);
  sub.unsubscribe();
  const latencies = [...publishedAt].flatMap(([id, at]) => (seen.has(id) ? [seen.get(id)! - at] : []));
  const platform = distribution(latencies);

  // Baseline: the same rate of the same events through a bare stream and pull consumer (publish with ack → consumed).
  const js = jetstream(t.topo.nc);
  const jsm = await jetstreamManager(t.topo.nc);
  const stream = `BENCH_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  await jsm.consumers.add(stream, { durable_name: 'baseline', ack_policy: AckPolicy.Explicit });
  const consumer = await js.consumers.get(stream, 'baseline');
  const consumed = new Map<string, number>();
  const messages = await consumer.consume();
  const consuming = (async () => {
    for await (const m of messages) {
      consumed.set(m.subject.slice(stream.length + 1), now());
      m.ack();
    }
  })();
  const sentAt = new Map<string, number>();
  await openLoop({
    ratePerSecond: rate,
    durationMs: measureMs,
    maxInFlight: 256,
    operation: async () => {
      const event = submitted(group);
      const key = event.id;
      sentAt.set(key, now());
      await js.publish(`${stream}.${key}`, JSON.stringify(event));
    },
  });
  await until(() => consumed.size >= sentAt.size, 10_000);
  await messages.close();
  await consuming;
  await jsm.streams.delete(stream);
  const baseline = distribution(
    [...sentAt].flatMap(([k, at]) => (consumed.has(k) ? [consumed.get(k)! - at] : [])),
  );

  report.startSection(
    `event published → in-app notification stored (${rate} events/s, 3 municipalities each)`,
  );
  report.figure('inapp.events', 'events measured', platform.count, 'events');
  report.figure('inapp.p50', 'platform p50', platform.p50, 'ms', 1);
  report.figure('inapp.p99', 'platform p99', platform.p99, 'ms', 1);
  report.figure('inapp.max', 'platform max', platform.max, 'ms', 1);
  report.figure(
    'inapp.baseline.p50',
    'baseline p50 (raw JetStream publish → consume)',
    baseline.p50,
    'ms',
    1,
  );
  report.figure(
    'inapp.baseline.p99',
    'baseline p99 (raw JetStream publish → consume)',
    baseline.p99,
    'ms',
    1,
  );
  report.figure('inapp.ratio.p50', 'platform p50 / baseline p50', platform.p50 / baseline.p50, '×', 1);
  report.figure('inapp.ratio.p99', 'platform p99 / baseline p99', platform.p99 / baseline.p99, '×', 1);
  report.figure(
    'inapp.unseen',
    'events without a notification in time',
    publishedAt.size - platform.count,
    'events',
  );
}

runSuite('notifications', 'Notifications: event → in-app, e-mails and webhooks per second', async (ctx) => {
  const { report } = ctx;
  const receivers = await startReceivers();
  const t = await startTestService(NotificationsSettings, notificationsBlueprint, {
    SMTP_URL: receivers.smtpUrl,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    LOG_LEVEL: 'error',
  });
  const settings = t.service.app.get<NotificationsSettings>(SETTINGS);
  report.settings['EVENT_CONCURRENCY'] = settings.EVENT_CONCURRENCY;
  report.settings['deliveryWorkerConcurrency'] = DELIVERY_CONCURRENCY;
  report.settings['DISPATCH_POLL_MS'] = settings.DISPATCH_POLL_MS;
  const js = jetstream(t.topo.nc);
  const publish = async (event: CloudEvent): Promise<void> => {
    await js.publish(subjectOf(t.topo.prefix, event.type), JSON.stringify(event), { msgID: event.id });
  };
  try {
    ctx.progress('registering municipalities, contacts and webhook endpoints');
    const inApp = await phaseSetup(t, publish, 3, 0);
    const mailed = await phaseSetup(t, publish, 3, 2);
    const hooked = await phaseSetup(t, publish, 3, 0);
    const webhooksEach = 2;
    for (const municipalityId of hooked.ids)
      for (let i = 0; i < webhooksEach; i++)
        await t.rpc.request<WebhookWithSecretDto>(NOTIFICATIONS_RPC.createWebhook, {
          actor: ADMIN,
          municipalityId,
          data: { url: receivers.webhookUrl },
        });

    await measureLatency(ctx, report, t, publish, inApp);

    // E-mails: each event reaches 3 municipalities × 2 contacts.
    const mailEvents = ctx.numberOption('mail-events', 300);
    ctx.progress(`e-mails: ${mailEvents} events × 6 contacts`);
    const mails = await burst(publish, mailed, mailEvents, 6, () => receivers.mails(), 120_000);
    // The service's transport options: a pool of one connection per delivery worker.
    const mailer = nodemailer.createTransport({
      url: receivers.smtpUrl,
      pool: true,
      maxConnections: DELIVERY_CONCURRENCY,
      maxMessages: 100,
    });
    const sample = {
      subject: 'Projekt „Niederlausitzhalle Senftenberg“: eingereicht',
      text: 'x'.repeat(600),
      html: `<p>${'x'.repeat(1200)}</p>`,
    };
    const rawMails = await pool(Math.max(mails.delivered, 1000), DELIVERY_CONCURRENCY, async (i) => {
      await mailer.sendMail({ from: settings.SMTP_FROM, to: `raw${i}@bench.example`, ...sample });
    });
    mailer.close();
    report.startSection('e-mails delivered (SMTP server in a worker thread)');
    report.figure('mail.count', 'e-mails delivered', mails.delivered, 'mails');
    report.figure('mail.complete', 'all delivered within the time limit', mails.complete ? 'yes' : 'no', '');
    report.figure('mail.rate', 'platform: event published → SMTP accepted', mails.perSecond, 'mails/s', 0);
    report.figure(
      'mail.baseline',
      `baseline: raw nodemailer (pooled), ${DELIVERY_CONCURRENCY} at once`,
      rawMails,
      'mails/s',
      0,
    );
    report.figure('mail.ratio', 'platform / baseline', mails.perSecond / rawMails, '×', 2);

    // Webhooks: each event reaches 3 municipalities × 2 endpoints.
    const hookEvents = ctx.numberOption('webhook-events', 300);
    ctx.progress(`webhooks: ${hookEvents} events × ${3 * webhooksEach} endpoints`);
    const hooks = await burst(
      publish,
      hooked,
      hookEvents,
      3 * webhooksEach,
      () => receivers.webhooks(),
      120_000,
    );
    const body = JSON.stringify(submitted(hooked));
    const agent = new Agent({ keepAlive: true, maxSockets: DELIVERY_CONCURRENCY });
    const target = new URL(receivers.webhookUrl);
    const rawHooks = await pool(
      Math.min(hooks.delivered, 3000),
      DELIVERY_CONCURRENCY,
      () =>
        new Promise<void>((resolve, reject) => {
          const req = httpRequest(
            target,
            {
              method: 'POST',
              agent,
              headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
            },
            (res) => {
              res.resume();
              res.on('end', resolve);
            },
          );
          req.on('error', reject);
          req.end(body);
        }),
    );
    agent.destroy();
    report.startSection('webhooks delivered (HTTP receiver in a worker thread)');
    report.figure('webhook.count', 'webhooks delivered', hooks.delivered, 'requests');
    report.figure(
      'webhook.complete',
      'all delivered within the time limit',
      hooks.complete ? 'yes' : 'no',
      '',
    );
    report.figure(
      'webhook.rate',
      'platform: event published → receiver answered',
      hooks.perSecond,
      'webhooks/s',
      0,
    );
    report.figure(
      'webhook.baseline',
      `baseline: raw HTTP POSTs, ${DELIVERY_CONCURRENCY} at once`,
      rawHooks,
      'requests/s',
      0,
    );
    report.figure('webhook.ratio', 'platform / baseline', hooks.perSecond / rawHooks, '×', 2);

    report.note(
      'The platform figures include everything between the event and the receiver: inbox transaction, recipients, ' +
        'notification and delivery rows, outbox, dispatch to BullMQ, claim, rendering or signing, send, result row and event.',
    );
    report.note(
      'Everything shares one machine: PostgreSQL, NATS, Redis, the service, the receivers and the load.',
    );
    await sleep(200);
  } finally {
    await t.dispose();
    await receivers.close();
  }
});
