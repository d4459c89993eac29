import { Module } from '@nestjs/common';
import { PreferencesHandler } from './preferences.handler.js';
import { PreferencesService } from './preferences.service.js';

@Module({ controllers: [PreferencesHandler], providers: [PreferencesService] })
export class PreferencesModule {}
