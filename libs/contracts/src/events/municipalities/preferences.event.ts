import { Field, is, ListField } from '../../validation/field-rules.js';
import { NOTIFICATION_CHANNELS, type NotificationChannel } from '../shared/references.event.js';

export const DIGEST_FREQUENCIES = ['immediate', 'daily', 'weekly'] as const;
export type DigestFrequency = (typeof DIGEST_FREQUENCIES)[number];

/**
 * How a municipality (contactId null: its defaults) or one of its contacts wants to be notified, whole (subject: the
 * preferences' id). A webhook's signing secret never travels in an event: the notifications service issues and keeps it.
 */
export class PreferencesChangedEvent {
  static readonly type = 'municipalities.preferences.changed.v1';
  @Field(is.version) version!: number;
  @Field(is.uuid) municipalityId!: string;
  @Field(is.uuid, { nullable: true }) contactId!: string | null;
  @Field(is.language) language!: 'de' | 'en';
  /** Empty: this recipient gets nothing, not even in-app. */
  @ListField(is.oneOf(NOTIFICATION_CHANNELS), { maxItems: NOTIFICATION_CHANNELS.length, uniqueItems: true })
  channels!: NotificationChannel[];
  @Field(is.oneOf(DIGEST_FREQUENCIES)) digest!: DigestFrequency;
  @Field(is.httpUrl, { nullable: true }) webhookUrl!: string | null;
  /** Event types this recipient does not want to hear about. */
  @ListField(is.eventType, { maxItems: 100, uniqueItems: true }) mutedEventTypes!: string[];
  @Field(is.uuid) actorUserId!: string;
}
