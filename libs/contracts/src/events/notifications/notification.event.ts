import { Field, is, ListField } from '../../validation/field-rules.js';
import { NOTIFICATION_CHANNELS, type NotificationChannel } from '../shared/references.event.js';

export const RECIPIENT_KINDS = ['user', 'contact', 'municipality'] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

/** A notification made from a domain event for one recipient (subject: the notification's id). */
export class NotificationCreatedEvent {
  static readonly type = 'notifications.notification.created.v1';
  @Field(is.oneOf(RECIPIENT_KINDS)) recipientKind!: RecipientKind;
  @Field(is.uuid) recipientId!: string;
  /** The municipality it concerns, if any (webhooks are per municipality). */
  @Field(is.uuid, { nullable: true }) municipalityId!: string | null;
  @Field(is.text(80)) templateKey!: string;
  @Field(is.language) language!: 'de' | 'en';
  /** The rendered title, in the recipient's language. */
  @Field(is.text(200)) title!: string;
  @ListField(is.oneOf(NOTIFICATION_CHANNELS), {
    minItems: 1,
    maxItems: NOTIFICATION_CHANNELS.length,
    uniqueItems: true,
  })
  channels!: NotificationChannel[];
  /** The event it was made from (also the envelope's causationid). */
  @Field(is.uuid) sourceEventId!: string;
  @Field(is.eventType) sourceEventType!: string;
}
