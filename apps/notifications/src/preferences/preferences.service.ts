import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { problem, type ActorDto, type PreferencesDto, type PutPreferencesDto } from '@wandelwerk/contracts';
import { SETTINGS } from '@wandelwerk/platform';
import { DataSource } from 'typeorm';
import type { NotificationsSettings } from '../config/notifications.settings.js';
import { requireManagedMunicipality } from '../read-models/municipality-scope.js';

interface PreferencesRow {
  channels: PreferencesDto['channels'];
  event_types: string[] | null;
  digest: 'immediate' | 'daily';
  digest_time: string;
}

/**
 * Notification preferences per municipality (its defaults) and per contact (falling back to the municipality's).
 * Held here, not in the municipalities service: see docs/notifications.md, "Preferences".
 */
@Injectable()
export class PreferencesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SETTINGS) private readonly settings: NotificationsSettings,
  ) {}

  private async scope(actor: ActorDto, municipalityId: string, contactId: string | null): Promise<void> {
    await requireManagedMunicipality(this.dataSource, actor, municipalityId);
    if (contactId) {
      const [contact] = await this.dataSource.query<{ id: string }[]>(
        `SELECT id FROM notifications.contact_read_model WHERE id = $1 AND municipality_id = $2 AND active`,
        [contactId, municipalityId],
      );
      if (!contact)
        throw problem(
          404,
          'contact.not-found',
          {
            de: 'Diese Kontaktperson gibt es bei der Gemeinde nicht.',
            en: 'The municipality has no such contact.',
          },
          { contactId },
        );
    }
  }

  async get(actor: ActorDto, municipalityId: string, contactId: string | null): Promise<PreferencesDto> {
    await this.scope(actor, municipalityId, contactId);
    const [own] = await this.rows(municipalityId, contactId);
    const [fallback] = contactId && !own ? await this.rows(municipalityId, null) : [];
    const row = own ?? fallback;
    return {
      municipalityId,
      contactId,
      channels: row?.channels ?? (contactId ? ['email'] : ['in-app', 'webhook']),
      eventTypes: row?.event_types ?? null,
      digest: row?.digest ?? 'immediate',
      digestTime: row?.digest_time ?? this.settings.DIGEST_DEFAULT_TIME,
      customized: !!own,
    };
  }

  async put(
    actor: ActorDto,
    municipalityId: string,
    contactId: string | null,
    data: PutPreferencesDto,
  ): Promise<PreferencesDto> {
    await this.scope(actor, municipalityId, contactId);
    await this.dataSource.query(
      `INSERT INTO notifications.preferences (id, municipality_id, contact_id, channels, event_types, digest,
         digest_time, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp())
       ON CONFLICT (municipality_id, coalesce(contact_id, '00000000-0000-0000-0000-000000000000'::uuid))
       DO UPDATE SET channels = excluded.channels, event_types = excluded.event_types, digest = excluded.digest,
         digest_time = excluded.digest_time, updated_at = excluded.updated_at`,
      [
        randomUUID(),
        municipalityId,
        contactId,
        data.channels,
        data.eventTypes ?? null,
        data.digest,
        data.digestTime ?? this.settings.DIGEST_DEFAULT_TIME,
      ],
    );
    return this.get(actor, municipalityId, contactId);
  }

  private rows(municipalityId: string, contactId: string | null): Promise<PreferencesRow[]> {
    return this.dataSource.query<PreferencesRow[]>(
      `SELECT channels, event_types, digest, digest_time FROM notifications.preferences
       WHERE municipality_id = $1 AND contact_id IS NOT DISTINCT FROM $2`,
      [municipalityId, contactId],
    );
  }
}
