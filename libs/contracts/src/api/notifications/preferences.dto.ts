import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsUUID,
  Matches,
  ValidateNested,
} from 'class-validator';
import { EVENT_CATALOGUE } from '../../catalogue.js';
import { NOTIFICATION_CHANNELS, type NotificationChannel } from '../../events/shared/references.event.js';
import { ActorDto } from '../actor.js';
import { localizedMessage } from '../validation.js';

/**
 * The event types a preference may name: those the notifications service consumes (the catalogue says which), and
 * its own webhook pause. A closed list, so the API document bounds each entry and a typo is refused, not ignored.
 */
export const NOTIFIABLE_EVENT_TYPES: readonly string[] = Object.freeze([
  ...EVENT_CATALOGUE.filter((d) => d.consumers.includes('notifications')).map((d) => d.type),
  'notifications.webhook.paused.v1',
]);

export const DIGEST_MODES = ['immediate', 'daily'] as const;
export type DigestMode = (typeof DIGEST_MODES)[number];

/**
 * How a municipality (its defaults) or one of its contacts wants to be notified. Rejections and overdue reports
 * always go out, immediately, whatever is set here.
 */
export class PutPreferencesDto {
  @ApiProperty({
    enum: NOTIFICATION_CHANNELS,
    isArray: true,
    description:
      'Kanäle; leer: nichts außer Pflichtnachrichten / channels; empty: nothing but the notifications that always go out',
  })
  @IsArray()
  @ArrayMaxSize(NOTIFICATION_CHANNELS.length)
  @ArrayUnique()
  @IsIn(NOTIFICATION_CHANNELS, { each: true })
  channels!: NotificationChannel[];

  @ApiPropertyOptional({
    enum: NOTIFIABLE_EVENT_TYPES,
    isArray: true,
    nullable: true,
    example: ['projects.proposal.approved.v1', 'funding.allocation.approved.v1'],
    description: 'Nur diese Ereignistypen; null: alle / only these event types; null: all',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(NOTIFIABLE_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(
    NOTIFIABLE_EVENT_TYPES,
    localizedMessage('muss ein bekannter Ereignistyp sein', 'must be a known event type', { each: true }),
  )
  eventTypes?: string[] | null;

  @ApiProperty({
    enum: DIGEST_MODES,
    description: 'E-Mails sofort oder täglich gesammelt / e-mails at once or daily',
  })
  @IsIn(DIGEST_MODES)
  digest!: DigestMode;

  @ApiPropertyOptional({ example: '07:00', description: 'Ortszeit (Europe/Berlin) der Tageszusammenfassung' })
  @IsOptional()
  @Matches(
    /^([01][0-9]|2[0-3]):[0-5][0-9]$/,
    localizedMessage('muss eine Uhrzeit HH:MM sein', 'must be a time HH:MM'),
  )
  digestTime?: string;
}

export class PreferencesDto {
  @ApiProperty({ format: 'uuid' }) municipalityId!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) contactId!: string | null;
  @ApiProperty({ enum: NOTIFICATION_CHANNELS, isArray: true }) channels!: NotificationChannel[];
  @ApiProperty({ enum: NOTIFIABLE_EVENT_TYPES, isArray: true, nullable: true }) eventTypes!: string[] | null;
  @ApiProperty({ enum: DIGEST_MODES }) digest!: DigestMode;
  @ApiProperty({ example: '07:00' }) digestTime!: string;
  @ApiProperty({ description: 'false: the defaults apply, nothing was set' }) customized!: boolean;
}

// RPC commands ------------------------------------------------------------------------------------------------

export class PreferencesRequest {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsUUID('4') municipalityId!: string;
  @IsOptional() @IsUUID('4') contactId?: string | null;
}

export class PutPreferencesCommand extends PreferencesRequest {
  @ValidateNested() @Type(() => PutPreferencesDto) data!: PutPreferencesDto;
}
