import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ListNotificationsRequest,
  NOTIFICATIONS_RPC,
  NotificationActorRequest,
  NotificationIdRequest,
  validateCommand,
  type NotificationDeliveriesDto,
  type NotificationDto,
  type NotificationPageDto,
} from '@wandelwerk/contracts';
import { InAppService } from './in-app.service.js';

/** The gateway's requests about the caller's notifications; every payload is validated here again. */
@Controller()
export class InAppHandler {
  constructor(private readonly inApp: InAppService) {}

  @MessagePattern(NOTIFICATIONS_RPC.list)
  list(@Payload() payload: unknown): Promise<NotificationPageDto> {
    const { actor, query } = validateCommand(ListNotificationsRequest, payload);
    return this.inApp.list(actor, query);
  }

  @MessagePattern(NOTIFICATIONS_RPC.markRead)
  markRead(@Payload() payload: unknown): Promise<NotificationDto> {
    const { actor, id } = validateCommand(NotificationIdRequest, payload);
    return this.inApp.markRead(actor, id);
  }

  @MessagePattern(NOTIFICATIONS_RPC.readAll)
  readAll(@Payload() payload: unknown): Promise<{ marked: number }> {
    return this.inApp.readAll(validateCommand(NotificationActorRequest, payload).actor);
  }

  @MessagePattern(NOTIFICATIONS_RPC.deliveries)
  deliveries(@Payload() payload: unknown): Promise<NotificationDeliveriesDto> {
    const { actor, id } = validateCommand(NotificationIdRequest, payload);
    return this.inApp.deliveries(actor, id);
  }
}
