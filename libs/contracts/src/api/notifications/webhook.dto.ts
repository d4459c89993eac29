import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, IsUrl, IsUUID, Length, ValidateNested } from 'class-validator';
import { ActorDto } from '../actor.js';
import { localizedMessage } from '../validation.js';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://ris.senftenberg.de/hooks/wandelwerk', maxLength: 2000 })
  @IsUrl(
    {
      protocols: ['http', 'https'],
      require_protocol: true,
      require_tld: false,
      require_valid_protocol: true,
    },
    localizedMessage('muss eine http(s)-URL sein', 'must be an http(s) URL'),
  )
  @Length(1, 2000)
  url!: string;

  @ApiPropertyOptional({ maxLength: 200, example: 'Ratsinformationssystem' })
  @IsOptional()
  @IsString()
  @Length(0, 200)
  description?: string;
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) municipalityId!: string;
  @ApiProperty() url!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: ['active', 'paused'] }) status!: 'active' | 'paused';
  @ApiProperty() consecutiveFailures!: number;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

/** Only the answers to create and rotate carry the secret; it is never shown again. */
export class WebhookWithSecretDto extends WebhookDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'Signiergeheimnis, nur jetzt sichtbar / signing secret, shown only now',
  })
  secret!: string;
}

/** The answer to resuming: the endpoint, and how many deliveries it missed while paused are sent again now. */
export class WebhookResumedDto extends WebhookDto {
  @ApiProperty({
    description:
      'Erneut zugestellt: übersprungene und seit dem letzten Erfolg aufgegebene Zustellungen / sent again: those skipped while paused and those given up since the last success',
  })
  redelivered!: number;
}

export class WebhookTestResultDto {
  @ApiProperty() succeeded!: boolean;
  @ApiProperty({ type: Number, nullable: true }) httpStatus!: number | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ description: 'webhook-id of the ping' }) messageId!: string;
}

// RPC commands ------------------------------------------------------------------------------------------------

export class MunicipalityWebhooksRequest {
  @ValidateNested() @Type(() => ActorDto) actor!: ActorDto;
  @IsUUID('4') municipalityId!: string;
}

export class CreateWebhookCommand extends MunicipalityWebhooksRequest {
  @ValidateNested() @Type(() => CreateWebhookDto) data!: CreateWebhookDto;
}

export class WebhookIdRequest extends MunicipalityWebhooksRequest {
  @IsUUID('4') id!: string;
}
