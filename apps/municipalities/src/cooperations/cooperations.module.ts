import { Module } from '@nestjs/common';
import { CooperationsHandler } from './cooperations.handler.js';
import { CooperationsService } from './cooperations.service.js';

@Module({ controllers: [CooperationsHandler], providers: [CooperationsService] })
export class CooperationsModule {}
