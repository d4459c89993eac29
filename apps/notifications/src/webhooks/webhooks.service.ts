import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  buildCloudEvent,
  fieldViolation,
  problem,
  validationProblem,
  type ActorDto,
  type CreateWebhookDto,
  type WebhookDto,
  type WebhookResumedDto,
  type WebhookTestResultDto,
  type WebhookWithSecretDto,
} from '@wandelwerk/contracts';
import { SETTINGS } from '@wandelwerk/platform';
import { DataSource } from 'typeorm';
import type { NotificationsSettings } from '../config/notifications.settings.js';
import { DeliveryDispatcher } from '../deliveries/delivery-dispatcher.service.js';
import { postWebhook } from '../infrastructure/http/webhook-http.client.js';
import { checkTarget, ForbiddenTargetError } from '../infrastructure/http/target-guard.js';
import { requireManagedMunicipality } from '../read-models/municipality-scope.js';
import { newWebhookSecret, webhookHeaders } from './signature.js';

interface WebhookRow {
  id: string;
  municipality_id: string;
  url: string;
  description: string;
  secret: string;
  status: 'active' | 'paused';
  consecutive_failures: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, municipality_id, url, description, secret, status, consecutive_failures, last_error, created_at,
  updated_at`;

const toDto = (row: WebhookRow): WebhookDto => ({
  id: row.id,
  municipalityId: row.municipality_id,
  url: row.url,
  description: row.description,
  status: row.status,
  consecutiveFailures: row.consecutive_failures,
  lastError: row.last_error,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const notFound = (id: string) =>
  problem(
    404,
    'webhook.not-found',
    { de: 'Diesen Webhook gibt es nicht.', en: 'There is no such webhook.' },
    {
      webhookId: id,
    },
  );

/** Standard Webhooks endpoints per municipality: the secret is shown once, at creation and at each rotation. */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SETTINGS) private readonly settings: NotificationsSettings,
    private readonly dispatcher: DeliveryDispatcher,
  ) {}

  private scope(actor: ActorDto, municipalityId: string): Promise<void> {
    return requireManagedMunicipality(this.dataSource, actor, municipalityId);
  }

  async create(
    actor: ActorDto,
    municipalityId: string,
    data: CreateWebhookDto,
  ): Promise<WebhookWithSecretDto> {
    await this.scope(actor, municipalityId);
    await this.checkUrl(data.url);
    const secret = newWebhookSecret();
    const [row] = await this.dataSource.query<WebhookRow[]>(
      `INSERT INTO notifications.webhook (id, municipality_id, url, description, secret, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'active', clock_timestamp(), clock_timestamp()) RETURNING ${COLUMNS}`,
      [randomUUID(), municipalityId, data.url, data.description ?? '', secret],
    );
    return { ...toDto(row), secret };
  }

  async list(actor: ActorDto, municipalityId: string): Promise<WebhookDto[]> {
    await this.scope(actor, municipalityId);
    const rows = await this.dataSource.query<WebhookRow[]>(
      `SELECT ${COLUMNS} FROM notifications.webhook WHERE municipality_id = $1 AND deleted_at IS NULL
       ORDER BY created_at, id`,
      [municipalityId],
    );
    return rows.map(toDto);
  }

  async remove(actor: ActorDto, municipalityId: string, id: string): Promise<void> {
    await this.scope(actor, municipalityId);
    const [, count] = await this.dataSource.query<[unknown[], number]>(
      `UPDATE notifications.webhook SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
       WHERE id = $1 AND municipality_id = $2 AND deleted_at IS NULL`,
      [id, municipalityId],
    );
    if (count === 0) throw notFound(id);
  }

  /** A new secret; the old one still signs alongside for the grace period, so receivers can switch without a gap. */
  async rotate(actor: ActorDto, municipalityId: string, id: string): Promise<WebhookWithSecretDto> {
    await this.scope(actor, municipalityId);
    const secret = newWebhookSecret();
    const [rows] = await this.dataSource.query<[WebhookRow[], number]>(
      `UPDATE notifications.webhook SET previous_secret = secret,
         previous_secret_until = clock_timestamp() + $4 * interval '1 hour', secret = $3, updated_at = clock_timestamp()
       WHERE id = $1 AND municipality_id = $2 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
      [id, municipalityId, secret, this.settings.WEBHOOK_ROTATION_GRACE_HOURS],
    );
    if (!rows[0]) throw notFound(id);
    return { ...toDto(rows[0]), secret };
  }

  /**
   * Resumes a paused endpoint and sends it, oldest first, what it missed: the deliveries skipped while it was paused
   * and those given up since its last success (the failures that paused it). Each goes out under its original
   * `webhook-id`, with a fresh set of attempts. Resuming an active endpoint changes nothing.
   */
  async resume(actor: ActorDto, municipalityId: string, id: string): Promise<WebhookResumedDto> {
    await this.scope(actor, municipalityId);
    const resumed = await this.dataSource.transaction(async (manager) => {
      const [before] = await manager.query<{ status: string }[]>(
        `SELECT status FROM notifications.webhook
         WHERE id = $1 AND municipality_id = $2 AND deleted_at IS NULL FOR UPDATE`,
        [id, municipalityId],
      );
      if (!before) throw notFound(id);
      const [[row]] = await manager.query<[WebhookRow[], number]>(
        `UPDATE notifications.webhook SET status = 'active', consecutive_failures = 0, updated_at = clock_timestamp()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [id],
      );
      if (before.status !== 'paused') return { row, redelivered: 0 };
      const [, redelivered] = await manager.query<[unknown[], number]>(
        `UPDATE notifications.delivery SET status = 'pending', queued_at = NULL, lease_until = NULL,
           round = round + 1, max_attempts = attempts + $2, updated_at = clock_timestamp()
         WHERE webhook_id = $1 AND (status = 'skipped' OR (status = 'failed' AND created_at > coalesce(
           (SELECT max(created_at) FROM notifications.delivery WHERE webhook_id = $1 AND status = 'succeeded'),
           '-infinity')))`,
        [id, this.settings.DELIVERY_MAX_ATTEMPTS],
      );
      return { row, redelivered };
    });
    // The dispatcher queues them in the order they were made.
    if (resumed.redelivered > 0) this.dispatcher.wakeSoon();
    return { ...toDto(resumed.row), redelivered: resumed.redelivered };
  }

  /** Sends a signed ping now and answers what the receiver said (a paused endpoint can be tested too). */
  async test(actor: ActorDto, municipalityId: string, id: string): Promise<WebhookTestResultDto> {
    await this.scope(actor, municipalityId);
    const [row] = await this.dataSource.query<WebhookRow[]>(
      `SELECT ${COLUMNS} FROM notifications.webhook WHERE id = $1 AND municipality_id = $2 AND deleted_at IS NULL`,
      [id, municipalityId],
    );
    if (!row) throw notFound(id);
    const ping = buildCloudEvent({
      type: 'notifications.webhook.ping.v1',
      subject: id,
      data: { municipalityId, webhookId: id },
      correlationId: randomUUID(),
      causationId: null,
    });
    const body = JSON.stringify(ping);
    const messageId = `msg_${ping.id}`;
    const started = Date.now();
    try {
      const response = await postWebhook(
        row.url,
        body,
        webhookHeaders([row.secret], messageId, Math.floor(started / 1000), body),
        {
          allowPrivate: this.settings.WEBHOOK_ALLOW_PRIVATE_TARGETS,
          // Within the gateway's wait for this answer.
          timeoutMs: Math.min(
            this.settings.WEBHOOK_TIMEOUT_MS,
            Math.max(100, this.settings.RPC_TIMEOUT_MS - 1000),
          ),
        },
      );
      const ok = response.status >= 200 && response.status < 300;
      return {
        succeeded: ok,
        httpStatus: response.status,
        error: ok ? null : `HTTP ${response.status}`,
        durationMs: Date.now() - started,
        messageId,
      };
    } catch (error) {
      return {
        succeeded: false,
        httpStatus: null,
        // Never the address a host resolved to: that would map the internal network for whoever pings.
        error:
          error instanceof ForbiddenTargetError
            ? 'target is not a public address'
            : error instanceof Error
              ? error.message
              : String(error),
        durationMs: Date.now() - started,
        messageId,
      };
    }
  }

  private async checkUrl(url: string): Promise<void> {
    try {
      await checkTarget(new URL(url), this.settings.WEBHOOK_ALLOW_PRIVATE_TARGETS);
    } catch (error) {
      throw validationProblem([
        fieldViolation(
          'url',
          'publicTarget',
          error instanceof ForbiddenTargetError
            ? {
                de: 'darf nicht auf eine Loopback-, Link-Local- oder private Adresse zeigen',
                en: 'must not point to a loopback, link-local or private address',
              }
            : { de: 'muss ein auflösbarer Host sein', en: 'must name a host that resolves' },
        ),
      ]);
    }
  }
}
