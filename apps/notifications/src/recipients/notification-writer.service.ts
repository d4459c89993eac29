import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { NotificationCreatedEvent, type CloudEvent, type NotificationChannel } from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { SETTINGS } from '@wandelwerk/platform';
import type { EntityManager } from 'typeorm';
import type { NotificationsSettings } from '../config/notifications.settings.js';
import { DeliveryDispatcher } from '../deliveries/delivery-dispatcher.service.js';
import { render, type Language } from '../templates/templates.js';
import type { NotificationPlan } from './notification-plan.js';

interface PreferencesRow {
  municipality_id: string;
  contact_id: string | null;
  channels: NotificationChannel[];
  event_types: string[] | null;
  digest: 'immediate' | 'daily';
}

interface Recipient {
  kind: 'user' | 'contact' | 'municipality';
  id: string;
  municipalityId: string | null;
  language: Language;
  channels: NotificationChannel[];
  email?: string;
  /** E-mail held for the daily digest. */
  digest?: boolean;
  webhooks?: { id: string; paused: boolean }[];
}

/** The source of a notification: a domain event, or something the service noticed itself (reminders, pauses). */
export type NotificationSource = Pick<CloudEvent, 'id' | 'type'>;

const MAX_TITLE = 200;
const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A municipality's own defaults, or a contact's own preferences falling back to them. */
function wants(pref: PreferencesRow | undefined, type: string, mandatory: boolean): boolean {
  return mandatory || !pref || pref.event_types === null || pref.event_types.includes(type);
}

function channelsOf(
  pref: PreferencesRow | undefined,
  offered: NotificationChannel[],
  mandatory: boolean,
): NotificationChannel[] {
  if (mandatory || !pref) return offered;
  return offered.filter((channel) => pref.channels.includes(channel));
}

/**
 * Turns a plan into notifications, one per recipient, exactly once per source event and recipient (the unique key
 * makes a redelivered event insert nothing), with their e-mail and webhook deliveries and one
 * `notifications.notification.created.v1` each, all in the caller's transaction.
 */
@Injectable()
export class NotificationWriter {
  constructor(
    private readonly outbox: OutboxPublisher,
    private readonly dispatcher: DeliveryDispatcher,
    @Inject(SETTINGS) private readonly settings: NotificationsSettings,
  ) {}

  async write(
    manager: EntityManager,
    source: NotificationSource,
    plan: NotificationPlan,
    webhookBody: string | null,
  ): Promise<number> {
    const recipients = await this.recipients(manager, source.type, plan);
    if (recipients.length === 0) return 0;
    const link = plan.proposalId
      ? `${this.settings.PUBLIC_API_URL}/api/v1/projects/${plan.proposalId}`
      : null;
    const rows = recipients.map((r) => {
      const text = render(plan.templateKey, plan.vars, r.language);
      return { id: randomUUID(), r, title: clip(text.title, MAX_TITLE), body: text.body };
    });
    const inserted = await manager.query<{ id: string }[]>(
      `INSERT INTO notifications.notification (id, source_event_id, source_event_type, recipient_kind, recipient_id,
         municipality_id, proposal_id, template_key, language, title, body, link, channels, mandatory, created_at)
       SELECT u.id, $1, $2, u.kind, u.recipient, u.municipality, $3, $4, u.language, u.title, u.body, $5,
         string_to_array(u.channels, ','), $6, clock_timestamp()
       FROM unnest($7::uuid[], $8::text[], $9::uuid[], $10::uuid[], $11::text[], $12::text[], $13::text[], $14::text[])
         AS u(id, kind, recipient, municipality, language, title, body, channels)
       ON CONFLICT ON CONSTRAINT notification_once DO NOTHING
       RETURNING id`,
      [
        source.id,
        source.type,
        plan.proposalId,
        plan.templateKey,
        link,
        plan.mandatory,
        rows.map((x) => x.id),
        rows.map((x) => x.r.kind),
        rows.map((x) => x.r.id),
        rows.map((x) => x.r.municipalityId),
        rows.map((x) => x.r.language),
        rows.map((x) => x.title),
        rows.map((x) => x.body),
        rows.map((x) => x.r.channels.join(',')),
      ],
    );
    const created = new Set(inserted.map((row) => row.id));
    const fresh = rows.filter((x) => created.has(x.id));
    if (fresh.length === 0) return 0;

    const deliveries: {
      notification: string;
      channel: string;
      target: string;
      webhook: string | null;
      status: 'pending' | 'waiting' | 'skipped';
    }[] = [];
    for (const { id, r } of fresh) {
      if (r.email && r.channels.includes('email'))
        deliveries.push({
          notification: id,
          channel: 'email',
          target: r.email,
          webhook: null,
          status: r.digest ? 'waiting' : 'pending',
        });
      // A paused endpoint's delivery is kept as skipped: resuming the endpoint sends it then.
      if (r.channels.includes('webhook'))
        for (const webhook of r.webhooks ?? [])
          deliveries.push({
            notification: id,
            channel: 'webhook',
            target: webhook.id,
            webhook: webhook.id,
            status: webhook.paused ? 'skipped' : 'pending',
          });
    }
    if (deliveries.length > 0) {
      await manager.query(
        `INSERT INTO notifications.delivery (id, notification_id, webhook_id, channel, target, payload, status,
           max_attempts, created_at, updated_at)
         SELECT gen_random_uuid(), d.notification, d.webhook, d.channel, d.target,
           CASE WHEN d.channel = 'webhook' THEN $1 END, d.status, $2, clock_timestamp(), clock_timestamp()
         FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[])
           AS d(notification, webhook, channel, target, status)`,
        [
          webhookBody,
          this.settings.DELIVERY_MAX_ATTEMPTS,
          deliveries.map((d) => d.notification),
          deliveries.map((d) => d.webhook),
          deliveries.map((d) => d.channel),
          deliveries.map((d) => d.target),
          deliveries.map((d) => d.status),
        ],
      );
      if (deliveries.some((d) => d.status === 'pending')) this.dispatcher.wakeSoon();
    }
    await this.outbox.publishAll(
      manager,
      fresh.map(({ id, r, title }) => ({
        type: NotificationCreatedEvent.type,
        subject: id,
        causationId: source.id,
        data: {
          recipientKind: r.kind,
          recipientId: r.id,
          municipalityId: r.municipalityId,
          templateKey: plan.templateKey,
          language: r.language,
          title,
          channels: r.channels,
          sourceEventId: source.id,
          sourceEventType: source.type,
        } satisfies NotificationCreatedEvent,
      })),
    );
    return fresh.length;
  }

  private async recipients(
    manager: EntityManager,
    type: string,
    plan: NotificationPlan,
  ): Promise<Recipient[]> {
    const recipients: Recipient[] = [];
    const municipalityIds = plan.municipalityIds;
    if (municipalityIds.length > 0) {
      // One after the other: they share the transaction's connection.
      const inactive = await manager.query<{ id: string }[]>(
        `SELECT id FROM notifications.municipality_read_model WHERE id = ANY($1) AND NOT active`,
        [municipalityIds],
      );
      const contacts = await manager.query<
        { id: string; municipality_id: string; email: string; language: Language }[]
      >(
        `SELECT id, municipality_id, email, language FROM notifications.contact_read_model
         WHERE municipality_id = ANY($1) AND active ORDER BY id`,
        [municipalityIds],
      );
      const prefs = await manager.query<PreferencesRow[]>(
        `SELECT municipality_id, contact_id, channels, event_types, digest FROM notifications.preferences
         WHERE municipality_id = ANY($1)`,
        [municipalityIds],
      );
      const webhooks = await manager.query<{ id: string; municipality_id: string; status: string }[]>(
        `SELECT id, municipality_id, status FROM notifications.webhook
         WHERE municipality_id = ANY($1) AND deleted_at IS NULL ORDER BY created_at`,
        [municipalityIds],
      );
      const skipped = new Set(inactive.map((row) => row.id));
      for (const municipalityId of municipalityIds) {
        if (skipped.has(municipalityId)) continue;
        const defaults = prefs.find((p) => p.municipality_id === municipalityId && p.contact_id === null);
        const hooks = webhooks
          .filter((w) => w.municipality_id === municipalityId)
          .map((w) => ({ id: w.id, paused: w.status !== 'active' }));
        if (wants(defaults, type, plan.mandatory)) {
          const offered: NotificationChannel[] = hooks.length > 0 ? ['in-app', 'webhook'] : ['in-app'];
          const channels = channelsOf(defaults, offered, plan.mandatory);
          if (channels.length > 0)
            recipients.push({
              kind: 'municipality',
              id: municipalityId,
              municipalityId,
              language: 'de',
              channels,
              webhooks: hooks,
            });
        }
        for (const contact of contacts.filter((c) => c.municipality_id === municipalityId)) {
          const pref = prefs.find((p) => p.contact_id === contact.id) ?? defaults;
          if (!wants(pref, type, plan.mandatory)) continue;
          const channels = channelsOf(pref, ['email'], plan.mandatory);
          if (channels.length === 0) continue;
          recipients.push({
            kind: 'contact',
            id: contact.id,
            municipalityId,
            language: contact.language,
            channels,
            email: contact.email,
            digest: !plan.mandatory && pref?.digest === 'daily',
          });
        }
      }
    }
    for (const userId of plan.userIds)
      recipients.push({
        kind: 'user',
        id: userId,
        municipalityId: null,
        language: 'de',
        channels: ['in-app'],
      });
    return recipients;
  }
}
