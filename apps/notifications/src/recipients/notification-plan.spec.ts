import { describe, expect, it } from '@jest/globals';
import {
  allocationApprovalRecordedFixture,
  allocationRejectedFixture,
  allocationRequestedFixture,
  budgetThresholdReachedFixture,
  MUNICIPALITIES,
  municipalityRegisteredFixture,
  proposalApprovedFixture,
  proposalEndorsedFixture,
  proposalSubmittedFixture,
  reportOverdueFixture,
  USERS,
  type CloudEvent,
} from '@wandelwerk/contracts';
import { planNotification, ProposalNotYetKnown, type PlanLookups } from './notification-plan.js';

const OFFICERS = [USERS.fundingOfficer, USERS.secondFundingOfficer];
const lookups: PlanLookups = {
  proposal: () => Promise.resolve({ ownerUserId: USERS.programManager, programmeCode: 'INVKG-BB' }),
  officers: () => Promise.resolve(OFFICERS),
};
const { senftenberg, grossraeschen, schipkau } = MUNICIPALITIES;
const PARTIES = [senftenberg.municipalityId, grossraeschen.municipalityId, schipkau.municipalityId];
const plan = (event: CloudEvent) => planNotification(event, lookups);

describe('recipients', () => {
  it('a submission reaches lead and partners and the officers’ review queue, not the submitting owner', async () => {
    expect(await plan(proposalSubmittedFixture)).toMatchObject({
      templateKey: 'proposal.submitted',
      municipalityIds: PARTIES,
      userIds: OFFICERS,
      mandatory: false,
      vars: { status: 'submitted', projectTitle: proposalSubmittedFixture.data.proposal.title },
    });
  });

  it('an approval reaches the municipalities and the owner, with the approved amount', async () => {
    expect(await plan(proposalApprovedFixture)).toMatchObject({
      municipalityIds: PARTIES,
      userIds: [USERS.programManager],
      vars: { amountCents: proposalApprovedFixture.data.approvedFundingCents },
    });
    expect((await plan(proposalEndorsedFixture))?.userIds).toEqual(expect.arrayContaining(OFFICERS));
  });

  it('rejections and overdue reports always go out', async () => {
    expect(await plan(allocationRejectedFixture)).toMatchObject({
      mandatory: true,
      municipalityIds: PARTIES,
    });
    expect(await plan(reportOverdueFixture)).toMatchObject({
      mandatory: true,
      userIds: [USERS.programManager],
      vars: { days: reportOverdueFixture.data.daysOverdue },
    });
  });

  it('queues for the officers: a first approval (without its approver) and budget thresholds', async () => {
    expect(await plan(allocationApprovalRecordedFixture)).toMatchObject({
      municipalityIds: [],
      userIds: [USERS.secondFundingOfficer],
    });
    expect(await plan(budgetThresholdReachedFixture)).toMatchObject({
      templateKey: 'budget.threshold-reached',
      userIds: OFFICERS,
      vars: { thresholdPercent: budgetThresholdReachedFixture.data.thresholdPercent },
    });
  });

  it('an allocation decision about a proposal not seen yet waits for it, and on its last attempt goes out without the owner', async () => {
    let asked = 0;
    const unknown: PlanLookups = {
      proposal: () => {
        asked++;
        return Promise.resolve(null);
      },
      officers: () => Promise.resolve(OFFICERS),
    };
    await expect(planNotification(allocationRejectedFixture, unknown)).rejects.toBeInstanceOf(
      ProposalNotYetKnown,
    );
    expect(
      await planNotification(allocationRejectedFixture, unknown, { unknownProposal: 'without-owner' }),
    ).toMatchObject({ templateKey: 'allocation.rejected', municipalityIds: PARTIES, userIds: [] });
    // The officers' queue does not need the owner, so it never waits for the proposal.
    asked = 0;
    expect(await planNotification(allocationRequestedFixture, unknown)).toMatchObject({
      templateKey: 'allocation.requested',
      userIds: OFFICERS,
    });
    expect(asked).toBe(0);
  });

  it('read-model events notify nobody', async () => {
    expect(await plan(municipalityRegisteredFixture)).toBeNull();
  });
});
