import { Field, is, NotGreaterThan } from '../../validation/field-rules.js';
import { NOTIFICATION_CHANNELS, type NotificationChannel } from '../shared/references.event.js';

const HTTP_STATUS = is.int(100, 599);

/** One attempt to deliver a notification on one channel (subject: the delivery's id). */
abstract class DeliveryEvent {
  @Field(is.uuid) notificationId!: string;
  @Field(is.oneOf(NOTIFICATION_CHANNELS)) channel!: NotificationChannel;
  @NotGreaterThan('maxAttempts') @Field(is.int(1, 100)) attempt!: number;
  @Field(is.int(1, 100)) maxAttempts!: number;
  /** The webhook's HTTP answer; null for other channels or when no answer came. */
  @Field(HTTP_STATUS, { nullable: true }) httpStatus!: number | null;
}

export class DeliverySucceededEvent extends DeliveryEvent {
  static readonly type = 'notifications.delivery.succeeded.v1';
  @Field(is.int(0, 3_600_000)) durationMs!: number;
}

export class DeliveryFailedEvent extends DeliveryEvent {
  static readonly type = 'notifications.delivery.failed.v1';
  @Field(is.text(1000)) error!: string;
  /** True after the last attempt: the delivery is given up (and a webhook may be paused). */
  @Field(is.boolean) final!: boolean;
  /** Null when final. */
  @Field(is.utcTime, { nullable: true }) nextAttemptAt!: string | null;
}
