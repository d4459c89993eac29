import { Module } from '@nestjs/common';
import { ContactsHandler } from './contacts.handler.js';
import { ContactsService } from './contacts.service.js';

@Module({ controllers: [ContactsHandler], providers: [ContactsService] })
export class ContactsModule {}
