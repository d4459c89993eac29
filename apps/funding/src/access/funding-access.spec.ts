import { describe, expect, it } from '@jest/globals';
import type { ActorDto } from '@wandelwerk/contracts';
import { maySeeAllocation, requireFundingOfficer } from './funding-access.js';

const owner = '11111111-1111-4111-8111-111111111111';
const senftenberg = '22222222-2222-4222-8222-222222222222';
const allocation = { ownerUserId: owner, municipalityIds: [senftenberg] };
const actor = (
  role: ActorDto['role'],
  userId = '33333333-3333-4333-8333-333333333333',
  municipalityId?: string,
) => ({
  userId,
  role,
  municipalityId: municipalityId ?? null,
});

describe('funding access', () => {
  it('lets funding staff see every allocation, owners and municipalities only their own', () => {
    expect(maySeeAllocation(actor('admin'), allocation)).toBe(true);
    expect(maySeeAllocation(actor('funding_officer'), allocation)).toBe(true);
    expect(maySeeAllocation(actor('program_manager', owner), allocation)).toBe(true);
    expect(maySeeAllocation(actor('program_manager'), allocation)).toBe(false);
    expect(maySeeAllocation(actor('municipality', undefined, senftenberg), allocation)).toBe(true);
    expect(maySeeAllocation(actor('municipality'), allocation)).toBe(false);
  });

  it('refuses decisions to everyone but funding officers, administrators included', () => {
    expect(() => requireFundingOfficer(actor('funding_officer'), { de: 'x', en: 'x' })).not.toThrow();
    for (const role of ['admin', 'program_manager', 'municipality'] as const) {
      expect(() => requireFundingOfficer(actor(role), { de: 'Mittel freigeben', en: 'Approving' })).toThrow(
        expect.objectContaining({ status: 403 }),
      );
    }
  });
});
