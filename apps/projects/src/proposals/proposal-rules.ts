import type { CostPlanYearDto, CreateProposalDto } from '@wandelwerk/contracts';

/** A broken rule of a proposal: the field it concerns, the rule's stable name and the texts. */
export interface RuleViolation {
  field: string;
  rule: string;
  de: string;
  en: string;
}

export interface ProgrammeFacts {
  code: string;
  maxFundingRateBasisPoints: number;
  firstYear: number;
  lastYear: number;
  active: boolean;
}

export interface MunicipalityFacts {
  id: string;
  active: boolean;
}

export const FULL_SHARE_BASIS_POINTS = 10_000;

const euro = (cents: number): string =>
  `${(BigInt(cents) / 100n).toString()},${String(BigInt(cents) % 100n).padStart(2, '0')} €`;

/** What every saved proposal must satisfy, also a draft: the figures and dates agree with one another. */
export function draftRules(proposal: CreateProposalDto): RuleViolation[] {
  const violations: RuleViolation[] = [];
  if (proposal.eligibleCostCents > proposal.totalCostCents) {
    violations.push({
      field: 'eligibleCostCents',
      rule: 'notGreaterThanTotalCost',
      de: 'darf nicht größer als die Gesamtkosten (totalCostCents) sein',
      en: 'must not be greater than the total cost (totalCostCents)',
    });
  }
  if (proposal.requestedFundingCents > proposal.eligibleCostCents) {
    violations.push({
      field: 'requestedFundingCents',
      rule: 'notGreaterThanEligibleCost',
      de: 'darf nicht größer als die förderfähigen Kosten (eligibleCostCents) sein',
      en: 'must not be greater than the eligible cost (eligibleCostCents)',
    });
  }
  if (proposal.plannedEnd < proposal.plannedStart) {
    violations.push({
      field: 'plannedEnd',
      rule: 'notBeforeStart',
      de: 'darf nicht vor dem Beginn (plannedStart) liegen',
      en: 'must not be before the start (plannedStart)',
    });
  }
  const lead = proposal.leadMunicipality.municipalityId;
  const seen = new Set<string>([lead]);
  proposal.partners.forEach((partner, index) => {
    if (seen.has(partner.municipalityId)) {
      violations.push({
        field: `partners[${index}].municipalityId`,
        rule: partner.municipalityId === lead ? 'notLeadMunicipality' : 'unique',
        de:
          partner.municipalityId === lead
            ? 'darf nicht die federführende Kommune sein'
            : 'nennt eine Kommune ein zweites Mal',
        en:
          partner.municipalityId === lead
            ? 'must not be the lead municipality'
            : 'names a municipality a second time',
      });
    }
    seen.add(partner.municipalityId);
  });
  violations.push(...shareRule(proposal));
  const years = new Set<number>();
  proposal.costPlan.forEach((row, index) => {
    if (years.has(row.year)) {
      violations.push({
        field: `costPlan[${index}].year`,
        rule: 'unique',
        de: `nennt das Jahr ${row.year} ein zweites Mal`,
        en: `names the year ${row.year} a second time`,
      });
    }
    years.add(row.year);
  });
  return violations;
}

function shareRule(proposal: CreateProposalDto): RuleViolation[] {
  const sum = [proposal.leadMunicipality, ...proposal.partners].reduce(
    (total, share) => total + share.costShareBasisPoints,
    0,
  );
  if (sum === FULL_SHARE_BASIS_POINTS) return [];
  return [
    {
      field: 'partners',
      rule: 'sharesSumTo10000',
      de: `Die Kostenanteile der federführenden Kommune und der Partner ergeben ${sum} statt 10000 Basispunkte (100 %)`,
      en: `The cost shares of the lead municipality and the partners add up to ${sum} instead of 10000 basis points (100 %)`,
    },
  ];
}

/**
 * The rules checked on submit, against the programme and municipalities the service knows from their events.
 * Every rule is checked; all violations are returned.
 */
export function submitRules(
  proposal: CreateProposalDto,
  programme: ProgrammeFacts | null,
  municipalities: ReadonlyMap<string, MunicipalityFacts>,
): RuleViolation[] {
  const violations: RuleViolation[] = [];
  if (!programme) {
    violations.push({
      field: 'programmeCode',
      rule: 'knownProgramme',
      de: `Das Förderprogramm ${proposal.programmeCode} ist nicht bekannt`,
      en: `The funding programme ${proposal.programmeCode} is not known`,
    });
  } else {
    if (!programme.active) {
      violations.push({
        field: 'programmeCode',
        rule: 'activeProgramme',
        de: `Das Förderprogramm ${programme.code} ist nicht aktiv`,
        en: `The funding programme ${programme.code} is not active`,
      });
    }
    // requested ≤ rate × eligible, in integers: requested × 10000 ≤ rate (bp) × eligible.
    const limit = BigInt(programme.maxFundingRateBasisPoints) * BigInt(proposal.eligibleCostCents);
    if (BigInt(proposal.requestedFundingCents) * 10_000n > limit) {
      const max = Number(limit / 10_000n);
      violations.push({
        field: 'requestedFundingCents',
        rule: 'maxFundingRate',
        de: `übersteigt den Höchstfördersatz des Programms ${programme.code} von ${programme.maxFundingRateBasisPoints / 100} % der förderfähigen Kosten (höchstens ${euro(max)})`,
        en: `exceeds the maximum funding rate of programme ${programme.code}, ${programme.maxFundingRateBasisPoints / 100} % of the eligible cost (at most ${euro(max)})`,
      });
    }
    proposal.costPlan.forEach((row, index) => {
      if (row.year < programme.firstYear || row.year > programme.lastYear) {
        violations.push({
          field: `costPlan[${index}].year`,
          rule: 'insideFundingPeriod',
          de: `liegt nicht im Förderzeitraum ${programme.firstYear}–${programme.lastYear} des Programms ${programme.code}`,
          en: `is outside the funding period ${programme.firstYear}–${programme.lastYear} of programme ${programme.code}`,
        });
      }
    });
  }
  const planned = costPlanTotal(proposal.costPlan);
  if (planned !== proposal.eligibleCostCents) {
    violations.push({
      field: 'costPlan',
      rule: 'sumsToEligibleCost',
      de: `Der Kostenplan ergibt ${euro(planned)}, die förderfähigen Kosten sind ${euro(proposal.eligibleCostCents)}`,
      en: `The cost plan adds up to ${euro(planned)}, the eligible cost is ${euro(proposal.eligibleCostCents)}`,
    });
  }
  const participants = [
    { field: 'leadMunicipality.municipalityId', id: proposal.leadMunicipality.municipalityId },
    ...proposal.partners.map((p, i) => ({ field: `partners[${i}].municipalityId`, id: p.municipalityId })),
  ];
  for (const { field, id } of participants) {
    const known = municipalities.get(id);
    if (!known) {
      violations.push({
        field,
        rule: 'municipalityExists',
        de: `Die Kommune ${id} ist nicht bekannt`,
        en: `The municipality ${id} is not known`,
      });
    } else if (!known.active) {
      violations.push({
        field,
        rule: 'municipalityActive',
        de: `Die Kommune ${id} ist nicht aktiv`,
        en: `The municipality ${id} is not active`,
      });
    }
  }
  violations.push(...shareRule(proposal));
  return violations;
}

export function costPlanTotal(costPlan: readonly CostPlanYearDto[]): number {
  return costPlan.reduce((sum, row) => sum + row.amountCents, 0);
}

/**
 * The requested funding split by the cost plan's years in proportion to each year's eligible cost; the rounding
 * remainder goes to the last year, so the rows add up exactly.
 */
export function requestedFundingByYear(
  costPlan: readonly CostPlanYearDto[],
  requestedFundingCents: number,
): { year: number; amountCents: number }[] {
  const rows = [...costPlan].sort((a, b) => a.year - b.year);
  const total = BigInt(costPlanTotal(rows));
  const requested = BigInt(requestedFundingCents);
  let given = 0n;
  return rows.map((row, index) => {
    const share =
      index === rows.length - 1
        ? requested - given
        : total === 0n
          ? 0n
          : (requested * BigInt(row.amountCents)) / total;
    given += share;
    return { year: row.year, amountCents: Number(share) };
  });
}
