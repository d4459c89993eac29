import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type {
  CloudEvent,
  NotificationDeliveriesDto,
  NotificationDto,
  WebhookDto,
  WebhookWithSecretDto,
} from '@wandelwerk/contracts';
import {
  startWebhookReceiver,
  type ReceivedWebhook,
  type WebhookReceiver,
} from '@wandelwerk/notifications/testing';
import { waitFor } from '@wandelwerk/testing';
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  AGS,
  PARTNER_CONTACT_EMAIL,
  startNotificationsPlatform,
  type NotificationsPlatform,
} from './support/notifications-platform.js';

/**
 * What a receiver does, written from the Standard Webhooks specification (not with the platform's own code): the
 * key is the base64 after `whsec_`; the signature is HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>`;
 * `webhook-signature` lists `v1,<base64>` entries separated by spaces; stale timestamps are refused.
 */
function verifiedBy(secret: string, received: ReceivedWebhook): boolean {
  const id = received.headers['webhook-id'];
  const timestamp = received.headers['webhook-timestamp'];
  const signatures = received.headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = Buffer.from(
    `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${received.body}`).digest('base64')}`,
  );
  return signatures
    .split(' ')
    .some((s) => Buffer.byteLength(s) === expected.length && timingSafeEqual(Buffer.from(s), expected));
}

const eventOf = (received: ReceivedWebhook) =>
  JSON.parse(received.body) as CloudEvent<Record<string, unknown>>;

/**
 * Webhooks through the gateway on the real infrastructure: registration with the secret shown once, signed
 * deliveries that a real HTTP receiver verifies, retries until the receiver answers, rotation, ping, deletion,
 * another municipality's 404, and a paused endpoint that, resumed, gets what it missed.
 */
describe('webhooks of a municipality (gateway → notifications → a real HTTP receiver)', () => {
  jest.setTimeout(30_000);
  let p: NotificationsPlatform;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (answers: number[] = []) => {
    const r = await startWebhookReceiver(answers);
    receivers.push(r);
    return r;
  };
  const webhooksOf = (ags: string) => `/api/v1/municipalities/${p.ids[ags]}/webhooks`;
  /** The notification of one event type about one proposal in a municipality's inbox, once it is there. */
  const notified = (ags: string, proposalId: string, templateKey: string) =>
    waitFor(
      async () =>
        (await p.inbox(p.accountOf(ags))).items.find(
          (n: NotificationDto) => n.proposalId === proposalId && n.templateKey === templateKey,
        ),
      { what: `${templateKey} in the inbox of ${ags}` },
    );
  const deliveriesOf = async (ags: string, notificationId: string) =>
    (await p.as(p.accountOf(ags))('GET', `/api/v1/notifications/${notificationId}/deliveries`))
      .body as unknown as NotificationDeliveriesDto;

  beforeAll(async () => {
    // The first delivery given up pauses an endpoint, so that the pause is quick to reach.
    p = await startNotificationsPlatform({ WEBHOOK_PAUSE_AFTER_FAILURES: '1' });
  }, 60_000);

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await p?.stop();
  });

  it('registers (secret shown once), delivers signed, retries a failing receiver until it gets the event once', async () => {
    const account = p.as(p.accountOf(AGS.lead));
    const flaky = await receiver([500, 503]);
    const created = await account('POST', webhooksOf(AGS.lead), { url: flaky.url, description: 'RIS' });
    expect(created.status).toBe(201);
    const webhook = created.body as unknown as WebhookWithSecretDto;
    expect(webhook).toMatchObject({ municipalityId: p.ids[AGS.lead], status: 'active', description: 'RIS' });
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const listed = (await account('GET', webhooksOf(AGS.lead))).body as unknown as WebhookDto[];
    expect(listed).toEqual([expect.objectContaining({ id: webhook.id, url: flaky.url })]);
    expect(listed[0]).not.toHaveProperty('secret');

    const { proposal } = await p.proposalUpTo('submitted');
    await waitFor(() => flaky.received.some((r) => r.answeredWith < 300), { what: 'a successful delivery' });
    expect(flaky.received.map((r) => r.answeredWith)).toEqual([500, 503, 204]);
    // Every attempt is signed, verifiably, under one webhook-id; the body is the CloudEvent.
    for (const r of flaky.received) expect(verifiedBy(webhook.secret, r)).toBe(true);
    expect(new Set(flaky.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(eventOf(flaky.received[0])).toMatchObject({
      specversion: '1.0',
      type: 'projects.proposal.submitted.v1',
      subject: proposal.id,
      data: { toStatus: 'submitted' },
    });
    expect(flaky.received[0].headers['content-type']).toBe('application/json');

    // The delivery log shows the three attempts with their HTTP status.
    const notification = await notified(AGS.lead, proposal.id, 'proposal.submitted');
    const log = await waitFor(
      async () => {
        const d = await deliveriesOf(AGS.lead, notification.id);
        return d.deliveries[0]?.status === 'succeeded' ? d : null;
      },
      { what: 'the delivery logged' },
    );
    expect(log).toMatchObject({ notificationId: notification.id, inApp: true });
    expect(log.deliveries).toHaveLength(1);
    expect(log.deliveries[0]).toMatchObject({ channel: 'webhook', target: webhook.id, maxAttempts: 4 });
    expect(log.deliveries[0].attempts.map((a) => [a.attempt, a.httpStatus, a.succeeded])).toEqual([
      [1, 500, false],
      [2, 503, false],
      [3, 204, true],
    ]);
    expect(log.deliveries[0].attempts[0].error).toMatch(/^HTTP 500/);
    expect(flaky.received).toHaveLength(3);
  });

  it('rotates the secret (the old one co-signs), pings, deletes; another municipality gets 404 for all of it', async () => {
    const account = p.as(p.accountOf(AGS.lead));
    const r = await receiver();
    const webhook = (await account('POST', webhooksOf(AGS.lead), { url: r.url }))
      .body as unknown as WebhookWithSecretDto;
    const path = `${webhooksOf(AGS.lead)}/${webhook.id}`;

    // Another municipality's account: the lead's webhooks do not exist for it, whichever way it asks.
    const stranger = p.as(p.accountOf(AGS.partner));
    for (const [method, suffix] of [
      ['GET', ''],
      ['POST', '/rotate-secret'],
      ['POST', '/test'],
      ['POST', '/resume'],
      ['DELETE', ''],
    ] as const) {
      const answer = await stranger(
        method,
        suffix === '' && method === 'GET' ? webhooksOf(AGS.lead) : `${path}${suffix}`,
      );
      expect([method, suffix, answer.status]).toEqual([method, suffix, 404]);
    }
    expect(
      (await stranger('POST', webhooksOf(AGS.lead), { url: r.url }, { 'idempotency-key': 'x-1' })).status,
    ).toBe(404);
    expect((await stranger('GET', webhooksOf(AGS.partner))).body).toEqual([]);

    const rotated = await account('POST', `${path}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const secret = (rotated.body as unknown as WebhookWithSecretDto).secret;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(webhook.secret);
    const { proposal } = await p.proposalUpTo('submitted');
    const delivered = await waitFor(() => r.received.find((x) => eventOf(x).subject === proposal.id), {
      what: 'the delivery after the rotation',
    });
    // During the grace period both secrets sign: receivers switch without missing a delivery.
    expect((delivered.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    expect(verifiedBy(secret, delivered)).toBe(true);
    expect(verifiedBy(webhook.secret, delivered)).toBe(true);

    const ping = await account('POST', `${path}/test`);
    expect(ping.status).toBe(200);
    expect(ping.body).toMatchObject({ succeeded: true, httpStatus: 204, error: null });
    const pinged = r.received.at(-1)!;
    expect(pinged.headers['webhook-id']).toBe(ping.body?.['messageId']);
    expect(eventOf(pinged)).toMatchObject({
      type: 'notifications.webhook.ping.v1',
      subject: webhook.id,
      data: { municipalityId: p.ids[AGS.lead], webhookId: webhook.id },
    });
    expect(verifiedBy(secret, pinged)).toBe(true);

    expect((await account('DELETE', path)).status).toBe(204);
    expect((await account('DELETE', path)).status).toBe(404);
    const remaining = (await account('GET', webhooksOf(AGS.lead))).body as unknown as WebhookDto[];
    expect(remaining.map((w) => w.id)).not.toContain(webhook.id);
    // After the deletion an event makes no delivery to it (the notification and its deliveries are one write).
    const { proposal: later } = await p.proposalUpTo('submitted');
    const notification = await notified(AGS.lead, later.id, 'proposal.submitted');
    const log = await deliveriesOf(AGS.lead, notification.id);
    expect(log.deliveries.map((d) => d.target)).not.toContain(webhook.id);
    expect(r.received.filter((x) => eventOf(x).subject === later.id)).toEqual([]);
  });

  it('pauses an endpoint that keeps failing, tells the municipality, and resumed sends it what it missed, once', async () => {
    const account = p.as(p.accountOf(AGS.partner));
    // Down for the four attempts of the first delivery, then up again.
    const r = await receiver([500, 500, 500, 500]);
    const webhook = (await account('POST', webhooksOf(AGS.partner), { url: r.url }))
      .body as unknown as WebhookWithSecretDto;
    const { proposal: first } = await p.proposalUpTo('submitted');
    await waitFor(
      async () =>
        ((await account('GET', webhooksOf(AGS.partner))).body as unknown as WebhookDto[]).find(
          (w) => w.id === webhook.id && w.status === 'paused',
        ),
      { what: 'the endpoint paused' },
    );
    expect(r.received.map((x) => x.answeredWith)).toEqual([500, 500, 500, 500]);
    // The municipality hears of it in-app, its contact by e-mail (in English), whatever the preferences.
    const told = await waitFor(
      async () =>
        (await p.inbox(p.accountOf(AGS.partner))).items.find((n) => n.templateKey === 'webhook.paused'),
      { what: 'the pause notice' },
    );
    expect(told.title).toBe('Webhook pausiert');
    await waitFor(() => p.mailsTo(PARTNER_CONTACT_EMAIL).find((m) => m.subject === 'Webhook paused'), {
      what: 'the pause e-mail',
    });

    // While paused, an event is kept for the endpoint, not sent.
    const { proposal: second } = await p.proposalUpTo('submitted');
    const held = await notified(AGS.partner, second.id, 'proposal.submitted');
    expect((await deliveriesOf(AGS.partner, held.id)).deliveries).toEqual([
      expect.objectContaining({ target: webhook.id, status: 'skipped', attempts: [] }),
    ]);

    const resumed = await account('POST', `${webhooksOf(AGS.partner)}/${webhook.id}/resume`);
    expect(resumed.status).toBe(200);
    // The failed delivery that paused it, the pause notice and the one held while paused.
    expect(resumed.body).toMatchObject({ status: 'active', consecutiveFailures: 0, redelivered: 3 });
    const succeeded = () => r.received.filter((x) => x.answeredWith < 300).map((x) => eventOf(x));
    await waitFor(() => succeeded().length >= 3, { what: 'the missed deliveries' });
    expect(
      succeeded()
        .map((e) => `${e.type}:${e.subject}`)
        .sort(),
    ).toEqual(
      [
        `projects.proposal.submitted.v1:${first.id}`,
        `projects.proposal.submitted.v1:${second.id}`,
        `notifications.webhook.paused.v1:${webhook.id}`,
      ].sort(),
    );
    for (const x of r.received) expect(verifiedBy(webhook.secret, x)).toBe(true);
    // The first one kept its webhook-id across the pause, so a receiver that saw it fail can tell it is the same.
    const firstIds = r.received
      .filter((x) => eventOf(x).subject === first.id)
      .map((x) => x.headers['webhook-id']);
    expect(new Set(firstIds).size).toBe(1);
    // Its log goes on numbering: four failures, then the resend.
    const firstNotification = await notified(AGS.partner, first.id, 'proposal.submitted');
    const log = await waitFor(
      async () => {
        const d = await deliveriesOf(AGS.partner, firstNotification.id);
        return d.deliveries[0]?.status === 'succeeded' ? d : null;
      },
      { what: 'the resent delivery logged' },
    );
    expect(log.deliveries[0].attempts.map((a) => [a.attempt, a.httpStatus])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 500],
      [5, 204],
    ]);
    // Resuming again sends nothing twice.
    const again = await account('POST', `${webhooksOf(AGS.partner)}/${webhook.id}/resume`);
    expect(again.body).toMatchObject({ status: 'active', redelivered: 0 });
    expect(succeeded()).toHaveLength(3);
  });
});
