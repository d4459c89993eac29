import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AddContactCommand,
  MUNICIPALITIES_RPC,
  ListContactsRequest,
  RemoveContactCommand,
  UpdateContactCommand,
  validateCommand,
  type ContactDto,
  type Page,
} from '@wandelwerk/contracts';
import { ContactsService } from './contacts.service.js';

@Controller()
export class ContactsHandler {
  constructor(private readonly contacts: ContactsService) {}

  @MessagePattern(MUNICIPALITIES_RPC.listContacts)
  list(@Payload() payload: unknown): Promise<Page<ContactDto>> {
    const request = validateCommand(ListContactsRequest, payload);
    return this.contacts.list(request.municipalityId, request.query);
  }

  @MessagePattern(MUNICIPALITIES_RPC.addContact)
  add(@Payload() payload: unknown): Promise<ContactDto> {
    const command = validateCommand(AddContactCommand, payload);
    return this.contacts.add(command.actor, command.municipalityId, command.data);
  }

  @MessagePattern(MUNICIPALITIES_RPC.updateContact)
  update(@Payload() payload: unknown): Promise<ContactDto> {
    const command = validateCommand(UpdateContactCommand, payload);
    return this.contacts.update(command.actor, command.municipalityId, command.contactId, command.data);
  }

  @MessagePattern(MUNICIPALITIES_RPC.removeContact)
  async remove(@Payload() payload: unknown): Promise<{ removed: true }> {
    const command = validateCommand(RemoveContactCommand, payload);
    await this.contacts.remove(command.actor, command.municipalityId, command.contactId);
    return { removed: true };
  }
}
