import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  AddContactDto,
  ContactDto,
  ListContactsQueryDto,
  MUNICIPALITIES_RPC,
  UpdateContactDto,
  type ActorDto,
  type Page,
} from '@wandelwerk/contracts';
import { RpcClient } from '@wandelwerk/messaging';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { requireOwnMunicipality } from '../auth/municipality-scope.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiPageResponse, ApiProblemResponses, Idempotent, UuidParam } from '../http/index.js';

/** Contacts of a municipality: personal data, so a municipality account sees and keeps only its own. */
@ApiTags('municipalities')
@Controller('api/v1/municipalities/:id/contacts')
export class ContactsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @Roles('admin', 'funding_officer', 'program_manager', 'municipality')
  @ApiOperation({ summary: 'Kontakte einer Kommune / contacts of a municipality' })
  @ApiPageResponse(ContactDto)
  @ApiProblemResponses(404)
  list(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Query() query: ListContactsQueryDto,
  ): Promise<Page<ContactDto>> {
    requireOwnMunicipality(actor, id);
    return this.rpc.request(MUNICIPALITIES_RPC.listContacts, { municipalityId: id, query });
  }

  @Post()
  @Idempotent()
  @Roles('admin', 'municipality')
  @ApiOperation({ summary: 'Kontakt hinzufügen / add a contact' })
  @ApiCreatedResponse({ type: ContactDto })
  @ApiProblemResponses(404, 409)
  add(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: AddContactDto,
  ): Promise<ContactDto> {
    requireOwnMunicipality(actor, id);
    return this.rpc.request(MUNICIPALITIES_RPC.addContact, { actor, municipalityId: id, data });
  }

  @Patch(':contactId')
  @Roles('admin', 'municipality')
  @ApiOperation({ summary: 'Kontakt ändern / change a contact' })
  @ApiOkResponse({ type: ContactDto })
  @ApiProblemResponses(404, 409)
  update(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @UuidParam('contactId') contactId: string,
    @Body() data: UpdateContactDto,
  ): Promise<ContactDto> {
    requireOwnMunicipality(actor, id);
    return this.rpc.request(MUNICIPALITIES_RPC.updateContact, { actor, municipalityId: id, contactId, data });
  }

  @Delete(':contactId')
  @Roles('admin', 'municipality')
  @HttpCode(204)
  @ApiOperation({ summary: 'Kontakt entfernen / remove a contact' })
  @ApiNoContentResponse()
  @ApiProblemResponses(404)
  async remove(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @UuidParam('contactId') contactId: string,
  ): Promise<void> {
    requireOwnMunicipality(actor, id);
    await this.rpc.request(MUNICIPALITIES_RPC.removeContact, { actor, municipalityId: id, contactId });
  }
}
