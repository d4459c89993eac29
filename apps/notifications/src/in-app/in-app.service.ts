import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  problem,
  type ActorDto,
  type ListNotificationsQuery,
  type NotificationDeliveriesDto,
  type NotificationDto,
  type NotificationPageDto,
} from '@wandelwerk/contracts';
import { fetchKeysetPage, when } from '@wandelwerk/platform';
import { DataSource } from 'typeorm';

interface NotificationRow {
  id: string;
  recipient_kind: string;
  recipient_id: string;
  municipality_id: string | null;
  proposal_id: string | null;
  template_key: string;
  language: 'de' | 'en';
  title: string;
  body: string;
  link: string | null;
  channels: string[];
  source_event_type: string;
  created_at: Date;
  read_at: Date | null;
}

const COLUMNS = `id, recipient_kind, recipient_id, municipality_id, proposal_id, template_key, language, title, body,
  link, channels, source_event_type, created_at, read_at`;

/** Whose in-app notifications a caller sees: a municipality account its municipality's, anyone else their own. */
export function inboxOf(actor: ActorDto): { kind: 'user' | 'municipality'; id: string } {
  return actor.role === 'municipality' && actor.municipalityId
    ? { kind: 'municipality', id: actor.municipalityId }
    : { kind: 'user', id: actor.userId };
}

const toDto = (row: NotificationRow): NotificationDto => ({
  id: row.id,
  recipientKind: row.recipient_kind,
  recipientId: row.recipient_id,
  municipalityId: row.municipality_id,
  proposalId: row.proposal_id,
  templateKey: row.template_key,
  language: row.language,
  title: row.title,
  body: row.body,
  link: row.link,
  channels: row.channels,
  sourceEventType: row.source_event_type,
  createdAt: row.created_at.toISOString(),
  readAt: row.read_at?.toISOString() ?? null,
});

export const notificationNotFound = (id: string) =>
  problem(
    404,
    'notification.not-found',
    { de: 'Diese Benachrichtigung gibt es nicht.', en: 'There is no such notification.' },
    { notificationId: id },
  );

const IN_INBOX = `recipient_kind = $1 AND recipient_id = $2 AND 'in-app' = ANY(channels)`;

/** The in-app inbox: list newest first with the unread count, mark one or all read, and the delivery log. */
@Injectable()
export class InAppService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(actor: ActorDto, query: ListNotificationsQuery): Promise<NotificationPageDto> {
    const inbox = inboxOf(actor);
    const page = await fetchKeysetPage<NotificationRow>(this.dataSource, {
      from: 'notifications.notification',
      columns: COLUMNS,
      filters: [
        [(p) => `recipient_kind = ${p}`, inbox.kind],
        [(p) => `recipient_id = ${p}`, inbox.id],
        [(p) => `${p} = ANY(channels)`, 'in-app'],
        ...when(query.unread ? true : undefined, (p) => `(read_at IS NULL) = ${p}`),
      ],
      sort: [{ field: 'createdAt', direction: 'desc' }],
      sortColumns: { createdAt: 'created_at' },
      sortValues: { createdAt: `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` },
      idColumn: 'id',
      cursor: query.cursor,
      limit: query.limit,
    });
    const [{ count }] = (await this.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM notifications.notification WHERE ${IN_INBOX} AND read_at IS NULL`,
      [inbox.kind, inbox.id],
    )) as [{ count: number }];
    return {
      items: page.items.map(toDto),
      nextCursor: page.nextCursor,
      limit: page.limit,
      unreadCount: count,
    };
  }

  async markRead(actor: ActorDto, id: string): Promise<NotificationDto> {
    const inbox = inboxOf(actor);
    const [rows] = await this.dataSource.query<[NotificationRow[], number]>(
      `UPDATE notifications.notification SET read_at = coalesce(read_at, clock_timestamp())
       WHERE id = $3 AND ${IN_INBOX} RETURNING ${COLUMNS}`,
      [inbox.kind, inbox.id, id],
    );
    const row = rows[0];
    if (!row) throw notificationNotFound(id);
    return toDto(row);
  }

  async readAll(actor: ActorDto): Promise<{ marked: number }> {
    const inbox = inboxOf(actor);
    const [, marked] = await this.dataSource.query<[unknown[], number]>(
      `UPDATE notifications.notification SET read_at = clock_timestamp() WHERE ${IN_INBOX} AND read_at IS NULL`,
      [inbox.kind, inbox.id],
    );
    return { marked };
  }

  /**
   * Every attempt of every delivery of a notification. Visible to its recipient, to the municipality it concerns (a
   * municipality account also sees its contacts' e-mails) and to administrators; to anyone else it does not exist.
   */
  async deliveries(actor: ActorDto, id: string): Promise<NotificationDeliveriesDto> {
    const [n] = await this.dataSource.query<
      { recipient_kind: string; recipient_id: string; municipality_id: string | null; channels: string[] }[]
    >(
      `SELECT recipient_kind, recipient_id, municipality_id, channels FROM notifications.notification WHERE id = $1`,
      [id],
    );
    const visible =
      n &&
      (actor.role === 'admin' ||
        (actor.role === 'municipality'
          ? !!actor.municipalityId && n.municipality_id === actor.municipalityId
          : n.recipient_kind === 'user' && n.recipient_id === actor.userId));
    if (!visible) throw notificationNotFound(id);
    const deliveries = await this.dataSource.query<
      { id: string; channel: 'email' | 'webhook'; target: string; status: string; max_attempts: number }[]
    >(
      `SELECT id, channel, target, status, max_attempts FROM notifications.delivery
       WHERE notification_id = $1 ORDER BY created_at, id`,
      [id],
    );
    const attempts = await this.dataSource.query<
      {
        delivery_id: string;
        attempt: number;
        started_at: Date;
        duration_ms: number;
        succeeded: boolean;
        http_status: number | null;
        smtp_response: string | null;
        error: string | null;
      }[]
    >(
      `SELECT delivery_id, attempt, started_at, duration_ms, succeeded, http_status, smtp_response, error
       FROM notifications.delivery_attempt WHERE delivery_id = ANY($1) ORDER BY seq`,
      [deliveries.map((d) => d.id)],
    );
    return {
      notificationId: id,
      inApp: n.channels.includes('in-app'),
      deliveries: deliveries.map((d) => ({
        id: d.id,
        channel: d.channel,
        target: d.target,
        status: d.status,
        maxAttempts: d.max_attempts,
        attempts: attempts
          .filter((a) => a.delivery_id === d.id)
          .map((a) => ({
            attempt: a.attempt,
            at: a.started_at.toISOString(),
            durationMs: a.duration_ms,
            succeeded: a.succeeded,
            httpStatus: a.http_status,
            smtpResponse: a.smtp_response,
            error: a.error,
          })),
      })),
    };
  }
}
