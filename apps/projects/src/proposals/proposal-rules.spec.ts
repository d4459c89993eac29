import { describe, expect, it } from '@jest/globals';
import type { CreateProposalDto } from '@wandelwerk/contracts';
import { draftRules, requestedFundingByYear, submitRules, type MunicipalityFacts } from './proposal-rules.js';

const LEAD = '00000001-0000-4000-8000-000012066304';
const PARTNER = '00000001-0000-4000-8000-000012066112';

const proposal = (patch: Partial<CreateProposalDto> = {}): CreateProposalDto => ({
  title: 'Niederlausitzhalle',
  summary: 'Sanierung',
  description: '',
  workshop: 'culture-tourism-marketing',
  programmeCode: 'INVKG-BB',
  leadMunicipality: { municipalityId: LEAD, costShareBasisPoints: 8000 },
  partners: [{ municipalityId: PARTNER, costShareBasisPoints: 2000 }],
  totalCostCents: 1_240_000_000,
  eligibleCostCents: 1_180_000_000,
  requestedFundingCents: 1_062_000_000,
  costPlan: [
    { year: 2025, amountCents: 236_000_000 },
    { year: 2026, amountCents: 590_000_000 },
    { year: 2027, amountCents: 354_000_000 },
  ],
  plannedStart: '2025-07-01',
  plannedEnd: '2027-12-31',
  indicators: [],
  ...patch,
});

const programme = {
  code: 'INVKG-BB',
  maxFundingRateBasisPoints: 9000,
  firstYear: 2020,
  lastYear: 2026,
  active: true,
};
const known = new Map<string, MunicipalityFacts>([
  [LEAD, { id: LEAD, active: true }],
  [PARTNER, { id: PARTNER, active: true }],
]);
const rulesOf = (violations: { field: string; rule: string }[]) =>
  violations.map((v) => `${v.field}:${v.rule}`);
const inPeriod = { ...programme, lastYear: 2038 };

describe('draft rules', () => {
  it('accepts a consistent proposal', () => {
    expect(draftRules(proposal())).toEqual([]);
  });

  it('names every inconsistency', () => {
    const bad = proposal({
      totalCostCents: 100,
      eligibleCostCents: 200,
      requestedFundingCents: 300,
      plannedEnd: '2025-06-30',
      partners: [
        { municipalityId: LEAD, costShareBasisPoints: 1000 },
        { municipalityId: PARTNER, costShareBasisPoints: 500 },
        { municipalityId: PARTNER, costShareBasisPoints: 600 },
      ],
      costPlan: [
        { year: 2025, amountCents: 100 },
        { year: 2025, amountCents: 100 },
      ],
    });
    expect(rulesOf(draftRules(bad))).toEqual([
      'eligibleCostCents:notGreaterThanTotalCost',
      'requestedFundingCents:notGreaterThanEligibleCost',
      'plannedEnd:notBeforeStart',
      'partners[0].municipalityId:notLeadMunicipality',
      'partners[2].municipalityId:unique',
      'partners:sharesSumTo10000',
      'costPlan[1].year:unique',
    ]);
  });
});

describe('submit rules', () => {
  it('accepts a proposal that keeps every rule', () => {
    expect(submitRules(proposal(), inPeriod, known)).toEqual([]);
  });

  it('accepts exactly the maximum rate and refuses one cent more', () => {
    const max = proposal({ eligibleCostCents: 1_180_000_000, requestedFundingCents: 1_062_000_000 });
    expect(submitRules(max, inPeriod, known)).toEqual([]);
    const over = proposal({ requestedFundingCents: 1_062_000_001 });
    expect(rulesOf(submitRules(over, inPeriod, known))).toEqual(['requestedFundingCents:maxFundingRate']);
  });

  it('computes the rate in integers, also for odd amounts', () => {
    const odd = proposal({
      eligibleCostCents: 3,
      requestedFundingCents: 2,
      totalCostCents: 3,
      costPlan: [{ year: 2025, amountCents: 3 }],
    });
    // 90 % of 3 cents is 2.7 cents: 2 is allowed, 3 is not.
    expect(submitRules(odd, inPeriod, known)).toEqual([]);
    expect(rulesOf(submitRules({ ...odd, requestedFundingCents: 3 }, inPeriod, known))).toEqual([
      'requestedFundingCents:maxFundingRate',
    ]);
  });

  it('refuses cost-plan years outside the funding period', () => {
    expect(rulesOf(submitRules(proposal(), programme, known))).toEqual([
      'costPlan[2].year:insideFundingPeriod',
    ]);
  });

  it('refuses a cost plan that does not add up to the eligible cost', () => {
    const off = proposal({ costPlan: [{ year: 2025, amountCents: 1 }] });
    expect(rulesOf(submitRules(off, inPeriod, known))).toEqual(['costPlan:sumsToEligibleCost']);
  });

  it('refuses an unknown or inactive programme', () => {
    expect(rulesOf(submitRules(proposal(), null, known))).toEqual(['programmeCode:knownProgramme']);
    expect(rulesOf(submitRules(proposal(), { ...inPeriod, active: false }, known))).toEqual([
      'programmeCode:activeProgramme',
    ]);
  });

  it('refuses unknown and inactive municipalities', () => {
    const partly = new Map<string, MunicipalityFacts>([[LEAD, { id: LEAD, active: false }]]);
    expect(rulesOf(submitRules(proposal(), inPeriod, partly))).toEqual([
      'leadMunicipality.municipalityId:municipalityActive',
      'partners[0].municipalityId:municipalityExists',
    ]);
  });

  it('refuses shares that do not add up to 10000 basis points', () => {
    const short = proposal({ partners: [{ municipalityId: PARTNER, costShareBasisPoints: 1999 }] });
    expect(rulesOf(submitRules(short, inPeriod, known))).toEqual(['partners:sharesSumTo10000']);
  });

  it('names German and English texts for every rule', () => {
    for (const violation of submitRules(
      proposal({ requestedFundingCents: 1_180_000_000 }),
      null,
      new Map(),
    )) {
      expect(violation.de).not.toEqual(violation.en);
    }
  });
});

describe('requested funding by year', () => {
  it('splits in proportion to the cost plan and adds up exactly', () => {
    const split = requestedFundingByYear(
      [
        { year: 2026, amountCents: 1 },
        { year: 2025, amountCents: 1 },
        { year: 2027, amountCents: 1 },
      ],
      100,
    );
    expect(split).toEqual([
      { year: 2025, amountCents: 33 },
      { year: 2026, amountCents: 33 },
      { year: 2027, amountCents: 34 },
    ]);
  });
});
