import { IntSetting, ServiceSettings } from '@wandelwerk/config';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsString, Matches } from 'class-validator';

/** Settings of the notifications service; field names are the environment variables. */
export class NotificationsSettings extends ServiceSettings {
  override PORT = 3004;

  /**
   * Handler attempts of one event before the dead-letter stream. More than the platform's 5 (about 15 s of
   * redeliveries): an event naming a proposal whose projects events are still on their way (the streams are consumed
   * concurrently, e.g. both catching up after a restart) is retried for about 2 minutes (1 s, 2 s, 4 s … 60 s).
   */
  override EVENT_MAX_ATTEMPTS = 8;

  /** Where e-mails go out: `smtp://host:port` (or `smtps://user:pass@host:465`). `npm start` runs a catcher on 1025. */
  @Matches(/^smtps?:\/\/\S+$/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL = 'smtp://127.0.0.1:1025';

  @IsString()
  @Matches(/^.+@.+$|^.*<.+@.+>$/, { message: 'must be an e-mail address, optionally with a name' })
  SMTP_FROM = 'Wandelwerk <benachrichtigungen@wandelwerk.local>';

  /** The public API's base URL; notifications link to the project there. */
  @Matches(/^https?:\/\/\S+[^/]$/, { message: 'must be an http(s) URL without a trailing slash' })
  PUBLIC_API_URL = 'http://127.0.0.1:3000';

  /** Development only: lets webhooks target loopback, link-local and private addresses. */
  @Transform(({ value }: { value: unknown }) => value === true || value === 'true' || value === '1')
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_TARGETS = false;

  /** Attempts of one e-mail or webhook delivery before it is marked failed. */
  @Type(() => Number)
  @IntSetting(1, 20)
  DELIVERY_MAX_ATTEMPTS = 6;

  /** First retry delay; each further one doubles (BullMQ exponential backoff). */
  @Type(() => Number)
  @IntSetting(10, 600_000, 'milliseconds')
  DELIVERY_BACKOFF_MS = 5_000;

  /** How long a webhook receiver may take to answer. */
  @Type(() => Number)
  @IntSetting(100, 60_000, 'milliseconds')
  WEBHOOK_TIMEOUT_MS = 10_000;

  /** A webhook endpoint whose deliveries failed finally this many times in a row is paused. */
  @Type(() => Number)
  @IntSetting(1, 1000)
  WEBHOOK_PAUSE_AFTER_FAILURES = 3;

  /** How long the previous secret still signs (next to the new one) after a rotation. */
  @Type(() => Number)
  @IntSetting(0, 720, 'hours')
  WEBHOOK_ROTATION_GRACE_HOURS = 24;

  /** Local time (Europe/Berlin) of the daily digest, HH:MM. */
  @Matches(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, { message: 'must be a time HH:MM' })
  DIGEST_DEFAULT_TIME = '07:00';

  /** A proposal submitted or in review for longer than this reminds the funding officers. */
  @Type(() => Number)
  @IntSetting(1, 365, 'days')
  REVIEW_WAIT_DAYS = 14;

  /** How often the review-wait and digest schedulers look for due work. */
  @Type(() => Number)
  @IntSetting(1_000, 86_400_000, 'milliseconds')
  SCHEDULER_INTERVAL_MS = 60_000;

  /** How often pending deliveries not yet queued are looked for (after a crash; new ones are queued at once). */
  @Type(() => Number)
  @IntSetting(50, 60_000, 'milliseconds')
  DISPATCH_POLL_MS = 1_000;

  /**
   * How often deliveries that lost their queue job are looked for, and how long a `pending` one's next attempt must
   * be overdue (by the backoff) first: `pending` and `sending` ones without a waiting, delayed or active job (Redis
   * lost it, BullMQ gave up on it, the sender died) are queued again, a `sending` one to run when its lease ends.
   */
  @Type(() => Number)
  @IntSetting(1_000, 3_600_000, 'milliseconds')
  DELIVERY_SWEEP_MS = 30_000;
}
