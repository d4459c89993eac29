import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { NOTIFICATION_CHANNELS } from '../../events/shared/references.event.js';
import { ActorDto } from '../actor.js';
import { CursorPageQueryDto } from '../pagination.js';
import { ToBoolean } from '../query-params.js';

/** The request/reply patterns of the notifications service. */
export const NOTIFICATIONS_RPC = {
  list: 'notifications.notification.list',
  markRead: 'notifications.notification.mark-read',
  readAll: 'notifications.notification.read-all',
  deliveries: 'notifications.notification.deliveries',
  createWebhook: 'notifications.webhook.create',
  listWebhooks: 'notifications.webhook.list',
  deleteWebhook: 'notifications.webhook.delete',
  rotateWebhookSecret: 'notifications.webhook.rotate-secret',
  testWebhook: 'notifications.webhook.test',
  resumeWebhook: 'notifications.webhook.resume',
  getPreferences: 'notifications.preferences.get',
  putPreferences: 'notifications.preferences.put',
} as const;

/** `GET /api/v1/notifications`: newest first; `unread=true` lists only unread ones. */
export class ListNotificationsQuery extends CursorPageQueryDto {
  @ApiPropertyOptional({ type: Boolean, description: 'Nur ungelesene / only unread ones' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  unread?: boolean;
}

export class NotificationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['user', 'contact', 'municipality'] }) recipientKind!: string;
  @ApiProperty({ format: 'uuid' }) recipientId!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) municipalityId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) proposalId!: string | null;
  @ApiProperty({ example: 'proposal.approved' }) templateKey!: string;
  @ApiProperty({ enum: ['de', 'en'] }) language!: 'de' | 'en';
  @ApiProperty() title!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The project in the API' }) link!: string | null;
  @ApiProperty({ enum: NOTIFICATION_CHANNELS, isArray: true }) channels!: string[];
  @ApiProperty({ example: 'projects.proposal.approved.v1' }) sourceEventType!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) readAt!: string | null;
}

export class NotificationPageDto {
  @ApiProperty({ type: [NotificationDto] }) items!: NotificationDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
  @ApiProperty() limit!: number;
  @ApiProperty({ description: 'Ungelesene insgesamt / unread in total' }) unreadCount!: number;
}

export class ReadAllResultDto {
  @ApiProperty({ description: 'Als gelesen markiert / marked read now' }) marked!: number;
}

export class DeliveryAttemptDto {
  @ApiProperty() attempt!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() durationMs!: number;
  @ApiProperty() succeeded!: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'HTTP status of a webhook' }) httpStatus!:
    number | null;
  @ApiProperty({ type: String, nullable: true, description: "The SMTP server's answer" })
  smtpResponse!: string | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
}

export class DeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['email', 'webhook'] }) channel!: 'email' | 'webhook';
  @ApiProperty({ description: 'E-mail address or webhook id' }) target!: string;
  @ApiProperty({ enum: ['waiting', 'pending', 'sending', 'succeeded', 'failed', 'digested', 'skipped'] })
  status!: string;
  @ApiProperty() maxAttempts!: number;
  @ApiProperty({ type: [DeliveryAttemptDto] }) attempts!: DeliveryAttemptDto[];
}

export class NotificationDeliveriesDto {
  @ApiProperty({ format: 'uuid' }) notificationId!: string;
  @ApiProperty({ description: 'Shown in-app (stored, nothing to send)' })
  inApp!: boolean;
  @ApiProperty({ type: [DeliveryDto] }) deliveries!: DeliveryDto[];
}

// RPC commands ------------------------------------------------------------------------------------------------

export class ListNotificationsRequest {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @ValidateNested() @Type(() => ListNotificationsQuery) query!: ListNotificationsQuery;
}

export class NotificationActorRequest {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
}

export class NotificationIdRequest extends NotificationActorRequest {
  @IsUUID('4') id!: string;
}
