import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SETTINGS } from '@wandelwerk/platform';
import { DataSource } from 'typeorm';
import type { NotificationsSettings } from '../config/notifications.settings.js';
import { DeliveryDispatcher } from '../deliveries/delivery-dispatcher.service.js';
import { digestDue } from './digest-timing.js';

interface WaitingContact {
  contact_id: string;
  email: string;
  digest: string | null;
  digest_time: string | null;
}

/**
 * The digest job: e-mails held for a contact's daily digest go out as one message at the contact's local time. One
 * digest per contact and local day (a unique row), taken up in one transaction with the deliveries it covers, so
 * neither a second run nor a second replica sends them again. Contacts who switched back to immediate get their
 * held e-mails one by one at the next run.
 */
@Injectable()
export class DigestsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly dispatcher: DeliveryDispatcher,
    @Inject(SETTINGS) private readonly settings: NotificationsSettings,
  ) {}

  /** Returns how many digests were made. */
  async run(now: Date): Promise<number> {
    const contacts = await this.dataSource.query<WaitingContact[]>(
      `SELECT DISTINCT ON (n.recipient_id) n.recipient_id AS contact_id, d.target AS email,
         coalesce(own.digest, defaults.digest) AS digest, coalesce(own.digest_time, defaults.digest_time) AS digest_time
       FROM notifications.delivery d
       JOIN notifications.notification n ON n.id = d.notification_id
       LEFT JOIN notifications.preferences own ON own.contact_id = n.recipient_id
       LEFT JOIN notifications.preferences defaults
         ON defaults.municipality_id = n.municipality_id AND defaults.contact_id IS NULL
       WHERE d.status = 'waiting'
       ORDER BY n.recipient_id`,
    );
    let made = 0;
    for (const contact of contacts) {
      if (contact.digest !== 'daily') {
        await this.dataSource.query(
          `UPDATE notifications.delivery d SET status = 'pending', updated_at = clock_timestamp()
           FROM notifications.notification n
           WHERE n.id = d.notification_id AND d.status = 'waiting' AND n.recipient_id = $1`,
          [contact.contact_id],
        );
        this.dispatcher.wakeSoon();
        continue;
      }
      const { due, day } = digestDue(contact.digest_time ?? this.settings.DIGEST_DEFAULT_TIME, now);
      if (!due) continue;
      const digested = await this.dataSource.transaction(async (manager) => {
        const [digest] = await manager.query<{ id: string }[]>(
          `INSERT INTO notifications.digest (id, contact_id, digest_day, created_at)
           VALUES ($1, $2, $3, clock_timestamp()) ON CONFLICT ON CONSTRAINT digest_once DO NOTHING RETURNING id`,
          [randomUUID(), contact.contact_id, day],
        );
        // Today's digest went out already: what arrived since waits for tomorrow's.
        if (!digest) return false;
        const [, count] = await manager.query<[unknown[], number]>(
          `UPDATE notifications.delivery d SET status = 'digested', included_in = $2, updated_at = clock_timestamp()
           FROM notifications.notification n
           WHERE n.id = d.notification_id AND d.status = 'waiting' AND n.recipient_id = $1`,
          [contact.contact_id, digest.id],
        );
        if (count === 0) return false;
        await manager.query(
          `INSERT INTO notifications.delivery (id, digest_id, channel, target, status, max_attempts, created_at,
             updated_at)
           VALUES ($1, $2, 'email', $3, 'pending', $4, clock_timestamp(), clock_timestamp())`,
          [randomUUID(), digest.id, contact.email, this.settings.DELIVERY_MAX_ATTEMPTS],
        );
        return true;
      });
      if (digested) made += 1;
    }
    if (made > 0) this.dispatcher.wakeSoon();
    return made;
  }
}
