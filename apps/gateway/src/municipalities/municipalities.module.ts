import { Module } from '@nestjs/common';
import { ContactsController } from './contacts.controller.js';
import { CooperationsController } from './cooperations.controller.js';
import { MunicipalitiesController } from './municipalities.controller.js';

/** The municipality registry's public API; the municipalities service does the work. */
@Module({ controllers: [MunicipalitiesController, ContactsController, CooperationsController] })
export class MunicipalitiesApiModule {}
