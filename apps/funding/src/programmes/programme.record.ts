import type { ProgrammeDto, ProgrammePublishedEvent, Region } from '@wandelwerk/contracts';

/** A row of `funding.programme` as PostgreSQL returns it (bigint as text). */
export interface ProgrammeRow {
  id: string;
  code: string;
  name: string;
  legal_basis: string;
  max_funding_rate_basis_points: number;
  first_year: number;
  last_year: number;
  eligible_state_codes: string[];
  eligible_regions: Region[];
  four_eyes_threshold_cents: string;
  active: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export const PROGRAMME_COLUMNS = `g.id, g.code, g.name, g.legal_basis, g.max_funding_rate_basis_points, g.first_year,
  g.last_year, g.eligible_state_codes, g.eligible_regions, g.four_eyes_threshold_cents, g.active, g.version,
  g.created_at, g.updated_at`;

export function toProgrammeDto(row: ProgrammeRow): ProgrammeDto {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    legalBasis: row.legal_basis,
    maxFundingRateBasisPoints: row.max_funding_rate_basis_points,
    fundingPeriod: { firstYear: row.first_year, lastYear: row.last_year },
    eligibleStateCodes: row.eligible_state_codes,
    eligibleRegions: row.eligible_regions,
    fourEyesThresholdCents: Number(row.four_eyes_threshold_cents),
    active: row.active,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The snapshot both programme events carry. */
export function snapshotOf(dto: ProgrammeDto, actorUserId: string): ProgrammePublishedEvent {
  return {
    version: dto.version,
    code: dto.code,
    name: dto.name,
    legalBasis: dto.legalBasis,
    maxFundingRateBasisPoints: dto.maxFundingRateBasisPoints,
    fundingPeriod: { ...dto.fundingPeriod },
    eligibleStateCodes: [...dto.eligibleStateCodes],
    eligibleRegions: [...dto.eligibleRegions],
    fourEyesThresholdCents: dto.fourEyesThresholdCents,
    active: dto.active,
    actorUserId,
  };
}

/** Which fields of the public programme changed, by the names the events use. */
export function changedFields(before: ProgrammeDto, after: ProgrammeDto): string[] {
  const fields = [
    'name',
    'legalBasis',
    'maxFundingRateBasisPoints',
    'fundingPeriod',
    'eligibleStateCodes',
    'eligibleRegions',
    'fourEyesThresholdCents',
    'active',
  ] as const;
  return fields.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}
