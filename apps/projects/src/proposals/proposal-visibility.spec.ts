import { describe, expect, it } from '@jest/globals';
import { type ActorDto, type ProposalMunicipalityDto } from '@wandelwerk/contracts';
import { maySee, scopeOf, type VisibilityFacts } from './proposal-visibility.js';

const OWNER = '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f71';
const OTHER_USER = '6f1c3e2a-8d4b-4c4e-9a1f-2b3c4d5e6f79';
const LEAD = '11111111-1111-4111-8111-111111111111';
const PARTNER = '22222222-2222-4222-8222-222222222222';
const OUTSIDER = '33333333-3333-4333-8333-333333333333';

const share = (municipalityId: string): ProposalMunicipalityDto => ({
  municipalityId,
  ags: '12066304',
  name: 'x',
  costShareBasisPoints: 5000,
});
const proposal: VisibilityFacts = {
  ownerUserId: OWNER,
  leadMunicipality: share(LEAD),
  partners: [share(PARTNER)],
};
const actor = (role: ActorDto['role'], patch: Partial<ActorDto> = {}): ActorDto => ({
  userId: OTHER_USER,
  role,
  municipalityId: null,
  ...patch,
});

describe('proposal visibility', () => {
  it('shows every proposal to administrators and funding officers, whoever owns it', () => {
    for (const role of ['admin', 'funding_officer'] as const) {
      expect(scopeOf(actor(role))).toEqual({ kind: 'all' });
      expect(maySee(actor(role), proposal)).toBe(true);
      // A municipality on the account does not narrow what staff see.
      expect(maySee(actor(role, { municipalityId: OUTSIDER }), proposal)).toBe(true);
    }
  });

  it('shows a program manager only the proposals they own', () => {
    expect(scopeOf(actor('program_manager', { userId: OWNER }))).toEqual({ kind: 'owner', userId: OWNER });
    expect(maySee(actor('program_manager', { userId: OWNER }), proposal)).toBe(true);
    expect(maySee(actor('program_manager'), proposal)).toBe(false);
    // Not even through a municipality the proposal names: ownership is the only way in.
    expect(maySee(actor('program_manager', { municipalityId: LEAD }), proposal)).toBe(false);
  });

  it('shows a municipality the proposals it leads or takes part in, and nothing else', () => {
    expect(scopeOf(actor('municipality', { municipalityId: PARTNER }))).toEqual({
      kind: 'municipality',
      municipalityId: PARTNER,
    });
    expect(maySee(actor('municipality', { municipalityId: LEAD }), proposal)).toBe(true);
    expect(maySee(actor('municipality', { municipalityId: PARTNER }), proposal)).toBe(true);
    expect(maySee(actor('municipality', { municipalityId: OUTSIDER }), proposal)).toBe(false);
    // Owning a proposal gives a municipality account nothing more.
    expect(maySee(actor('municipality', { municipalityId: OUTSIDER, userId: OWNER }), proposal)).toBe(false);
  });

  it('shows a municipality account without a municipality nothing', () => {
    for (const municipalityId of [null, undefined]) {
      expect(scopeOf(actor('municipality', { municipalityId }))).toEqual({ kind: 'none' });
      expect(maySee(actor('municipality', { municipalityId }), proposal)).toBe(false);
    }
  });

  it('lets the platform itself (no actor) see everything', () => {
    expect(maySee(null, proposal)).toBe(true);
  });
});
