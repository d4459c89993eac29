import { Field, is } from '../../validation/field-rules.js';

/** A municipality's webhook endpoint is paused after repeated failures (subject: the webhook's id). */
export class WebhookPausedEvent {
  static readonly type = 'notifications.webhook.paused.v1';
  @Field(is.uuid) municipalityId!: string;
  @Field(is.httpUrl) url!: string;
  @Field(is.int(1, 100_000)) consecutiveFailures!: number;
  @Field(is.text(1000)) lastError!: string;
  @Field(is.int(100, 599), { nullable: true }) lastHttpStatus!: number | null;
}
