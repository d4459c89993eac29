import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  NOTIFICATIONS_RPC,
  PreferencesRequest,
  PutPreferencesCommand,
  validateCommand,
  type PreferencesDto,
} from '@wandelwerk/contracts';
import { PreferencesService } from './preferences.service.js';

@Controller()
export class PreferencesHandler {
  constructor(private readonly preferences: PreferencesService) {}

  @MessagePattern(NOTIFICATIONS_RPC.getPreferences)
  get(@Payload() payload: unknown): Promise<PreferencesDto> {
    const { actor, municipalityId, contactId } = validateCommand(PreferencesRequest, payload);
    return this.preferences.get(actor, municipalityId, contactId ?? null);
  }

  @MessagePattern(NOTIFICATIONS_RPC.putPreferences)
  put(@Payload() payload: unknown): Promise<PreferencesDto> {
    const { actor, municipalityId, contactId, data } = validateCommand(PutPreferencesCommand, payload);
    return this.preferences.put(actor, municipalityId, contactId ?? null, data);
  }
}
