import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { NotificationDto, PreferencesDto } from '@wandelwerk/contracts';
import { waitFor } from '@wandelwerk/testing';
import { randomUUID } from 'node:crypto';
import {
  AGS,
  LEAD_CONTACT_EMAIL,
  OFFICER,
  PARTNER_CONTACT_EMAIL,
  PUBLIC_API_URL,
  startNotificationsPlatform,
  type NotificationsPlatform,
} from './support/notifications-platform.js';

/**
 * Preferences and digests through the gateway change what is sent: a municipality's defaults pick event types and
 * channels (for itself and its contacts), a contact's own override them, a daily digest holds e-mails until the
 * contact's local time and sends them as one; rejections go out regardless.
 */
describe('notification preferences and digests (gateway → notifications → SMTP)', () => {
  jest.setTimeout(30_000);
  let p: NotificationsPlatform;
  const link = (proposalId: string) => `${PUBLIC_API_URL}/api/v1/projects/${proposalId}`;
  const keysOf = async (ags: string, proposalId: string) =>
    (await p.inbox(p.accountOf(ags))).items
      .filter((n: NotificationDto) => n.proposalId === proposalId)
      .map((n) => n.templateKey)
      .sort();
  /** The partner has no preferences: once it has heard of `keys`, every recipient of those events has. */
  const settled = (proposalId: string, keys: string[]) =>
    waitFor(async () => (await keysOf(AGS.partner, proposalId)).length >= keys.length, {
      what: `${keys.join(', ')} at the partner`,
    });
  /** The status of the e-mail delivery of a contact's notification about a proposal (the service's own record). */
  const emailStatus = async (contactId: string, proposalId: string) =>
    (
      await p.notifications.db.query<{ template_key: string; status: string }>(
        `SELECT n.template_key, d.status FROM notifications.notification n
         JOIN notifications.delivery d ON d.notification_id = n.id
         WHERE n.recipient_kind = 'contact' AND n.recipient_id = $1 AND n.proposal_id = $2`,
        [contactId, proposalId],
      )
    ).map((row) => `${row.template_key}:${row.status}`);
  const rejected = async () => {
    const { proposal } = await p.proposalUpTo('in-review');
    const review = await p.as(OFFICER)('POST', `/api/v1/projects/${proposal.id}/reviews`, {
      votum: 'reject',
      scores: { regionalValueAdded: 1, jobs: 1, sustainability: 1, cooperation: 1, feasibility: 1 },
      comment: 'Nicht förderfähig.',
    });
    const answer = await p.as(OFFICER)('POST', `/api/v1/projects/${proposal.id}/reject`, {
      reviewId: review.body?.['id'],
      comment: 'Nicht förderfähig.',
    });
    expect(answer.body).toMatchObject({ status: 'rejected' });
    return proposal;
  };

  beforeAll(async () => {
    p = await startNotificationsPlatform();
  }, 60_000);

  afterAll(async () => {
    await p?.stop();
  });

  it('validates preferences, keeps them per municipality, and answers 404 for others’ and unknown ones', async () => {
    const account = p.as(p.accountOf(AGS.lead));
    const path = `/api/v1/municipalities/${p.ids[AGS.lead]}/notification-preferences`;
    expect((await account('GET', path)).body).toEqual({
      municipalityId: p.ids[AGS.lead],
      contactId: null,
      channels: ['in-app', 'webhook'],
      eventTypes: null,
      digest: 'immediate',
      digestTime: '07:00',
      customized: false,
    });
    const invalid = await account(
      'PUT',
      path,
      { channels: ['in-app', 'fax'], eventTypes: ['projects.proposal.invented.v1'], digest: 'weekly' },
      { 'accept-language': 'en' },
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body?.['errors']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'channels', rule: 'isIn' }),
        expect.objectContaining({ field: 'eventTypes', rule: 'isIn', message: 'must be a known event type' }),
        expect.objectContaining({ field: 'digest', rule: 'isIn' }),
      ]),
    );
    expect(((await account('GET', path)).body as unknown as PreferencesDto).customized).toBe(false);

    const stranger = p.as(p.accountOf(AGS.partner));
    expect((await stranger('GET', path)).status).toBe(404);
    expect((await stranger('PUT', path, { channels: [], digest: 'immediate' })).status).toBe(404);
    const nobody = `/api/v1/municipalities/${randomUUID()}/notification-preferences`;
    expect((await p.send('GET', nobody)).status).toBe(404);
    expect((await p.send('PUT', nobody, { channels: [], digest: 'immediate' })).status).toBe(404);
    const otherContact = `/api/v1/municipalities/${p.ids[AGS.lead]}/contacts/${p.partnerContact.id}/notification-preferences`;
    expect((await account('GET', otherContact)).status).toBe(404);
  });

  it('a municipality’s defaults choose the event types and channels for it and its contacts; rejections go out anyway', async () => {
    const path = `/api/v1/municipalities/${p.ids[AGS.lead]}/notification-preferences`;
    const put = await p.as(p.accountOf(AGS.lead))('PUT', path, {
      channels: ['in-app'],
      eventTypes: ['projects.proposal.endorsed.v1'],
      digest: 'immediate',
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ eventTypes: ['projects.proposal.endorsed.v1'], customized: true });

    const { proposal } = await p.proposalUpTo('endorsed');
    const all = ['proposal.endorsed', 'proposal.review-started', 'proposal.submitted'];
    await settled(proposal.id, all);
    expect(await keysOf(AGS.partner, proposal.id)).toEqual(all);
    // The lead: only the endorsement, in-app; its contact (no own preferences) follows the defaults: no e-mail.
    expect(await keysOf(AGS.lead, proposal.id)).toEqual(['proposal.endorsed']);
    expect(await emailStatus(p.leadContact.id, proposal.id)).toEqual([]);
    await waitFor(
      () => p.mailsTo(PARTNER_CONTACT_EMAIL).filter((m) => m.text.includes(link(proposal.id))).length === 3,
      {
        what: 'the partner contact’s three e-mails',
      },
    );
    expect(p.mailsTo(LEAD_CONTACT_EMAIL).filter((m) => m.text.includes(link(proposal.id)))).toEqual([]);

    // A rejection always goes out, on every channel, whatever the preferences say.
    const refused = await rejected();
    const mail = await waitFor(
      () => p.mailsTo(LEAD_CONTACT_EMAIL).find((m) => m.text.includes(link(refused.id))),
      { what: 'the rejection e-mail' },
    );
    expect(mail.subject).toBe(`Projekt „${refused.title}“: abgelehnt`);
    expect(mail.text).toContain('Begründung/Kommentar: Nicht förderfähig.');
    expect(await keysOf(AGS.lead, refused.id)).toEqual(['proposal.rejected']);
    expect(p.mailsTo(LEAD_CONTACT_EMAIL).filter((m) => m.text.includes(link(refused.id)))).toHaveLength(1);
  });

  it('holds a contact’s e-mails for the daily digest until its local time, then sends one digest a day', async () => {
    const contact = p.partnerContact;
    const path = `/api/v1/municipalities/${p.ids[AGS.partner]}/contacts/${contact.id}/notification-preferences`;
    const account = p.as(p.accountOf(AGS.partner));
    // Later today (Europe/Berlin): a run in the day's last two minutes waits for the next day first (rare).
    const berlin = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).format(new Date());
    if (berlin >= '23:58:00') {
      const [, minutes = 0, seconds = 0] = berlin.split(':').map(Number);
      await new Promise((resolve) => setTimeout(resolve, ((59 - minutes) * 60 + (60 - seconds) + 2) * 1_000));
    }
    const daily = await account('PUT', path, { channels: ['email'], digest: 'daily', digestTime: '23:59' });
    expect(daily.body).toMatchObject({
      contactId: contact.id,
      digest: 'daily',
      digestTime: '23:59',
      customized: true,
    });
    // The municipality's own defaults are untouched.
    expect(
      (await account('GET', `/api/v1/municipalities/${p.ids[AGS.partner]}/notification-preferences`)).body,
    ).toMatchObject({ customized: false, digest: 'immediate' });

    const mailsAbout = (proposalId: string) =>
      p
        .mailsTo(PARTNER_CONTACT_EMAIL)
        .filter((m) => !m.subject.includes('digest') && m.text.includes(link(proposalId)));
    const { proposal: one } = await p.proposalUpTo('submitted', 'Bibliothek Großräschen');
    const { proposal: two } = await p.proposalUpTo('submitted', 'Hafen Großräschen');
    await settled(two.id, ['proposal.submitted']);
    await waitFor(async () => (await emailStatus(contact.id, two.id)).length === 1, {
      what: 'the held e-mail',
    });
    expect(await emailStatus(contact.id, one.id)).toEqual(['proposal.submitted:waiting']);
    expect(await emailStatus(contact.id, two.id)).toEqual(['proposal.submitted:waiting']);
    // A rejection does not wait for the digest (its submission and review start do).
    const refused = await rejected();
    await waitFor(() => mailsAbout(refused.id).length > 0, { what: 'the rejection at once' });
    expect(mailsAbout(refused.id).map((m) => m.subject)).toEqual([`Project "${refused.title}": rejected`]);
    expect([...mailsAbout(one.id), ...mailsAbout(two.id)]).toEqual([]);

    // Now it is due: the next run of the digest job sends the four held e-mails as one.
    await account('PUT', path, { channels: ['email'], digest: 'daily', digestTime: '00:00' });
    const digest = await waitFor(
      () => p.mailsTo(PARTNER_CONTACT_EMAIL).find((m) => m.subject.includes('daily digest')),
      { what: 'the digest', timeoutMs: 15_000 },
    );
    expect(digest.subject).toBe('Wandelwerk: 4 notifications (daily digest)');
    expect(digest.text).toContain(`Project "Bibliothek Großräschen": submitted`);
    expect(digest.text).toContain(link(one.id));
    expect(digest.text).toContain(link(two.id));
    expect(digest.text).toContain(`Project "${refused.title}": in review`);
    expect(digest.html).toContain('<html lang="en">');
    expect(await emailStatus(contact.id, one.id)).toEqual(['proposal.submitted:digested']);

    // Today's digest went out: what arrives now waits for tomorrow's, however often the job runs.
    const { proposal: three } = await p.proposalUpTo('submitted');
    await settled(three.id, ['proposal.submitted']);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await emailStatus(contact.id, three.id)).toEqual(['proposal.submitted:waiting']);
    expect(p.mailsTo(PARTNER_CONTACT_EMAIL).filter((m) => m.subject.includes('daily digest'))).toHaveLength(
      1,
    );
    expect(mailsAbout(three.id)).toEqual([]);

    // Back to immediate: held e-mails go out one by one at the next run.
    await account('PUT', path, { channels: ['email'], digest: 'immediate' });
    await waitFor(() => mailsAbout(three.id).length > 0, {
      what: 'the held e-mail sent after switching back',
      timeoutMs: 15_000,
    });
    // The SMTP answer is recorded just after the mail arrived.
    await waitFor(
      async () => (await emailStatus(contact.id, three.id)).join() === 'proposal.submitted:succeeded',
      { what: 'the delivery recorded as succeeded' },
    );
    expect(mailsAbout(three.id)).toHaveLength(1);
  }, 240_000);
});
