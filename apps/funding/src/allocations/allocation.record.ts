import type {
  AllocationApprovalDto,
  AllocationDto,
  AllocationMunicipalityDto,
  AllocationStatus,
  AllocationYearDto,
  FundingYear,
  ProposalRef,
} from '@wandelwerk/contracts';

/** A row of `funding.allocation` with its years and approvals, as PostgreSQL returns it (bigint as text). */
export interface AllocationRow {
  id: string;
  proposal_id: string;
  programme_id: string;
  programme_code: string;
  status: AllocationStatus;
  version: number;
  title: string;
  owner_user_id: string;
  lead_municipality: AllocationMunicipalityDto;
  partners: AllocationMunicipalityDto[];
  municipality_ids: string[];
  total_cost_cents: string;
  eligible_cost_cents: string;
  requested_funding_cents: string;
  funding_rate_basis_points: number;
  amount_cents: string;
  paid_cents: string;
  released_cents: string;
  approvals_required: number;
  planned_start: string;
  planned_end: string;
  grant_decision_date: string | null;
  grant_reference: string | null;
  rejection_reason: string | null;
  cancellation_reason: string | null;
  created_at: Date;
  updated_at: Date;
  years: { year: number; amount_cents: number; paid_cents: number }[];
  approvals: { approver_user_id: string; comment: string | null; at: string }[];
}

/** The columns read for an allocation; its years and approvals as JSON, dates as ISO calendar dates. */
export const ALLOCATION_COLUMNS = `a.id, a.proposal_id, a.programme_id, a.programme_code, a.status, a.version, a.title,
  a.owner_user_id, a.lead_municipality, a.partners, a.municipality_ids, a.total_cost_cents, a.eligible_cost_cents,
  a.requested_funding_cents, a.funding_rate_basis_points, a.amount_cents, a.paid_cents, a.released_cents,
  a.approvals_required, to_char(a.planned_start, 'YYYY-MM-DD') AS planned_start,
  to_char(a.planned_end, 'YYYY-MM-DD') AS planned_end,
  to_char(a.grant_decision_date, 'YYYY-MM-DD') AS grant_decision_date, a.grant_reference, a.rejection_reason,
  a.cancellation_reason, a.created_at, a.updated_at,
  (SELECT coalesce(json_agg(json_build_object('year', y.year, 'amount_cents', y.amount_cents,
     'paid_cents', y.paid_cents) ORDER BY y.year), '[]')
   FROM funding.allocation_year y WHERE y.allocation_id = a.id) AS years,
  (SELECT coalesce(json_agg(json_build_object('approver_user_id', p.approver_user_id, 'comment', p.comment,
     'at', p.at) ORDER BY p.at), '[]')
   FROM funding.allocation_approval p WHERE p.allocation_id = a.id) AS approvals`;

/** The domain view the service decides on: the DTO plus what only the service needs. */
export interface Allocation extends AllocationDto {
  municipalityIds: string[];
}

export function toAllocation(row: AllocationRow): Allocation {
  const years: AllocationYearDto[] = row.years.map((y) => ({
    year: y.year,
    amountCents: Number(y.amount_cents),
    paidCents: Number(y.paid_cents),
    remainingCents: Number(y.amount_cents) - Number(y.paid_cents),
  }));
  const approvals: AllocationApprovalDto[] = row.approvals.map((p) => ({
    approverUserId: p.approver_user_id,
    comment: p.comment,
    at: new Date(p.at).toISOString(),
  }));
  const allocation: AllocationDto = {
    id: row.id,
    status: row.status,
    version: row.version,
    proposalId: row.proposal_id,
    title: row.title,
    ownerUserId: row.owner_user_id,
    programmeId: row.programme_id,
    programmeCode: row.programme_code,
    amountCents: Number(row.amount_cents),
    requestedFundingCents: Number(row.requested_funding_cents),
    eligibleCostCents: Number(row.eligible_cost_cents),
    totalCostCents: Number(row.total_cost_cents),
    fundingRateBasisPoints: row.funding_rate_basis_points,
    years,
    paidCents: Number(row.paid_cents),
    releasedCents: Number(row.released_cents),
    approvalsRequired: row.approvals_required,
    approvals,
    leadMunicipality: row.lead_municipality,
    partners: row.partners,
    plannedStart: row.planned_start,
    plannedEnd: row.planned_end,
    grantDecisionDate: row.grant_decision_date,
    grantReference: row.grant_reference,
    rejectionReason: row.rejection_reason,
    cancellationReason: row.cancellation_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
  // Not part of the answer: a non-enumerable property is left out of the JSON reply.
  return Object.defineProperty(allocation, 'municipalityIds', {
    value: row.municipality_ids,
    enumerable: false,
  }) as Allocation;
}

export function refOf(allocation: AllocationDto): ProposalRef {
  return {
    proposalId: allocation.proposalId,
    title: allocation.title,
    leadMunicipalityId: allocation.leadMunicipality.municipalityId,
    partnerMunicipalityIds: allocation.partners.map((p) => p.municipalityId),
  };
}

/** What every allocation event carries, as of the allocation's current version. */
export function eventBaseOf(allocation: AllocationDto) {
  return {
    version: allocation.version,
    proposal: refOf(allocation),
    programmeId: allocation.programmeId,
    programmeCode: allocation.programmeCode,
    amountCents: allocation.amountCents,
  };
}

export const amountByYear = (allocation: AllocationDto): FundingYear[] =>
  allocation.years.map((y) => ({ year: y.year, amountCents: y.amountCents }));

/** What is approved and not yet paid, per year: the allocation's reservation in the budget. */
export const unpaidByYear = (allocation: AllocationDto): FundingYear[] =>
  allocation.years.map((y) => ({ year: y.year, amountCents: y.remainingCents }));
