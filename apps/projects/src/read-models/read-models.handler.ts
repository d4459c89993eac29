import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type {
  CloudEvent,
  MunicipalityDeactivatedEvent,
  MunicipalityRegisteredEvent,
  MunicipalityUpdatedEvent,
  ProgrammePublishedEvent,
  ProgrammeUpdatedEvent,
} from '@wandelwerk/contracts';
import type { EventContext } from '@wandelwerk/messaging';

/**
 * What the projects service knows of municipalities and programmes, kept from their events. Each event carries the
 * aggregate's version; an older one than what is stored changes nothing, so redeliveries and overtaking are harmless.
 */
@Controller()
export class ReadModelsHandler {
  @EventPattern<string>('municipalities.municipality.registered.v1')
  async registered(
    @Payload() event: CloudEvent<MunicipalityRegisteredEvent>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.upsertMunicipality(ctx, event.subject, event.data);
  }

  @EventPattern<string>('municipalities.municipality.updated.v1')
  async updated(
    @Payload() event: CloudEvent<MunicipalityUpdatedEvent>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.upsertMunicipality(ctx, event.subject, event.data);
  }

  @EventPattern<string>('municipalities.municipality.deactivated.v1')
  async deactivated(
    @Payload() event: CloudEvent<MunicipalityDeactivatedEvent>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.upsertMunicipality(ctx, event.subject, { ...event.data, active: false });
  }

  @EventPattern<string>('funding.programme.published.v1')
  async published(
    @Payload() event: CloudEvent<ProgrammePublishedEvent>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.upsertProgramme(ctx, event.subject, event.data);
  }

  @EventPattern<string>('funding.programme.updated.v1')
  async programmeUpdated(
    @Payload() event: CloudEvent<ProgrammeUpdatedEvent>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.upsertProgramme(ctx, event.subject, event.data);
  }

  private async upsertMunicipality(
    ctx: EventContext,
    id: string,
    { ags, name, active, version }: Pick<MunicipalityRegisteredEvent, 'ags' | 'name' | 'active' | 'version'>,
  ): Promise<void> {
    await ctx.manager.query(
      `INSERT INTO projects.municipality_read_model (id, ags, name, active, version) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET ags = excluded.ags, name = excluded.name, active = excluded.active,
         version = excluded.version
       WHERE projects.municipality_read_model.version < excluded.version`,
      [id, ags, name, active, version],
    );
  }

  private async upsertProgramme(ctx: EventContext, id: string, data: ProgrammePublishedEvent): Promise<void> {
    await ctx.manager.query(
      `INSERT INTO projects.programme_read_model
         (id, code, max_funding_rate_basis_points, first_year, last_year, active, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET code = excluded.code,
         max_funding_rate_basis_points = excluded.max_funding_rate_basis_points,
         first_year = excluded.first_year, last_year = excluded.last_year, active = excluded.active,
         version = excluded.version
       WHERE projects.programme_read_model.version < excluded.version`,
      [
        id,
        data.code,
        data.maxFundingRateBasisPoints,
        data.fundingPeriod.firstYear,
        data.fundingPeriod.lastYear,
        data.active,
        data.version,
      ],
    );
  }
}
