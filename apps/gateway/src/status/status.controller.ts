import { Controller, Get, HttpException, HttpStatus } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RpcClient } from '@wandelwerk/messaging';
import { Public } from '../auth/roles.decorator.js';
import { BACKEND_SERVICES, PlatformStatusDto, ServiceStatusDto } from './service-status.dto.js';

/** Which services answer over NATS request/reply, as an operator (or a load balancer) sees it through the gateway. */
@ApiTags('platform')
// Public like the health probes: it says which services answer, nothing about any data.
@Public()
@Controller('api/v1/status')
export class StatusController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'Welche Dienste antworten / which services answer' })
  @ApiOkResponse({ type: PlatformStatusDto })
  async status(): Promise<PlatformStatusDto> {
    const services = await Promise.all(BACKEND_SERVICES.map((service) => this.ping(service)));
    return { status: services.every((s) => s.status === 'up') ? 'ok' : 'degraded', services };
  }

  private async ping(service: ServiceStatusDto['service']): Promise<ServiceStatusDto> {
    const started = performance.now();
    const latency = (): number => Math.round(performance.now() - started);
    try {
      await this.rpc.request(`${service}.system.ping`, {}, 1_000);
      return { service, status: 'up', latencyMs: latency() };
    } catch (error) {
      const timedOut =
        error instanceof HttpException && error.getStatus() === (HttpStatus.GATEWAY_TIMEOUT as number);
      return { service, status: timedOut ? 'timeout' : 'unavailable', latencyMs: latency() };
    }
  }
}
