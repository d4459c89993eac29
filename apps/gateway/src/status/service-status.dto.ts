import { ApiProperty } from '@nestjs/swagger';

export const BACKEND_SERVICES = ['projects', 'funding', 'municipalities', 'notifications'] as const;
export type BackendService = (typeof BACKEND_SERVICES)[number];

export class ServiceStatusDto {
  @ApiProperty({ enum: BACKEND_SERVICES }) service!: BackendService;

  /** `up`: answered; `unavailable`: no instance listens; `timeout`: an instance did not answer in time. */
  @ApiProperty({ enum: ['up', 'unavailable', 'timeout'] })
  status!: 'up' | 'unavailable' | 'timeout';

  @ApiProperty({ description: 'Round trip of the ping over NATS' }) latencyMs!: number;
}

export class PlatformStatusDto {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status!: 'ok' | 'degraded';
  @ApiProperty({ type: [ServiceStatusDto] }) services!: ServiceStatusDto[];
}
