import { Controller, Get, HttpCode, Post, Query, Sse, type MessageEvent } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  ListNotificationsQuery,
  NOTIFICATIONS_RPC,
  NotificationDeliveriesDto,
  NotificationDto,
  NotificationPageDto,
  ReadAllResultDto,
  type ActorDto,
} from '@wandelwerk/contracts';
import { RpcClient } from '@wandelwerk/messaging';
import { filter, interval, map, merge, type Observable } from 'rxjs';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiProblemResponses, UuidParam } from '../http/index.js';
import { LiveNotifications } from './live-notifications.service.js';

const EVERYONE = ['admin', 'program_manager', 'funding_officer', 'municipality'] as const;

/** The caller's own notifications: a municipality account those of its municipality, anyone else their own. */
@ApiTags('notifications')
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly live: LiveNotifications,
  ) {}

  @Get()
  @Roles(...EVERYONE)
  @ApiOperation({ summary: 'Meine Benachrichtigungen, neueste zuerst / my notifications, newest first' })
  @ApiOkResponse({ type: NotificationPageDto })
  list(
    @CurrentActor() actor: ActorDto,
    @Query() query: ListNotificationsQuery,
  ): Promise<NotificationPageDto> {
    return this.rpc.request(NOTIFICATIONS_RPC.list, { actor, query });
  }

  @Sse('stream')
  @Roles(...EVERYONE)
  @ApiOperation({
    summary:
      'Neue Benachrichtigungen live (Server-Sent Events) / new notifications live: event "notification" with id, title, templateKey',
  })
  @ApiProduces('text/event-stream')
  stream(@CurrentActor() actor: ActorDto): Observable<MessageEvent> {
    const inbox =
      actor.role === 'municipality' && actor.municipalityId
        ? { kind: 'municipality', id: actor.municipalityId }
        : { kind: 'user', id: actor.userId };
    const mine = this.live.events.pipe(
      filter(
        (event) =>
          event.data.recipientKind === inbox.kind &&
          event.data.recipientId === inbox.id &&
          event.data.channels.includes('in-app'),
      ),
      map((event): MessageEvent => ({
        id: event.subject,
        type: 'notification',
        data: {
          id: event.subject,
          title: event.data.title,
          templateKey: event.data.templateKey,
          language: event.data.language,
          municipalityId: event.data.municipalityId,
          sourceEventType: event.data.sourceEventType,
          createdAt: event.time,
        },
      })),
    );
    // Keeps proxies from closing an idle stream.
    const heartbeat = interval(15_000).pipe(map((): MessageEvent => ({ type: 'heartbeat', data: '' })));
    return merge(mine, heartbeat);
  }

  @Post('read-all')
  @Roles(...EVERYONE)
  @HttpCode(200)
  @ApiOperation({ summary: 'Alle als gelesen markieren / mark all read' })
  @ApiOkResponse({ type: ReadAllResultDto })
  readAll(@CurrentActor() actor: ActorDto): Promise<ReadAllResultDto> {
    return this.rpc.request(NOTIFICATIONS_RPC.readAll, { actor });
  }

  @Post(':id/read')
  @Roles(...EVERYONE)
  @HttpCode(200)
  @ApiOperation({ summary: 'Als gelesen markieren / mark read' })
  @ApiOkResponse({ type: NotificationDto })
  @ApiProblemResponses(404)
  markRead(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<NotificationDto> {
    return this.rpc.request(NOTIFICATIONS_RPC.markRead, { actor, id });
  }

  @Get(':id/deliveries')
  @Roles(...EVERYONE)
  @ApiOperation({
    summary: 'Zustellversuche / every delivery attempt: time, channel, status code or SMTP answer, error',
  })
  @ApiOkResponse({ type: NotificationDeliveriesDto })
  @ApiProblemResponses(404)
  deliveries(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<NotificationDeliveriesDto> {
    return this.rpc.request(NOTIFICATIONS_RPC.deliveries, { actor, id });
  }
}
