import type {
  CostPlanYearDto,
  CreateProposalDto,
  IndicatorDto,
  ProposalDetails,
  ProposalDto,
  ProposalMunicipalityDto,
  ProposalRef,
  ProposalStatus,
  Workshop,
} from '@wandelwerk/contracts';

/** A row of `projects.proposal` as PostgreSQL returns it (bigint as text, dates as text). */
export interface ProposalRow {
  id: string;
  status: ProposalStatus;
  version: number;
  title: string;
  summary: string;
  description: string;
  workshop: Workshop | null;
  programme_code: string;
  owner_user_id: string;
  lead_municipality: ProposalMunicipalityDto;
  partners: ProposalMunicipalityDto[];
  total_cost_cents: string;
  eligible_cost_cents: string;
  requested_funding_cents: string;
  cost_plan: CostPlanYearDto[];
  planned_start: string;
  planned_end: string;
  indicators: IndicatorDto[];
  review_round: number;
  allocation_id: string | null;
  approved_funding_cents: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The columns read for a proposal; dates as ISO calendar dates. */
export const PROPOSAL_COLUMNS = `p.id, p.status, p.version, p.title, p.summary, p.description, p.workshop,
  p.programme_code, p.owner_user_id, p.lead_municipality, p.partners, p.total_cost_cents, p.eligible_cost_cents,
  p.requested_funding_cents, p.cost_plan, to_char(p.planned_start, 'YYYY-MM-DD') AS planned_start,
  to_char(p.planned_end, 'YYYY-MM-DD') AS planned_end, p.indicators, p.review_round, p.allocation_id,
  p.approved_funding_cents, p.created_at, p.updated_at`;

export function toProposalDto(row: ProposalRow): ProposalDto {
  return {
    id: row.id,
    status: row.status,
    version: row.version,
    title: row.title,
    summary: row.summary,
    description: row.description,
    workshop: row.workshop,
    programmeCode: row.programme_code,
    ownerUserId: row.owner_user_id,
    leadMunicipality: row.lead_municipality,
    partners: row.partners,
    totalCostCents: Number(row.total_cost_cents),
    eligibleCostCents: Number(row.eligible_cost_cents),
    requestedFundingCents: Number(row.requested_funding_cents),
    costPlan: row.cost_plan,
    plannedStart: row.planned_start,
    plannedEnd: row.planned_end,
    indicators: row.indicators,
    allocationId: row.allocation_id,
    approvedFundingCents: row.approved_funding_cents === null ? null : Number(row.approved_funding_cents),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The proposal's editable content, as the create DTO has it (for rules and merging a patch). */
export function contentOf(dto: ProposalDto): CreateProposalDto {
  return {
    title: dto.title,
    summary: dto.summary,
    description: dto.description,
    workshop: dto.workshop,
    programmeCode: dto.programmeCode,
    leadMunicipality: {
      municipalityId: dto.leadMunicipality.municipalityId,
      costShareBasisPoints: dto.leadMunicipality.costShareBasisPoints,
    },
    partners: dto.partners.map((p) => ({
      municipalityId: p.municipalityId,
      costShareBasisPoints: p.costShareBasisPoints,
    })),
    totalCostCents: dto.totalCostCents,
    eligibleCostCents: dto.eligibleCostCents,
    requestedFundingCents: dto.requestedFundingCents,
    costPlan: dto.costPlan,
    plannedStart: dto.plannedStart,
    plannedEnd: dto.plannedEnd,
    indicators: dto.indicators,
  };
}

/** The snapshot every proposal event carries. */
export function detailsOf(dto: ProposalDto): ProposalDetails {
  return {
    title: dto.title,
    summary: dto.summary,
    programmeCode: dto.programmeCode,
    workshop: dto.workshop,
    ownerUserId: dto.ownerUserId,
    leadMunicipality: dto.leadMunicipality,
    partners: dto.partners,
    totalCostCents: dto.totalCostCents,
    eligibleCostCents: dto.eligibleCostCents,
    requestedFundingCents: dto.requestedFundingCents,
    plannedStart: dto.plannedStart,
    plannedEnd: dto.plannedEnd,
  };
}

export function refOf(dto: ProposalDto): ProposalRef {
  return {
    proposalId: dto.id,
    title: dto.title,
    leadMunicipalityId: dto.leadMunicipality.municipalityId,
    partnerMunicipalityIds: dto.partners.map((p) => p.municipalityId),
  };
}
