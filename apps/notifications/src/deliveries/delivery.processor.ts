import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DeliveryFailedEvent, DeliverySucceededEvent, WebhookPausedEvent } from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { APP_LOGGER, BackgroundJobs, SETTINGS } from '@wandelwerk/platform';
import { serializeError, type JsonLogger } from '@wandelwerk/observability';
import type { Job } from 'bullmq';
import { DataSource, type EntityManager } from 'typeorm';
import type { NotificationsSettings } from '../config/notifications.settings.js';
import { postWebhook } from '../infrastructure/http/webhook-http.client.js';
import { MailTransport } from '../infrastructure/smtp/mail-transport.js';
import { MANDATORY_TEMPLATES } from '../recipients/notification-plan.js';
import { NotificationWriter } from '../recipients/notification-writer.service.js';
import { renderDigestEmail, renderEmail, type EmailItem } from '../templates/email.js';
import type { Language } from '../templates/templates.js';
import { webhookHeaders } from '../webhooks/signature.js';
import { DELIVERY_CONCURRENCY, DELIVERY_QUEUE, type DeliveryJobData } from './delivery-queue.js';

interface ClaimedDelivery {
  id: string;
  notification_id: string | null;
  digest_id: string | null;
  webhook_id: string | null;
  channel: 'email' | 'webhook';
  target: string;
  payload: string | null;
  attempts: number;
  max_attempts: number;
}

interface Outcome {
  succeeded: boolean;
  httpStatus: number | null;
  smtpResponse: string | null;
  error: string | null;
}

export type DeliveryResult = 'succeeded' | 'failed' | 'skipped' | 'not-claimable';

/** Longer than any one attempt may take (SMTP socket timeout, webhook timeout). */
const LEASE_MS = 60_000;
/**
 * Tries of writing an attempt's outcome, and the pause before each further one (×3 each time: 0.1 s … 8.1 s, about
 * 12 s in all, well within the lease). A pooled connection the server ended (pg_terminate_backend, a restart) fails
 * its first query and is dropped, so a retry gets a fresh one; a short failover is waited out. An outcome not written
 * leaves the delivery `sending` until its lease ends, and it is then sent again.
 */
const OUTCOME_WRITE_ATTEMPTS = 6;
const OUTCOME_RETRY_MS = 100;

/** Thrown to make BullMQ retry with its exponential backoff. */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

/**
 * Sends one delivery per job. Before sending it claims the row in the database (`pending` → `sending` with a
 * lease): a second worker, a replica or a redelivered job finds it claimed or done and sends nothing. Every attempt is
 * logged with its time, duration, HTTP status or SMTP answer and error, and published as a delivery event. A failed
 * attempt goes back to `pending` and is retried by BullMQ after an exponentially growing delay; after the last one
 * the delivery is `failed`. Webhook endpoints that keep failing are paused and the municipality is told.
 */
@Injectable()
export class DeliveryProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: BackgroundJobs,
    private readonly mail: MailTransport,
    private readonly outbox: OutboxPublisher,
    private readonly writer: NotificationWriter,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SETTINGS) private readonly settings: NotificationsSettings,
    @Inject(APP_LOGGER) private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.worker<DeliveryJobData, DeliveryResult>(DELIVERY_QUEUE, (job) => this.process(job), {
      concurrency: DELIVERY_CONCURRENCY,
    });
  }

  async process(job: Pick<Job<DeliveryJobData>, 'data'>): Promise<DeliveryResult> {
    const delivery = await this.claim(job.data.deliveryId);
    if (!delivery) {
      const [row] = await this.dataSource.query<{ status: string }[]>(
        `SELECT status FROM notifications.delivery WHERE id = $1`,
        [job.data.deliveryId],
      );
      // Claimed by a worker that is still within its lease: try again after it, in case that one died.
      if (row?.status === 'sending') throw new RetryLater('delivery is being sent by another worker');
      return 'not-claimable';
    }
    const started = new Date();
    let outcome: Outcome | 'skipped';
    try {
      outcome =
        delivery.channel === 'email' ? await this.sendMail(delivery) : await this.sendWebhook(delivery);
    } catch (error) {
      const err = error as { message?: string; response?: string; responseCode?: number };
      outcome = {
        succeeded: false,
        httpStatus: null,
        smtpResponse: typeof err.response === 'string' ? err.response.slice(0, 1000) : null,
        error: (err.message ?? String(error)).slice(0, 1000),
      };
    }
    const durationMs = Date.now() - started.getTime();
    if (outcome === 'skipped') {
      // Nothing was attempted: the claim's count is taken back, so a resend later numbers its attempts on.
      await this.withRetries(delivery, () =>
        this.dataSource.query(
          `UPDATE notifications.delivery SET status = 'skipped', attempts = attempts - 1, lease_until = NULL,
             updated_at = clock_timestamp()
           WHERE id = $1 AND status = 'sending' AND attempts = $2`,
          [delivery.id, delivery.attempts],
        ),
      );
      return 'skipped';
    }
    const result = outcome;
    const final = !result.succeeded && delivery.attempts >= delivery.max_attempts;
    const nextAttemptAt = result.succeeded || final ? null : this.nextAttemptAt(delivery.attempts);
    await this.withRetries(delivery, () =>
      this.recordOutcome(delivery, started, durationMs, result, final, nextAttemptAt),
    );
    if (result.succeeded) return 'succeeded';
    if (final) return 'failed';
    throw new RetryLater(result.error ?? 'delivery failed');
  }

  /**
   * Writes an attempt's outcome, trying again on failure. Each try is one transaction that first takes the row from
   * this claim (`sending`, this attempt's number): a try whose commit went through but whose answer was lost, tried
   * again, finds the row taken and writes nothing twice; so does one whose lease ran out and whose delivery another
   * worker claimed since.
   */
  private async withRetries(delivery: ClaimedDelivery, write: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        return;
      } catch (error) {
        if (attempt >= OUTCOME_WRITE_ATTEMPTS) {
          this.logger.write(
            'error',
            'outcome of a delivery attempt not recorded; it is sent again after its lease',
            {
              deliveryId: delivery.id,
              attempt: delivery.attempts,
              tries: attempt,
              err: serializeError(error),
            },
          );
          throw error;
        }
        this.logger.write('warn', 'outcome of a delivery attempt not recorded; trying again', {
          deliveryId: delivery.id,
          attempt: delivery.attempts,
          try: attempt,
          err: serializeError(error),
        });
        await new Promise((resolve) => setTimeout(resolve, OUTCOME_RETRY_MS * 3 ** (attempt - 1)));
      }
    }
  }

  private async recordOutcome(
    delivery: ClaimedDelivery,
    started: Date,
    durationMs: number,
    result: Outcome,
    final: boolean,
    nextAttemptAt: string | null,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [, taken] = await manager.query<[unknown[], number]>(
        `UPDATE notifications.delivery SET status = $2, lease_until = NULL, updated_at = clock_timestamp()
         WHERE id = $1 AND status = 'sending' AND attempts = $3`,
        [delivery.id, result.succeeded ? 'succeeded' : final ? 'failed' : 'pending', delivery.attempts],
      );
      if (taken === 0) {
        this.logger.write('warn', 'outcome of a delivery attempt already recorded or its claim lost', {
          deliveryId: delivery.id,
          attempt: delivery.attempts,
        });
        return;
      }
      await manager.query(
        `INSERT INTO notifications.delivery_attempt (delivery_id, attempt, started_at, duration_ms, succeeded,
           http_status, smtp_response, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          delivery.id,
          delivery.attempts,
          started,
          durationMs,
          result.succeeded,
          result.httpStatus,
          result.smtpResponse,
          result.error,
        ],
      );
      const common = {
        notificationId: delivery.notification_id ?? delivery.digest_id ?? delivery.id,
        channel: delivery.channel,
        attempt: delivery.attempts,
        maxAttempts: delivery.max_attempts,
        httpStatus: result.httpStatus,
      };
      await this.outbox.publish(
        manager,
        result.succeeded
          ? {
              type: DeliverySucceededEvent.type,
              subject: delivery.id,
              data: {
                ...common,
                durationMs: Math.min(durationMs, 3_600_000),
              } satisfies DeliverySucceededEvent,
            }
          : {
              type: DeliveryFailedEvent.type,
              subject: delivery.id,
              data: {
                ...common,
                error: result.error ?? 'failed',
                final,
                nextAttemptAt,
              } satisfies DeliveryFailedEvent,
            },
      );
      if (delivery.webhook_id) await this.trackWebhook(manager, delivery.webhook_id, result, final);
    });
  }

  /** The BullMQ backoff of the attempt after `attempt`: delay × 2^(attempt−1). */
  private nextAttemptAt(attempt: number): string {
    return new Date(Date.now() + this.settings.DELIVERY_BACKOFF_MS * 2 ** (attempt - 1)).toISOString();
  }

  private async claim(deliveryId: string): Promise<ClaimedDelivery | undefined> {
    const rows = await this.dataSource.query<[ClaimedDelivery[], number]>(
      `UPDATE notifications.delivery
       SET status = 'sending', attempts = attempts + 1, lease_until = clock_timestamp() + $2 * interval '1 millisecond',
         updated_at = clock_timestamp()
       WHERE id = $1 AND (status = 'pending' OR (status = 'sending' AND lease_until < clock_timestamp()))
       RETURNING id, notification_id, digest_id, webhook_id, channel, target, payload, attempts, max_attempts`,
      [deliveryId, LEASE_MS],
    );
    return rows[0]?.[0];
  }

  private async sendMail(delivery: ClaimedDelivery): Promise<Outcome> {
    const mail = delivery.digest_id
      ? await this.digestMail(delivery.digest_id)
      : await this.singleMail(delivery);
    const receipt = await this.mail.send({
      to: delivery.target,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: `<${delivery.notification_id ?? delivery.digest_id}@wandelwerk.notifications>`,
    });
    return { succeeded: true, httpStatus: null, smtpResponse: receipt.response, error: null };
  }

  private async singleMail(delivery: ClaimedDelivery) {
    const [n] = await this.dataSource.query<(EmailItem & { language: Language })[]>(
      `SELECT title, body, link, language FROM notifications.notification WHERE id = $1`,
      [delivery.notification_id],
    );
    if (!n) throw new Error(`notification ${delivery.notification_id} not found`);
    return renderEmail(n, n.language);
  }

  private async digestMail(digestId: string) {
    const items = await this.dataSource.query<(EmailItem & { language: Language })[]>(
      `SELECT n.title, n.body, n.link, n.language FROM notifications.delivery d
       JOIN notifications.notification n ON n.id = d.notification_id
       WHERE d.included_in = $1
       ORDER BY n.created_at, n.id`,
      [digestId],
    );
    return renderDigestEmail(items, items[0]?.language ?? 'de');
  }

  private async sendWebhook(delivery: ClaimedDelivery): Promise<Outcome | 'skipped'> {
    const [webhook] = await this.dataSource.query<
      { url: string; secret: string; previous_secret: string | null; status: string; deleted: boolean }[]
    >(
      `SELECT url, secret, CASE WHEN previous_secret_until > clock_timestamp() THEN previous_secret END AS previous_secret,
         status, deleted_at IS NOT NULL AS deleted
       FROM notifications.webhook WHERE id = $1`,
      [delivery.webhook_id],
    );
    // A paused or deleted endpoint gets nothing more; the delivery log says so.
    if (!webhook || webhook.deleted || webhook.status !== 'active') return 'skipped';
    const body = delivery.payload ?? '{}';
    const messageId = `msg_${delivery.notification_id ?? delivery.id}`;
    const secrets = [webhook.secret, ...(webhook.previous_secret ? [webhook.previous_secret] : [])];
    const response = await postWebhook(
      webhook.url,
      body,
      webhookHeaders(secrets, messageId, Math.floor(Date.now() / 1000), body),
      {
        allowPrivate: this.settings.WEBHOOK_ALLOW_PRIVATE_TARGETS,
        timeoutMs: this.settings.WEBHOOK_TIMEOUT_MS,
      },
    );
    const ok = response.status >= 200 && response.status < 300;
    return {
      succeeded: ok,
      httpStatus: response.status,
      smtpResponse: null,
      error: ok ? null : `HTTP ${response.status}${response.body ? `: ${response.body.slice(0, 200)}` : ''}`,
    };
  }

  /** A success resets the endpoint's failure count; a delivery given up counts, and enough in a row pause it. */
  private async trackWebhook(
    manager: EntityManager,
    webhookId: string,
    result: Outcome,
    final: boolean,
  ): Promise<void> {
    if (result.succeeded) {
      // Only when there is something to reset: concurrent deliveries to one endpoint would queue on its row lock.
      await manager.query(
        `UPDATE notifications.webhook SET consecutive_failures = 0, last_error = NULL
         WHERE id = $1 AND (consecutive_failures <> 0 OR last_error IS NOT NULL)`,
        [webhookId],
      );
      return;
    }
    if (!final) return;
    const [[row]] = await manager.query<
      [{ municipality_id: string; url: string; consecutive_failures: number; status: string }[], number]
    >(
      `UPDATE notifications.webhook SET consecutive_failures = consecutive_failures + 1, last_error = $2,
         updated_at = clock_timestamp()
       WHERE id = $1 RETURNING municipality_id, url, consecutive_failures, status`,
      [webhookId, result.error],
    );
    if (
      !row ||
      row.status !== 'active' ||
      row.consecutive_failures < this.settings.WEBHOOK_PAUSE_AFTER_FAILURES
    )
      return;
    await manager.query(`UPDATE notifications.webhook SET status = 'paused' WHERE id = $1`, [webhookId]);
    const paused = await this.outbox.publish(manager, {
      type: WebhookPausedEvent.type,
      subject: webhookId,
      data: {
        municipalityId: row.municipality_id,
        url: row.url,
        consecutiveFailures: row.consecutive_failures,
        lastError: (result.error ?? 'failed').slice(0, 1000),
        lastHttpStatus: result.httpStatus,
      } satisfies WebhookPausedEvent,
    });
    this.logger.write('warn', 'webhook paused after repeated failures', {
      webhookId,
      failures: row.consecutive_failures,
    });
    await this.writer.write(
      manager,
      paused,
      {
        templateKey: 'webhook.paused',
        vars: { webhookUrl: row.url, failures: row.consecutive_failures },
        proposalId: null,
        municipalityIds: [row.municipality_id],
        userIds: [],
        mandatory: MANDATORY_TEMPLATES.has('webhook.paused'),
      },
      JSON.stringify(paused),
    );
  }
}
