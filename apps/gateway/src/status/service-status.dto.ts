export const BACKEND_SERVICES = ['projects', 'funding', 'municipalities', 'notifications'] as const;
export type BackendService = (typeof BACKEND_SERVICES)[number];

export class ServiceStatusDto {
  service!: BackendService;
  /** `up`: answered; `unavailable`: no instance listens; `timeout`: an instance did not answer in time. */
  status!: 'up' | 'unavailable' | 'timeout';
  latencyMs!: number;
}

export class PlatformStatusDto {
  status!: 'ok' | 'degraded';
  services!: ServiceStatusDto[];
}
