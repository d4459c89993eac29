import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Post,
  Query,
  Req,
  Res,
  Sse,
  type MessageEvent,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  ListNotificationsQuery,
  NOTIFICATIONS_RPC,
  NotificationDeliveriesDto,
  NotificationDto,
  NotificationPageDto,
  ROLES,
  ReadAllResultDto,
  type ActorDto,
} from '@wandelwerk/contracts';
import { RpcClient } from '@wandelwerk/messaging';
import { SETTINGS } from '@wandelwerk/platform';
import type { FastifyReply } from 'fastify';
import { filter, from, interval, map, merge, switchMap, takeUntil, timer, type Observable } from 'rxjs';
import type { GatewaySettings } from '../config/gateway.settings.js';
import { TokenRevocations } from '../auth/token-revocations.js';
import { securityHeaders } from '../http/security-headers.js';
import { CurrentActor, type AuthenticatedRequest } from '../auth/current-actor.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiProblemResponses, UuidParam } from '../http/index.js';
import { LiveNotifications } from './live-notifications.service.js';

/** The caller's own notifications: a municipality account those of its municipality, anyone else their own. */
@ApiTags('notifications')
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly live: LiveNotifications,
    private readonly revocations: TokenRevocations,
    @Inject(SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  @Get()
  @Roles(...ROLES)
  @ApiOperation({ summary: 'Meine Benachrichtigungen, neueste zuerst / my notifications, newest first' })
  @ApiOkResponse({ type: NotificationPageDto })
  list(
    @CurrentActor() actor: ActorDto,
    @Query() query: ListNotificationsQuery,
  ): Promise<NotificationPageDto> {
    return this.rpc.request(NOTIFICATIONS_RPC.list, { actor, query });
  }

  @Sse('stream')
  @Roles(...ROLES)
  @ApiOperation({
    summary:
      'Neue Benachrichtigungen live (Server-Sent Events) / new notifications live: event "notification" with id, title, templateKey',
  })
  @ApiProduces('text/event-stream')
  stream(
    @CurrentActor() actor: ActorDto,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Observable<MessageEvent> {
    // The stream is written to the raw response, past the hook that sets these on every other answer.
    void reply.headers(securityHeaders({ hstsMaxAgeSeconds: this.settings.HSTS_MAX_AGE_SECONDS }));
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
    const heartbeatMs = this.settings.STREAM_HEARTBEAT_SECONDS * 1_000;
    const heartbeat = interval(heartbeatMs).pipe(map((): MessageEvent => ({ type: 'heartbeat', data: '' })));
    // The stream lives as long as the token it was opened with: it ends when the token expires, when it is revoked
    // (logout, a change of the account; checked at every heartbeat), and when the gateway shuts down.
    const token = request.accessToken!;
    const ended = merge(
      timer(Math.max(0, token.expiresAt * 1_000 - Date.now())),
      interval(heartbeatMs).pipe(
        switchMap(() => from(this.revocations.isRevoked(token).catch(() => false))),
        filter((revoked) => revoked),
      ),
      this.live.shutdown,
    );
    return merge(mine, heartbeat).pipe(takeUntil(ended));
  }

  @Post('read-all')
  @Roles(...ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'Alle als gelesen markieren / mark all read' })
  @ApiOkResponse({ type: ReadAllResultDto })
  readAll(@CurrentActor() actor: ActorDto): Promise<ReadAllResultDto> {
    return this.rpc.request(NOTIFICATIONS_RPC.readAll, { actor });
  }

  @Post(':id/read')
  @Roles(...ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'Als gelesen markieren / mark read' })
  @ApiOkResponse({ type: NotificationDto })
  @ApiProblemResponses(404)
  markRead(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<NotificationDto> {
    return this.rpc.request(NOTIFICATIONS_RPC.markRead, { actor, id });
  }

  @Get(':id/deliveries')
  @Roles(...ROLES)
  @ApiOperation({
    summary: 'Zustellversuche / every delivery attempt: time, channel, status code or SMTP answer, error',
  })
  @ApiOkResponse({ type: NotificationDeliveriesDto })
  @ApiProblemResponses(404)
  deliveries(@CurrentActor() actor: ActorDto, @UuidParam() id: string): Promise<NotificationDeliveriesDto> {
    return this.rpc.request(NOTIFICATIONS_RPC.deliveries, { actor, id });
  }
}
