import type { MunicipalityDto, MunicipalityRegisteredEvent } from '@wandelwerk/contracts';
import type { MunicipalityEntity } from './municipality.entity.js';

export function toMunicipalityDto(m: MunicipalityEntity): MunicipalityDto {
  return {
    id: m.id,
    ags: m.ags,
    name: m.name,
    officialName: m.officialName,
    district: m.district,
    state: m.state,
    region: m.region,
    active: m.active,
    version: m.version,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

/** The whole municipality as events carry it. */
export function municipalitySnapshot(
  m: MunicipalityEntity,
  actorUserId: string,
): Omit<MunicipalityRegisteredEvent, never> {
  return {
    version: m.version,
    ags: m.ags,
    name: m.name,
    officialName: m.officialName,
    district: m.district,
    state: m.state,
    region: m.region,
    active: m.active,
    actorUserId,
  };
}

export const MUNICIPALITY_FIELDS = ['name', 'officialName', 'district', 'state', 'region', 'active'] as const;
export type MunicipalityField = (typeof MUNICIPALITY_FIELDS)[number];
