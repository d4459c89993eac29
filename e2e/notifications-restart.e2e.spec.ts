import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type {
  CloudEvent,
  NotificationDeliveriesDto,
  NotificationDto,
  WebhookWithSecretDto,
} from '@wandelwerk/contracts';
import { startWebhookReceiver, type WebhookReceiver } from '@wandelwerk/notifications/testing';
import { waitFor } from '@wandelwerk/testing';
import {
  AGS,
  LEAD_CONTACT_EMAIL,
  PARTNER_CONTACT_EMAIL,
  PUBLIC_API_URL,
  startNotificationsPlatform,
  type NotificationsPlatform,
} from './support/notifications-platform.js';

/**
 * The notifications service stopped while the platform goes on: events published meanwhile wait in JetStream, a
 * delivery being retried waits in Redis; started again on the same database, it delivers everything, each exactly
 * once (in-app, e-mail, webhook).
 */
describe('notifications across a stop and a start of the service (JetStream, BullMQ, PostgreSQL)', () => {
  jest.setTimeout(45_000);
  let p: NotificationsPlatform;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    // A failed webhook attempt is retried after 1.5 s: long enough to stop the service in between.
    p = await startNotificationsPlatform({ DELIVERY_BACKOFF_MS: '1500' });
    receiver = await startWebhookReceiver([500]);
  }, 60_000);

  afterAll(async () => {
    await receiver?.close();
    await p?.stop();
  });

  it('delivers what was published while it was down, and the retry it was in the middle of, exactly once', async () => {
    const account = p.as(p.accountOf(AGS.lead));
    const webhook = (
      await account('POST', `/api/v1/municipalities/${p.ids[AGS.lead]}/webhooks`, { url: receiver.url })
    ).body as unknown as WebhookWithSecretDto;
    expect(webhook.status).toBe('active');

    // In the middle: the first attempt of this delivery failed, its retry is due after the stop.
    const { proposal: before } = await p.proposalUpTo('submitted', 'Vor dem Halt');
    await waitFor(() => receiver.received.length === 1, { what: 'the failed first attempt' });
    await p.stopNotifications();

    // While it is down: a whole lifecycle up to the approval, and another submission.
    const { proposal: during } = await p.proposalUpTo('approved', 'Während des Halts');
    const { proposal: also } = await p.proposalUpTo('submitted', 'Auch während des Halts');
    expect(receiver.received).toHaveLength(1);

    await p.startNotifications();
    const expected: Record<string, string[]> = {
      [before.id]: ['proposal.submitted'],
      [during.id]: [
        'allocation.approved',
        'proposal.approved',
        'proposal.endorsed',
        'proposal.review-started',
        'proposal.submitted',
      ],
      [also.id]: ['proposal.submitted'],
    };
    const total = Object.values(expected).flat().length;
    const succeeded = () => receiver.received.filter((r) => r.answeredWith < 300);
    await waitFor(
      () =>
        succeeded().length >= total &&
        p.mailsTo(LEAD_CONTACT_EMAIL).length >= total &&
        p.mailsTo(PARTNER_CONTACT_EMAIL).length >= total,
      { what: 'every e-mail and webhook', timeoutMs: 20_000 },
    );
    // Time for anything to arrive a second time, if it would (a redelivered event, a re-added job).
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const inbox = (await p.inbox(p.accountOf(AGS.lead))).items;
    for (const [proposalId, keys] of Object.entries(expected)) {
      const link = `${PUBLIC_API_URL}/api/v1/projects/${proposalId}`;
      const mine = inbox.filter((n: NotificationDto) => n.proposalId === proposalId);
      expect([proposalId, mine.map((n) => n.templateKey).sort()]).toEqual([proposalId, keys]);
      for (const address of [LEAD_CONTACT_EMAIL, PARTNER_CONTACT_EMAIL])
        expect([address, p.mailsTo(address).filter((m) => m.text.includes(link)).length]).toEqual([
          address,
          keys.length,
        ]);
      const events = succeeded()
        .map((r) => JSON.parse(r.body) as CloudEvent<{ proposal?: { proposalId?: string } }>)
        // Funding's events are about the allocation; they name the proposal in their data.
        .filter((e) => e.subject === proposalId || e.data.proposal?.proposalId === proposalId);
      expect([proposalId, events.map((e) => e.type.split('.').slice(1, 3).join('.')).sort()]).toEqual([
        proposalId,
        keys,
      ]);
    }
    expect(succeeded()).toHaveLength(total);
    expect(new Set(succeeded().map((r) => r.headers['webhook-id'])).size).toBe(total);
    for (const address of [LEAD_CONTACT_EMAIL, PARTNER_CONTACT_EMAIL])
      expect(new Set(p.mailsTo(address).map((m) => m.messageId)).size).toBe(total);

    // The delivery the stop interrupted: one failed attempt before, one successful after.
    const interrupted = inbox.find((n) => n.proposalId === before.id)!;
    const log = (await account('GET', `/api/v1/notifications/${interrupted.id}/deliveries`))
      .body as unknown as NotificationDeliveriesDto;
    expect(log.deliveries.map((d) => [d.status, d.attempts.map((a) => a.httpStatus)])).toEqual([
      ['succeeded', [500, 204]],
    ]);
  });
});
