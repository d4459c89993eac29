import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  MunicipalityDeactivatedEvent,
  MunicipalityRegisteredEvent,
  MunicipalityUpdatedEvent,
  type ActorDto,
  type MunicipalityDto,
  type RegisterMunicipalityDto,
  type UpdateMunicipalityDto,
} from '@wandelwerk/contracts';
import { OutboxPublisher } from '@wandelwerk/messaging';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { MunicipalityEntity } from './municipality.entity.js';
import {
  MUNICIPALITY_FIELDS,
  municipalitySnapshot,
  toMunicipalityDto,
  type MunicipalityField,
} from './municipality.mapper.js';
import { MunicipalityProblems } from './municipality.problems.js';

/** Register and change municipalities: each change and its event commit together. */
@Injectable()
export class MunicipalityRegistryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
  ) {}

  async register(actor: ActorDto, input: RegisterMunicipalityDto): Promise<MunicipalityDto> {
    return this.dataSource.transaction(async (manager) => {
      const taken = await manager.findOne(MunicipalityEntity, { where: { ags: input.ags } });
      if (taken) throw MunicipalityProblems.agsTaken(input.ags, taken.id);
      const now = new Date();
      const municipality = manager.create(MunicipalityEntity, {
        id: randomUUID(),
        ags: input.ags,
        name: input.name,
        officialName: input.officialName,
        district: input.district,
        state: input.state,
        region: input.region ?? null,
        active: true,
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(MunicipalityEntity, municipality);
      await this.outbox.publish(manager, {
        type: MunicipalityRegisteredEvent.type,
        subject: municipality.id,
        data: municipalitySnapshot(municipality, actor.userId),
      });
      return toMunicipalityDto(municipality);
    });
  }

  async update(actor: ActorDto, id: string, patch: UpdateMunicipalityDto): Promise<MunicipalityDto> {
    return this.dataSource.transaction(async (manager) => {
      const municipality = await this.lockOrFail(manager, id);
      if (patch.active === false && municipality.active && !patch.deactivationReason) {
        throw MunicipalityProblems.reasonRequired();
      }
      const changed = applyPatch(municipality, patch);
      if (changed.length === 0) return toMunicipalityDto(municipality);
      municipality.version += 1;
      municipality.updatedAt = new Date();
      await manager.save(MunicipalityEntity, municipality);
      if (changed.includes('active') && !municipality.active) {
        await this.outbox.publish(manager, {
          type: MunicipalityDeactivatedEvent.type,
          subject: municipality.id,
          data: {
            version: municipality.version,
            ags: municipality.ags,
            name: municipality.name,
            reason: patch.deactivationReason!,
            actorUserId: actor.userId,
          },
        });
      }
      const otherChanges = changed.filter((f) => f !== 'active' || municipality.active);
      if (otherChanges.length > 0) {
        await this.outbox.publish(manager, {
          type: MunicipalityUpdatedEvent.type,
          subject: municipality.id,
          data: { ...municipalitySnapshot(municipality, actor.userId), changedFields: otherChanges },
        });
      }
      return toMunicipalityDto(municipality);
    });
  }

  private async lockOrFail(manager: EntityManager, id: string): Promise<MunicipalityEntity> {
    const municipality = await manager.findOne(MunicipalityEntity, {
      where: { id },
      lock: { mode: 'pessimistic_write' },
    });
    if (!municipality) throw MunicipalityProblems.notFound(id);
    return municipality;
  }
}

/** Applies the fields the patch sets and returns the names of those that really changed. */
export function applyPatch(
  municipality: MunicipalityEntity,
  patch: UpdateMunicipalityDto,
): MunicipalityField[] {
  const changed: MunicipalityField[] = [];
  for (const field of MUNICIPALITY_FIELDS) {
    const value = patch[field];
    if (value === undefined || municipality[field] === value) continue;
    (municipality as unknown as Record<string, unknown>)[field] = value;
    changed.push(field);
  }
  return changed;
}
