import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import {
  contactAddedFixture,
  municipalityRegisteredFixture,
  MUNICIPALITIES,
  NOTIFICATIONS_RPC,
  proposalRejectedFixture,
  proposalReviewStartedFixture,
  proposalSubmittedFixture,
  USERS,
  type ActorDto,
  type CloudEvent,
  type NotificationDeliveriesDto,
  type NotificationPageDto,
  type WebhookWithSecretDto,
} from '@wandelwerk/contracts';
import { subjectOf } from '@wandelwerk/messaging';
import { startTestService, type TestService } from '@wandelwerk/platform/testing';
import { waitFor } from '@wandelwerk/testing';
import { NotificationsSettings } from './config/notifications.settings.js';
import { DigestsService } from './digests/digests.service.js';
import { DeliveryProcessor } from './deliveries/delivery.processor.js';
import { notificationsBlueprint } from './notifications.blueprint.js';
import { ReviewWaitReminder } from './reminders/review-wait.service.js';
import { startMailCatcher, startWebhookReceiver, type MailCatcher } from './testing/receivers.js';
import { verifyWebhook } from './webhooks/signature.js';

const { senftenberg, grossraeschen, schipkau } = MUNICIPALITIES;
const ADMIN: ActorDto = { userId: USERS.administrator, role: 'admin', municipalityId: null };
const accountOf = (municipalityId: string): ActorDto => ({
  userId: randomUUID(),
  role: 'municipality',
  municipalityId,
});
const ENGLISH_CONTACT = '00000003-0000-4000-8000-0000000000e1';

/** A fresh copy of a fixture with its own event id (and proposal id), so each test starts clean. */
function again<T>(fixture: CloudEvent<T>, subject = fixture.subject): CloudEvent<T> {
  return { ...fixture, id: randomUUID(), subject };
}

describe('notifications service (PostgreSQL, NATS JetStream, Redis/BullMQ, a real SMTP server, HTTP receivers)', () => {
  let t: TestService;
  let smtp: MailCatcher;

  const publish = async (event: CloudEvent): Promise<void> => {
    await jetstream(t.topo.nc).publish(subjectOf(t.topo.prefix, event.type), JSON.stringify(event));
  };
  const notificationsOf = (sourceEventId: string) =>
    t.db.query<{ id: string; recipient_kind: string; recipient_id: string; language: string; title: string }>(
      `SELECT id, recipient_kind, recipient_id, language, title FROM notifications.notification
       WHERE source_event_id = $1 ORDER BY recipient_kind, recipient_id`,
      [sourceEventId],
    );
  const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address));

  beforeAll(async () => {
    smtp = await startMailCatcher();
    t = await startTestService(NotificationsSettings, notificationsBlueprint, {
      SMTP_URL: smtp.url,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      DELIVERY_BACKOFF_MS: '50',
      DELIVERY_MAX_ATTEMPTS: '4',
      DISPATCH_POLL_MS: '200',
      PUBLIC_API_URL: 'https://wandelwerk.example',
    });
    // The registry's municipalities this suite uses: webhooks and preferences exist only for known ones.
    for (const m of [senftenberg, grossraeschen, schipkau])
      await publish({
        ...municipalityRegisteredFixture,
        id: randomUUID(),
        subject: m.municipalityId,
        data: {
          ...municipalityRegisteredFixture.data,
          ags: m.ags,
          name: m.name,
          officialName: m.officialName,
        },
      });
    await publish(contactAddedFixture);
    await publish({
      ...contactAddedFixture,
      id: randomUUID(),
      subject: ENGLISH_CONTACT,
      data: {
        ...contactAddedFixture.data,
        municipalityId: grossraeschen.municipalityId,
        fullName: 'Jane Doe',
        email: 'economy@grossraeschen.example',
        language: 'en',
      },
    });
    await waitFor(
      async () =>
        (await t.db.query(`SELECT 1 FROM notifications.contact_read_model`)).length === 2 &&
        (await t.db.query(`SELECT 1 FROM notifications.municipality_read_model`)).length === 3,
      { what: 'municipalities and contacts in the read model' },
    );
  }, 60_000);

  afterAll(async () => {
    await t.dispose();
    await smtp.close();
  });

  it('notifies lead and partners (municipality and contacts) in their language, exactly once per event and recipient', async () => {
    const submitted = again(proposalSubmittedFixture, randomUUID());
    await publish(submitted);
    await publish(submitted); // redelivered: same event id
    await waitFor(
      () =>
        mailsTo('economy@grossraeschen.example').length > 0 &&
        mailsTo(contactAddedFixture.data.email).length > 0,
      {
        what: 'both e-mails',
      },
    );
    const rows = await notificationsOf(submitted.id);
    expect(rows.map((r) => `${r.recipient_kind}:${r.recipient_id}:${r.language}`).sort()).toEqual(
      [
        `contact:${contactAddedFixture.subject}:de`,
        `contact:${ENGLISH_CONTACT}:en`,
        `municipality:${grossraeschen.municipalityId}:de`,
        `municipality:${schipkau.municipalityId}:de`,
        `municipality:${senftenberg.municipalityId}:de`,
      ].sort(),
    );
    const [german] = mailsTo(contactAddedFixture.data.email);
    expect(german?.subject).toBe(`Projekt „${submitted.data.proposal.title}“: eingereicht`);
    expect(german?.text).toContain(`https://wandelwerk.example/api/v1/projects/${submitted.subject}`);
    expect(german?.html).toContain('<h2');
    const [english] = mailsTo('economy@grossraeschen.example');
    expect(english?.subject).toBe(`Project "${submitted.data.proposal.title}": submitted`);
    expect(english?.text).toContain('The status of the project');
    // Give a redelivered event and the dispatcher time to do something twice, if they would.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.mails.filter((m) => m.text.includes(submitted.subject))).toHaveLength(2);
    expect(await t.outbox('notifications.notification.created.v1')).toEqual(
      expect.arrayContaining([expect.objectContaining({ causationid: submitted.id })]),
    );
  });

  it('lists a municipality account its inbox newest first with the unread count, marks one and all read', async () => {
    const account = accountOf(schipkau.municipalityId);
    const first = await t.rpc.request<NotificationPageDto>(NOTIFICATIONS_RPC.list, {
      actor: account,
      query: { limit: 20 },
    });
    expect(first.items.length).toBeGreaterThan(0);
    expect(first.unreadCount).toBe(first.items.length);
    expect(
      first.items.every(
        (n) => n.recipientKind === 'municipality' && n.recipientId === schipkau.municipalityId,
      ),
    ).toBe(true);
    const sorted = [...first.items].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    expect(first.items.map((n) => n.id)).toEqual(sorted.map((n) => n.id));

    const read = await t.rpc.request<{ readAt: string | null }>(NOTIFICATIONS_RPC.markRead, {
      actor: account,
      id: first.items[0].id,
    });
    expect(read.readAt).not.toBeNull();
    // Another municipality's account does not see it.
    await expect(
      t.rpc.request(NOTIFICATIONS_RPC.markRead, {
        actor: accountOf(senftenberg.municipalityId),
        id: first.items[0].id,
      }),
    ).rejects.toMatchObject({ status: 404 });
    const all = await t.rpc.request<{ marked: number }>(NOTIFICATIONS_RPC.readAll, { actor: account });
    expect(all.marked).toBe(first.items.length - 1);
    const after = await t.rpc.request<NotificationPageDto>(NOTIFICATIONS_RPC.list, {
      actor: account,
      query: { limit: 20, unread: true },
    });
    expect(after).toMatchObject({ items: [], unreadCount: 0 });
  });

  it('signs webhooks (Standard Webhooks); a receiver failing twice gets the event once, every attempt logged', async () => {
    const receiver = await startWebhookReceiver([500, 503]);
    try {
      const webhook = await t.rpc.request<WebhookWithSecretDto>(NOTIFICATIONS_RPC.createWebhook, {
        actor: accountOf(senftenberg.municipalityId),
        municipalityId: senftenberg.municipalityId,
        data: { url: receiver.url, description: 'RIS' },
      });
      expect(webhook.secret).toMatch(/^whsec_/);
      const listed = await t.rpc.request<object[]>(NOTIFICATIONS_RPC.listWebhooks, {
        actor: ADMIN,
        municipalityId: senftenberg.municipalityId,
      });
      expect(listed).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);

      const event = again(proposalReviewStartedFixture, randomUUID());
      await publish(event);
      await waitFor(() => receiver.received.some((r) => r.answeredWith < 300), {
        what: 'a successful delivery',
      });
      expect(receiver.received.map((r) => r.answeredWith)).toEqual([500, 503, 204]);
      for (const r of receiver.received) expect(verifyWebhook(webhook.secret, r.headers, r.body)).toBe(true);
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
      expect(JSON.parse(receiver.received[0].body)).toEqual(event);

      const [municipal] = (await notificationsOf(event.id)).filter(
        (n) => n.recipient_kind === 'municipality' && n.recipient_id === senftenberg.municipalityId,
      );
      const log = await waitFor(
        async () => {
          const d = await t.rpc.request<NotificationDeliveriesDto>(NOTIFICATIONS_RPC.deliveries, {
            actor: accountOf(senftenberg.municipalityId),
            id: municipal.id,
          });
          return d.deliveries[0]?.status === 'succeeded' ? d : null;
        },
        { what: 'delivery log' },
      );
      expect(log.deliveries[0].attempts.map((a) => [a.attempt, a.httpStatus, a.succeeded])).toEqual([
        [1, 500, false],
        [2, 503, false],
        [3, 204, true],
      ]);
      expect(log.deliveries[0].attempts[0].error).toMatch(/^HTTP 500/);
      await expect(
        t.rpc.request(NOTIFICATIONS_RPC.deliveries, {
          actor: accountOf(schipkau.municipalityId),
          id: municipal.id,
        }),
      ).rejects.toMatchObject({ status: 404 });

      // A processor that gets the same job again (a replica, a stalled job) sends nothing.
      const processor = t.service.app.get(DeliveryProcessor);
      await expect(processor.process({ data: { deliveryId: log.deliveries[0].id } })).resolves.toBe(
        'not-claimable',
      );
      expect(receiver.received).toHaveLength(3);

      const ping = await t.rpc.request<{ succeeded: boolean; httpStatus: number }>(
        NOTIFICATIONS_RPC.testWebhook,
        {
          actor: ADMIN,
          municipalityId: senftenberg.municipalityId,
          id: webhook.id,
        },
      );
      expect(ping).toMatchObject({ succeeded: true, httpStatus: 204 });
      const rotated = await t.rpc.request<WebhookWithSecretDto>(NOTIFICATIONS_RPC.rotateWebhookSecret, {
        actor: ADMIN,
        municipalityId: senftenberg.municipalityId,
        id: webhook.id,
      });
      expect(rotated.secret).not.toBe(webhook.secret);
      await t.rpc.request(NOTIFICATIONS_RPC.deleteWebhook, {
        actor: ADMIN,
        municipalityId: senftenberg.municipalityId,
        id: webhook.id,
      });
    } finally {
      await receiver.close();
    }
  });

  it('pauses an endpoint after repeated failed deliveries and tells the municipality', async () => {
    const receiver = await startWebhookReceiver(Array<number>(50).fill(500));
    try {
      const webhook = await t.rpc.request<WebhookWithSecretDto>(NOTIFICATIONS_RPC.createWebhook, {
        actor: ADMIN,
        municipalityId: schipkau.municipalityId,
        data: { url: receiver.url },
      });
      for (let i = 0; i < 3; i += 1) await publish(again(proposalSubmittedFixture, randomUUID()));
      const paused = await waitFor(
        async () =>
          (await t.outbox<{ municipalityId: string }>('notifications.webhook.paused.v1')).find(
            (e) => e.subject === webhook.id,
          ),
        { what: 'webhook paused', timeoutMs: 20_000 },
      );
      expect(paused.data.municipalityId).toBe(schipkau.municipalityId);
      const told = await notificationsOf(paused.id);
      expect(told.map((n) => `${n.recipient_kind}:${n.recipient_id}`)).toEqual([
        `municipality:${schipkau.municipalityId}`,
      ]);
      expect(told[0].title).toBe('Webhook pausiert');
    } finally {
      await receiver.close();
    }
  }, 30_000);

  it('holds e-mails of a contact on the daily digest until its local time, once; a rejection goes out at once', async () => {
    await t.rpc.request(NOTIFICATIONS_RPC.putPreferences, {
      actor: ADMIN,
      municipalityId: grossraeschen.municipalityId,
      contactId: ENGLISH_CONTACT,
      data: { channels: ['email'], digest: 'daily', digestTime: '07:00' },
    });
    const before = mailsTo('economy@grossraeschen.example').length;
    const one = again(proposalSubmittedFixture, randomUUID());
    const two = again(proposalReviewStartedFixture, randomUUID());
    const rejected = again(proposalRejectedFixture, randomUUID());
    await publish(one);
    await publish(two);
    await publish(rejected);
    await waitFor(() => mailsTo('economy@grossraeschen.example').length === before + 1, {
      what: 'the rejection',
    });
    expect(mailsTo('economy@grossraeschen.example').at(-1)?.subject).toMatch(/rejected$/);

    const digests = t.service.app.get(DigestsService);
    // 06:59 in Berlin (CET, UTC+1): not yet.
    expect(await digests.run(new Date('2026-01-15T05:59:00Z'))).toBe(0);
    expect(await digests.run(new Date('2026-01-15T06:05:00Z'))).toBe(1);
    expect(await digests.run(new Date('2026-01-15T09:00:00Z'))).toBe(0);
    const digest = await waitFor(
      () => mailsTo('economy@grossraeschen.example').find((m) => m.subject.includes('daily digest')),
      { what: 'the digest' },
    );
    expect(digest.subject).toBe('Wandelwerk: 2 notifications (daily digest)');
    expect(digest.text).toContain(`https://wandelwerk.example/api/v1/projects/${one.subject}`);
    expect(digest.text).toContain(`https://wandelwerk.example/api/v1/projects/${two.subject}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailsTo('economy@grossraeschen.example')).toHaveLength(before + 2);
  });

  it('reminds the programme’s funding officers once of a proposal waiting in review longer than REVIEW_WAIT_DAYS', async () => {
    const officer = randomUUID();
    const started = again(proposalReviewStartedFixture, randomUUID());
    started.data = { ...started.data, actorUserId: officer };
    await publish(started);
    await waitFor(async () => (await notificationsOf(started.id)).length > 0, { what: 'review started' });
    const reminder = t.service.app.get(ReviewWaitReminder);
    const reminders = async () =>
      (
        await t.db.query(
          `SELECT 1 FROM notifications.notification WHERE template_key = 'proposal.waiting-in-review'
           AND proposal_id = $1 AND recipient_id = $2`,
          [started.subject, officer],
        )
      ).length;
    const later = new Date(Date.parse(started.time) + 15 * 86_400_000);
    await reminder.run(new Date(Date.parse(started.time) + 13 * 86_400_000));
    expect(await reminders()).toBe(0);
    expect(await reminder.run(later)).toBeGreaterThanOrEqual(1);
    expect(await reminder.run(later)).toBe(0);
    expect(await reminders()).toBe(1);
    const inbox = await t.rpc.request<NotificationPageDto>(NOTIFICATIONS_RPC.list, {
      actor: { userId: officer, role: 'funding_officer', municipalityId: null },
      query: { limit: 20 },
    });
    expect(
      inbox.items.filter(
        (n) => n.templateKey === 'proposal.waiting-in-review' && n.proposalId === started.subject,
      ),
    ).toEqual([
      expect.objectContaining({
        proposalId: started.subject,
        title: expect.stringMatching(/^Wartet seit 15 Tagen/),
      }),
    ]);
  });
});
