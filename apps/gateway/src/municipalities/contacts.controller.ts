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
import { CurrentActor } from '../actor/current-actor.decorator.js';
import { ApiPageResponse, ApiProblemResponses, Idempotent, UuidParam } from '../http/index.js';

@ApiTags('municipalities')
@Controller('api/v1/municipalities/:id/contacts')
export class ContactsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'Kontakte einer Kommune / contacts of a municipality' })
  @ApiPageResponse(ContactDto)
  @ApiProblemResponses(404)
  list(@UuidParam() id: string, @Query() query: ListContactsQueryDto): Promise<Page<ContactDto>> {
    return this.rpc.request(MUNICIPALITIES_RPC.listContacts, { municipalityId: id, query });
  }

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Kontakt hinzufügen / add a contact' })
  @ApiCreatedResponse({ type: ContactDto })
  @ApiProblemResponses(404, 409)
  add(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @Body() data: AddContactDto,
  ): Promise<ContactDto> {
    return this.rpc.request(MUNICIPALITIES_RPC.addContact, { actor, municipalityId: id, data });
  }

  @Patch(':contactId')
  @ApiOperation({ summary: 'Kontakt ändern / change a contact' })
  @ApiOkResponse({ type: ContactDto })
  @ApiProblemResponses(404, 409)
  update(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @UuidParam('contactId') contactId: string,
    @Body() data: UpdateContactDto,
  ): Promise<ContactDto> {
    return this.rpc.request(MUNICIPALITIES_RPC.updateContact, { actor, municipalityId: id, contactId, data });
  }

  @Delete(':contactId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Kontakt entfernen / remove a contact' })
  @ApiNoContentResponse()
  @ApiProblemResponses(404)
  async remove(
    @CurrentActor() actor: ActorDto,
    @UuidParam() id: string,
    @UuidParam('contactId') contactId: string,
  ): Promise<void> {
    await this.rpc.request(MUNICIPALITIES_RPC.removeContact, { actor, municipalityId: id, contactId });
  }
}
