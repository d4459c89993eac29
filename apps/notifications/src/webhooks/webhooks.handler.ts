import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateWebhookCommand,
  MunicipalityWebhooksRequest,
  NOTIFICATIONS_RPC,
  validateCommand,
  WebhookIdRequest,
  type WebhookDto,
  type WebhookResumedDto,
  type WebhookTestResultDto,
  type WebhookWithSecretDto,
} from '@wandelwerk/contracts';
import { WebhooksService } from './webhooks.service.js';

@Controller()
export class WebhooksHandler {
  constructor(private readonly webhooks: WebhooksService) {}

  @MessagePattern(NOTIFICATIONS_RPC.createWebhook)
  create(@Payload() payload: unknown): Promise<WebhookWithSecretDto> {
    const { actor, municipalityId, data } = validateCommand(CreateWebhookCommand, payload);
    return this.webhooks.create(actor, municipalityId, data);
  }

  @MessagePattern(NOTIFICATIONS_RPC.listWebhooks)
  list(@Payload() payload: unknown): Promise<WebhookDto[]> {
    const { actor, municipalityId } = validateCommand(MunicipalityWebhooksRequest, payload);
    return this.webhooks.list(actor, municipalityId);
  }

  @MessagePattern(NOTIFICATIONS_RPC.deleteWebhook)
  async remove(@Payload() payload: unknown): Promise<null> {
    const { actor, municipalityId, id } = validateCommand(WebhookIdRequest, payload);
    await this.webhooks.remove(actor, municipalityId, id);
    return null;
  }

  @MessagePattern(NOTIFICATIONS_RPC.rotateWebhookSecret)
  rotate(@Payload() payload: unknown): Promise<WebhookWithSecretDto> {
    const { actor, municipalityId, id } = validateCommand(WebhookIdRequest, payload);
    return this.webhooks.rotate(actor, municipalityId, id);
  }

  @MessagePattern(NOTIFICATIONS_RPC.resumeWebhook)
  resume(@Payload() payload: unknown): Promise<WebhookResumedDto> {
    const { actor, municipalityId, id } = validateCommand(WebhookIdRequest, payload);
    return this.webhooks.resume(actor, municipalityId, id);
  }

  @MessagePattern(NOTIFICATIONS_RPC.testWebhook)
  test(@Payload() payload: unknown): Promise<WebhookTestResultDto> {
    const { actor, municipalityId, id } = validateCommand(WebhookIdRequest, payload);
    return this.webhooks.test(actor, municipalityId, id);
  }
}
