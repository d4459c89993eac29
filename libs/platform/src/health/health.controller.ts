import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ShutdownState } from '../lifecycle/shutdown-state.js';
import { checkReadiness, type DependencyCheck, type ReadinessReport } from './readiness.js';

export const DEPENDENCY_CHECKS = Symbol('DEPENDENCY_CHECKS');

@Controller('health')
export class HealthController {
  constructor(
    @Inject(DEPENDENCY_CHECKS) private readonly checks: DependencyCheck[],
    private readonly shutdown: ShutdownState,
  ) {}

  /** Liveness: the process runs and its event loop answers. */
  @Get()
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: every dependency this service uses answers. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await checkReadiness(this.checks, 2_000, this.shutdown.draining);
    void reply.status(report.status === 'ready' ? 200 : 503);
    return report;
  }
}
