import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  CreateWebhookDto,
  NOTIFICATIONS_RPC,
  WebhookDto,
  WebhookResumedDto,
  WebhookTestResultDto,
  WebhookWithSecretDto,
  type ActorDto,
} from '@wandelwerk/contracts';
import { RpcClient } from '@wandelwerk/messaging';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { requireOwnMunicipality } from '../auth/municipality-scope.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiProblemResponses, Idempotent, UuidParam } from '../http/index.js';

/** A municipality's webhook endpoints (Standard Webhooks; see docs/notifications.md for verifying them). */
@ApiTags('notifications')
@Controller('api/v1/municipalities/:municipalityId/webhooks')
export class WebhooksController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @Roles('admin', 'municipality')
  @Idempotent()
  @ApiOperation({
    summary: 'Webhook anlegen; das Geheimnis wird nur jetzt gezeigt / register; the secret is shown once',
  })
  @ApiCreatedResponse({ type: WebhookWithSecretDto })
  @ApiProblemResponses(404)
  create(
    @CurrentActor() actor: ActorDto,
    @UuidParam('municipalityId') municipalityId: string,
    @Body() data: CreateWebhookDto,
  ): Promise<WebhookWithSecretDto> {
    requireOwnMunicipality(actor, municipalityId);
    return this.rpc.request(NOTIFICATIONS_RPC.createWebhook, { actor, municipalityId, data });
  }

  @Get()
  @Roles('admin', 'municipality')
  @ApiOperation({ summary: 'Webhooks der Kommune / the municipality’s webhooks' })
  @ApiOkResponse({ type: [WebhookDto] })
  @ApiProblemResponses(404)
  list(
    @CurrentActor() actor: ActorDto,
    @UuidParam('municipalityId') municipalityId: string,
  ): Promise<WebhookDto[]> {
    requireOwnMunicipality(actor, municipalityId);
    return this.rpc.request(NOTIFICATIONS_RPC.listWebhooks, { actor, municipalityId });
  }

  @Delete(':id')
  @Roles('admin', 'municipality')
  @HttpCode(204)
  @ApiOperation({ summary: 'Webhook löschen / delete' })
  @ApiNoContentResponse()
  @ApiProblemResponses(404)
  async remove(
    @CurrentActor() actor: ActorDto,
    @UuidParam('municipalityId') municipalityId: string,
    @UuidParam('id') id: string,
  ): Promise<void> {
    requireOwnMunicipality(actor, municipalityId);
    await this.rpc.request(NOTIFICATIONS_RPC.deleteWebhook, { actor, municipalityId, id });
  }

  @Post(':id/rotate-secret')
  @Roles('admin', 'municipality')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Neues Geheimnis (das alte signiert 24 h mit) / rotate the secret (the old one co-signs for 24 h)',
  })
  @ApiOkResponse({ type: WebhookWithSecretDto })
  @ApiProblemResponses(404)
  rotate(
    @CurrentActor() actor: ActorDto,
    @UuidParam('municipalityId') municipalityId: string,
    @UuidParam('id') id: string,
  ): Promise<WebhookWithSecretDto> {
    requireOwnMunicipality(actor, municipalityId);
    return this.rpc.request(NOTIFICATIONS_RPC.rotateWebhookSecret, { actor, municipalityId, id });
  }

  @Post(':id/test')
  @Roles('admin', 'municipality')
  @HttpCode(200)
  @ApiOperation({ summary: 'Signierten Ping senden / send a signed test ping' })
  @ApiOkResponse({ type: WebhookTestResultDto })
  @ApiProblemResponses(404)
  test(
    @CurrentActor() actor: ActorDto,
    @UuidParam('municipalityId') municipalityId: string,
    @UuidParam('id') id: string,
  ): Promise<WebhookTestResultDto> {
    requireOwnMunicipality(actor, municipalityId);
    return this.rpc.request(NOTIFICATIONS_RPC.testWebhook, { actor, municipalityId, id });
  }

  @Post(':id/resume')
  @Roles('admin', 'municipality')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Pausierten Webhook fortsetzen; Verpasstes wird erneut zugestellt / resume a paused webhook; what it missed is sent again',
  })
  @ApiOkResponse({ type: WebhookResumedDto })
  @ApiProblemResponses(404)
  resume(
    @CurrentActor() actor: ActorDto,
    @UuidParam('municipalityId') municipalityId: string,
    @UuidParam('id') id: string,
  ): Promise<WebhookResumedDto> {
    requireOwnMunicipality(actor, municipalityId);
    return this.rpc.request(NOTIFICATIONS_RPC.resumeWebhook, { actor, municipalityId, id });
  }
}
