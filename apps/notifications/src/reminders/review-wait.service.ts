import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SETTINGS } from '@wandelwerk/platform';
import { DataSource } from 'typeorm';
import type { NotificationsSettings } from '../config/notifications.settings.js';
import { NotificationWriter } from '../recipients/notification-writer.service.js';

/** The source type of the notifications this reminder makes (the service's own; no event is published for it). */
export const REVIEW_WAITING_TYPE = 'notifications.reminder.review-waiting.v1';

/** A UUID (v4 layout) derived from a text, so the same wait always yields the same source id. */
export function derivedUuid(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * "A proposal waits in review longer than REVIEW_WAIT_DAYS": the funding officers of its programme hear of it once
 * per wait (the status and since when it holds; a new submission starts a new wait). The mark and the notifications
 * commit together, and the notifications' source id is derived from the wait, so a repeated run adds nothing.
 */
@Injectable()
export class ReviewWaitReminder {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly writer: NotificationWriter,
    @Inject(SETTINGS) private readonly settings: NotificationsSettings,
  ) {}

  async run(now: Date): Promise<number> {
    const waiting = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM notifications.proposal_read_model
       WHERE status IN ('submitted', 'in-review') AND status_since < $1
         AND wait_reminded_for IS DISTINCT FROM status_since`,
      [new Date(now.getTime() - this.settings.REVIEW_WAIT_DAYS * 86_400_000)],
    );
    let reminded = 0;
    for (const { id } of waiting) {
      reminded += await this.dataSource.transaction(async (manager) => {
        const [p] = await manager.query<
          { title: string; programme_code: string; status: string; status_since: Date }[]
        >(
          `SELECT title, programme_code, status, status_since FROM notifications.proposal_read_model
           WHERE id = $1 AND wait_reminded_for IS DISTINCT FROM status_since FOR UPDATE SKIP LOCKED`,
          [id],
        );
        if (!p) return 0;
        await manager.query(
          `UPDATE notifications.proposal_read_model SET wait_reminded_for = status_since WHERE id = $1`,
          [id],
        );
        const officers = await manager.query<{ user_id: string }[]>(
          `SELECT user_id FROM notifications.programme_officer WHERE programme_code = $1 ORDER BY user_id`,
          [p.programme_code],
        );
        const days = Math.floor((now.getTime() - p.status_since.getTime()) / 86_400_000);
        await this.writer.write(
          manager,
          { id: derivedUuid(`${id}|${p.status_since.toISOString()}`), type: REVIEW_WAITING_TYPE },
          {
            templateKey: 'proposal.waiting-in-review',
            vars: { projectTitle: p.title, status: p.status, days },
            proposalId: id,
            municipalityIds: [],
            userIds: officers.map((o) => o.user_id),
            mandatory: false,
          },
          null,
        );
        return 1;
      });
    }
    return reminded;
  }
}
