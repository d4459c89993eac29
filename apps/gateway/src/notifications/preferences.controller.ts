import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NOTIFICATIONS_RPC, PreferencesDto, PutPreferencesDto, type ActorDto } from '@wandelwerk/contracts';
import { RpcClient } from '@wandelwerk/messaging';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { requireOwnMunicipality } from '../auth/municipality-scope.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiProblemResponses, UuidParam } from '../http/index.js';

/** Notification preferences: a municipality's defaults and each contact's own. */
@ApiTags('notifications')
@Controller('api/v1/municipalities/:municipalityId')
export class PreferencesController {
  constructor(private readonly rpc: RpcClient) {}

  @Get('notification-preferences')
  @Roles('admin', 'municipality')
  @ApiOperation({ summary: 'Voreinstellungen der Kommune / the municipality’s defaults' })
  @ApiOkResponse({ type: PreferencesDto })
  @ApiProblemResponses(404)
  get(
    @CurrentActor() actor: ActorDto,
    @UuidParam('municipalityId') municipalityId: string,
  ): Promise<PreferencesDto> {
    requireOwnMunicipality(actor, municipalityId);
    return this.rpc.request(NOTIFICATIONS_RPC.getPreferences, { actor, municipalityId, contactId: null });
  }

  @Put('notification-preferences')
  @Roles('admin', 'municipality')
  @ApiOperation({ summary: 'Voreinstellungen setzen / set the defaults' })
  @ApiOkResponse({ type: PreferencesDto })
  @ApiProblemResponses(404)
  put(
    @CurrentActor() actor: ActorDto,
    @UuidParam('municipalityId') municipalityId: string,
    @Body() data: PutPreferencesDto,
  ): Promise<PreferencesDto> {
    requireOwnMunicipality(actor, municipalityId);
    return this.rpc.request(NOTIFICATIONS_RPC.putPreferences, {
      actor,
      municipalityId,
      contactId: null,
      data,
    });
  }

  @Get('contacts/:contactId/notification-preferences')
  @Roles('admin', 'municipality')
  @ApiOperation({ summary: 'Einstellungen einer Kontaktperson / a contact’s preferences' })
  @ApiOkResponse({ type: PreferencesDto })
  @ApiProblemResponses(404)
  getContact(
    @CurrentActor() actor: ActorDto,
    @UuidParam('municipalityId') municipalityId: string,
    @UuidParam('contactId') contactId: string,
  ): Promise<PreferencesDto> {
    requireOwnMunicipality(actor, municipalityId);
    return this.rpc.request(NOTIFICATIONS_RPC.getPreferences, { actor, municipalityId, contactId });
  }

  @Put('contacts/:contactId/notification-preferences')
  @Roles('admin', 'municipality')
  @ApiOperation({ summary: 'Einstellungen einer Kontaktperson setzen / set a contact’s preferences' })
  @ApiOkResponse({ type: PreferencesDto })
  @ApiProblemResponses(404)
  putContact(
    @CurrentActor() actor: ActorDto,
    @UuidParam('municipalityId') municipalityId: string,
    @UuidParam('contactId') contactId: string,
    @Body() data: PutPreferencesDto,
  ): Promise<PreferencesDto> {
    requireOwnMunicipality(actor, municipalityId);
    return this.rpc.request(NOTIFICATIONS_RPC.putPreferences, { actor, municipalityId, contactId, data });
  }
}
