import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { NotificationDeliveriesDto, NotificationDto } from '@wandelwerk/contracts';
import { waitFor } from '@wandelwerk/testing';
import {
  AGS,
  LEAD_CONTACT_EMAIL,
  MANAGER,
  PARTNER_CONTACT_EMAIL,
  PUBLIC_API_URL,
  startNotificationsPlatform,
  type NotificationsPlatform,
} from './support/notifications-platform.js';

/** What a status change of a proposal says, in the municipalities' inboxes (German) and in each contact's e-mail. */
const GERMAN = (t: string) => ({
  'proposal.submitted': `Projekt „${t}“: eingereicht`,
  'proposal.review-started': `Projekt „${t}“: in Prüfung`,
  'proposal.endorsed': `Projekt „${t}“: befürwortet`,
  'allocation.approved': `Förderung bewilligt: „${t}“`,
  'proposal.approved': `Projekt „${t}“: bewilligt`,
  'allocation.committed': `Zuwendungsbescheid erteilt: „${t}“`,
});
const ENGLISH = (t: string) => ({
  'proposal.submitted': `Project "${t}": submitted`,
  'proposal.review-started': `Project "${t}": in review`,
  'proposal.endorsed': `Project "${t}": endorsed`,
  'allocation.approved': `Funding approved: "${t}"`,
  'proposal.approved': `Project "${t}": approved`,
  'allocation.committed': `Grant decision issued: "${t}"`,
});
const byKey = (items: NotificationDto[]) =>
  Object.fromEntries(items.map((n) => [n.templateKey, n.title] as const));

/**
 * Notifications through the gateway on the real infrastructure: a proposal taken from submission to its grant
 * decision by a program manager and a funding officer reaches the lead and the partner municipality in-app and their
 * contacts by e-mail, each in their language, once; the inbox API and the live stream; the delivery log.
 */
describe('notifications of a proposal’s lifecycle (gateway → projects, funding → notifications → SMTP)', () => {
  jest.setTimeout(30_000);
  let p: NotificationsPlatform;
  const title = 'Niederlausitzhalle Senftenberg';
  let proposalId: string;

  const ofProposal = (items: NotificationDto[]) => items.filter((n) => n.proposalId === proposalId);

  beforeAll(async () => {
    p = await startNotificationsPlatform();
    proposalId = (await p.proposalUpTo('committed', title)).proposal.id;
  }, 60_000);

  afterAll(async () => {
    await p?.stop();
  });

  it('tells lead and partner in-app, in German, of every status change, and nobody else’s municipality', async () => {
    const expected = GERMAN(title);
    for (const ags of [AGS.lead, AGS.partner]) {
      const account = p.accountOf(ags);
      const items = await waitFor(
        async () => {
          const mine = ofProposal((await p.inbox(account)).items);
          return mine.length >= 6 ? mine : null;
        },
        { what: `six notifications for ${ags}` },
      );
      expect(byKey(items)).toEqual(expected);
      expect(items).toHaveLength(6);
      for (const n of items)
        expect(n).toMatchObject({
          recipientKind: 'municipality',
          recipientId: p.ids[ags],
          language: 'de',
          link: `${PUBLIC_API_URL}/api/v1/projects/${proposalId}`,
          readAt: null,
        });
      const approved = items.find((n) => n.templateKey === 'proposal.approved');
      expect(approved?.body).toBe(
        `Der Status des Projekts „${title}“ ist jetzt: bewilligt. Bewilligte Förderung: 900.000,00\u00a0€.`,
      );
    }
    expect(ofProposal((await p.inbox(p.accountOf(AGS.bystander))).items)).toEqual([]);
    // The owner hears of everything others did, not of their own submission.
    const owner = await waitFor(
      async () => {
        const mine = ofProposal((await p.inbox(MANAGER)).items);
        return mine.length >= 5 ? mine : null;
      },
      { what: 'the owner’s notifications' },
    );
    expect(owner.map((n) => n.templateKey).sort()).toEqual(
      [
        'allocation.approved',
        'allocation.committed',
        'proposal.approved',
        'proposal.endorsed',
        'proposal.review-started',
      ].sort(),
    );
  });

  it('e-mails each contact once per change in the contact’s language, HTML and text, linking the project', async () => {
    const link = `${PUBLIC_API_URL}/api/v1/projects/${proposalId}`;
    const mine = (address: string) => p.mailsTo(address).filter((m) => m.text.includes(link));
    await waitFor(() => mine(LEAD_CONTACT_EMAIL).length >= 6 && mine(PARTNER_CONTACT_EMAIL).length >= 6, {
      what: 'six e-mails to each contact',
    });
    expect(
      mine(LEAD_CONTACT_EMAIL)
        .map((m) => m.subject)
        .sort(),
    ).toEqual(Object.values(GERMAN(title)).sort());
    expect(
      mine(PARTNER_CONTACT_EMAIL)
        .map((m) => m.subject)
        .sort(),
    ).toEqual(Object.values(ENGLISH(title)).sort());
    const german = mine(LEAD_CONTACT_EMAIL).find((m) => m.subject.endsWith(': bewilligt'))!;
    expect(german.from).toBe('benachrichtigungen@wandelwerk.local');
    expect(german.text).toContain('Bewilligte Förderung: 900.000,00\u00a0€.');
    expect(german.text).toContain(`Projekt öffnen: ${link}`);
    expect(german.html).toContain(`<a href="${link}">Projekt öffnen</a>`);
    expect(german.html).toContain('<html lang="de">');
    const english = mine(PARTNER_CONTACT_EMAIL).find((m) => m.subject.startsWith('Grant decision'))!;
    expect(english.text).toContain(
      `The grant decision of €900,000.00 for the project "${title}" has been issued.`,
    );
    expect(english.text).toContain(`Open the project: ${link}`);
    expect(english.html).toContain('<html lang="en">');
    // Each notification is its own message, with its own Message-ID.
    const messageIds = [...mine(LEAD_CONTACT_EMAIL), ...mine(PARTNER_CONTACT_EMAIL)].map((m) => m.messageId);
    expect(new Set(messageIds).size).toBe(12);
  });

  it('shows every delivery attempt of an e-mail to the municipality it concerns, and to no other', async () => {
    const mail = p
      .mailsTo(PARTNER_CONTACT_EMAIL)
      .find((m) => m.subject === ENGLISH(title)['proposal.endorsed'])!;
    const notificationId = /^<([0-9a-f-]{36})@/.exec(mail.messageId)?.[1];
    expect(notificationId).toBeDefined();
    const path = `/api/v1/notifications/${notificationId}/deliveries`;
    const log = await waitFor(
      async () => {
        const answer = await p.as(p.accountOf(AGS.partner))('GET', path);
        const body = answer.body as unknown as NotificationDeliveriesDto;
        return body.deliveries?.[0]?.status === 'succeeded' ? body : null;
      },
      { what: 'the delivery logged' },
    );
    expect(log).toMatchObject({ notificationId, inApp: false });
    expect(log.deliveries).toEqual([
      expect.objectContaining({
        channel: 'email',
        target: PARTNER_CONTACT_EMAIL,
        status: 'succeeded',
        attempts: [
          expect.objectContaining({
            attempt: 1,
            succeeded: true,
            httpStatus: null,
            smtpResponse: expect.stringMatching(/^250 /),
            error: null,
          }),
        ],
      }),
    ]);
    expect(Date.parse(log.deliveries[0].attempts[0].at)).not.toBeNaN();
    const other = await p.as(p.accountOf(AGS.lead))('GET', path);
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await p.as(MANAGER)('GET', path)).status).toBe(404);
    expect((await p.send('GET', path)).status).toBe(200);
  });

  it('lists the inbox newest first with the unread count, marks one and all read; others’ answer 404', async () => {
    const account = p.accountOf(AGS.partner);
    const first = await p.inbox(account);
    expect(first.unreadCount).toBe(first.items.filter((n) => n.readAt === null).length);
    expect(first.unreadCount).toBeGreaterThanOrEqual(6);
    const times = first.items.map((n) => n.createdAt);
    expect(times).toEqual([...times].sort().reverse());

    const one = first.items[2];
    const read = await p.as(account)('POST', `/api/v1/notifications/${one.id}/read`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: one.id, readAt: expect.any(String) });
    expect((await p.inbox(account)).unreadCount).toBe(first.unreadCount - 1);
    const unread = await p.inbox(account, '&unread=true');
    expect(unread.items.map((n) => n.id)).not.toContain(one.id);

    // Another municipality's account does not see it; marking it answers 404 and changes nothing.
    const lead = p.accountOf(AGS.lead);
    const leadBefore = (await p.inbox(lead)).unreadCount;
    const foreign = await p.as(lead)('POST', `/api/v1/notifications/${first.items[0].id}/read`, undefined, {
      'accept-language': 'en',
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({
      code: 'notification.not-found',
      detail: 'There is no such notification.',
    });
    expect((await p.inbox(account)).unreadCount).toBe(first.unreadCount - 1);
    expect((await p.inbox(lead)).unreadCount).toBe(leadBefore);

    const all = await p.as(account)('POST', '/api/v1/notifications/read-all');
    expect(all.body).toEqual({ marked: first.unreadCount - 1 });
    expect(await p.inbox(account, '&unread=true')).toMatchObject({ items: [], unreadCount: 0 });
    expect((await p.inbox(lead)).unreadCount).toBe(leadBefore);
  });

  it('pushes a new notification live on the server-sent events stream of the account it is for', async () => {
    const controller = new AbortController();
    const response = await fetch(`${p.gateway.url}/api/v1/notifications/stream`, {
      headers: { ...p.gateway.headersFor(p.accountOf(AGS.partner)), accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    try {
      const second = 'Sportpark Großräschen';
      // The stream is open before anything happens; what follows must arrive on it.
      const { proposal } = await p.proposalUpTo('submitted', second);
      const expectedTitle = GERMAN(second)['proposal.submitted'];
      while (!received.includes(expectedTitle)) {
        const { value, done } = await reader.read();
        if (done) break;
        received += value;
      }
      const frame = received.split('\n\n').find((f) => f.includes(expectedTitle))!;
      expect(frame).toMatch(/^event: notification$/m);
      const data = JSON.parse(/^data: (.*)$/m.exec(frame)![1]) as Record<string, unknown>;
      expect(data).toMatchObject({
        title: expectedTitle,
        templateKey: 'proposal.submitted',
        municipalityId: p.ids[AGS.partner],
        sourceEventType: 'projects.proposal.submitted.v1',
      });
      // It is the notification the inbox lists.
      const inbox = await p.inbox(p.accountOf(AGS.partner));
      expect(inbox.items.find((n) => n.id === data['id'])).toMatchObject({ proposalId: proposal.id });
    } finally {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    }
  });
});
