import type { CloudEvent, ProposalDetails, ProposalRef } from '@wandelwerk/contracts';
import type { TemplateKey, TemplateVars } from '../templates/templates.js';

/** Who hears of one event and what the notification says; the municipalities expand to themselves and their contacts. */
export interface NotificationPlan {
  templateKey: TemplateKey;
  vars: TemplateVars;
  proposalId: string | null;
  /** Lead first, then partners: each is a recipient itself (in-app, webhooks) and through its contacts (e-mail). */
  municipalityIds: string[];
  /** Staff (program manager, funding officers, reviewers) by user id: in-app. */
  userIds: string[];
  /** Goes out whatever the preferences say, and never waits for a digest. */
  mandatory: boolean;
}

/** What the planner needs to know beyond the event (from the read models). */
export interface PlanLookups {
  /** The owning program manager and programme of a proposal seen in earlier events, if any. */
  proposal(proposalId: string): Promise<{ ownerUserId: string; programmeCode: string } | null>;
  /** The funding officers known to act on a programme. */
  officers(programmeCode: string): Promise<string[]>;
}

/**
 * An event names a proposal whose owner is one of its recipients, but the proposal's own events (which carry the
 * owner) have not been handled yet: the streams are consumed concurrently, so a funding event may come first. Thrown
 * so the event is handled again later, when the read model knows the proposal.
 */
export class ProposalNotYetKnown extends Error {
  override name = 'ProposalNotYetKnown';
  constructor(readonly proposalId: string) {
    super(`proposal ${proposalId} is not in the read model yet; its owner cannot be addressed`);
  }
}

export interface PlanOptions {
  /**
   * What to do when the owner of a proposal is a recipient and the proposal is unknown: `retry` throws
   * ProposalNotYetKnown; `without-owner` (the event's last attempt) notifies everyone else.
   */
  unknownProposal: 'retry' | 'without-owner';
}

/** Notifications that always go out (rejections, overdue reports, a paused webhook). */
export const MANDATORY_TEMPLATES: ReadonlySet<TemplateKey> = new Set<TemplateKey>([
  'proposal.rejected',
  'allocation.rejected',
  'report.overdue',
  'webhook.paused',
]);

type Data = Record<string, unknown>;

const unique = (ids: (string | null | undefined)[]): string[] => [
  ...new Set(ids.filter((id): id is string => typeof id === 'string')),
];

const municipalitiesOfDetails = (p: ProposalDetails): string[] =>
  unique([p.leadMunicipality.municipalityId, ...p.partners.map((partner) => partner.municipalityId)]);

const municipalitiesOfRef = (p: ProposalRef): string[] =>
  unique([p.leadMunicipalityId, ...p.partnerMunicipalityIds]);

/** The template key of an event type: `projects.proposal.approved.v1` → `proposal.approved`. */
export const templateKeyOf = (type: string): string => type.split('.').slice(1, 3).join('.');

function plan(
  templateKey: TemplateKey,
  fields: Omit<NotificationPlan, 'templateKey' | 'mandatory'>,
  actorUserId?: unknown,
): NotificationPlan {
  return {
    templateKey,
    ...fields,
    // Whoever acted knows already.
    userIds: fields.userIds.filter((id) => id !== actorUserId),
    mandatory: MANDATORY_TEMPLATES.has(templateKey),
  };
}

const PROPOSAL_TRANSITIONS: ReadonlySet<string> = new Set([
  'proposal.submitted',
  'proposal.review-started',
  'proposal.revision-requested',
  'proposal.endorsed',
  'proposal.rejected',
  'proposal.withdrawn',
  'proposal.approved',
  'proposal.implementation-started',
  'proposal.completed',
]);

/**
 * Works out who hears of an event: the lead and partner municipalities (and so their contacts), the owning program
 * manager, and the programme's funding officers where the event puts work in their queue. Null: nobody is notified
 * (the event only feeds a read model, or concerns no one outside the service that published it).
 */
export async function planNotification(
  event: CloudEvent,
  lookups: PlanLookups,
  options: PlanOptions = { unknownProposal: 'retry' },
): Promise<NotificationPlan | null> {
  const key = templateKeyOf(event.type);
  const data = event.data as Data;
  const actor = data['actorUserId'];

  if (PROPOSAL_TRANSITIONS.has(key)) {
    const proposal = data['proposal'] as ProposalDetails;
    const officers =
      key === 'proposal.submitted' || key === 'proposal.endorsed'
        ? await lookups.officers(proposal.programmeCode)
        : [];
    const amountCents =
      key === 'proposal.endorsed'
        ? proposal.requestedFundingCents
        : key === 'proposal.approved'
          ? (data['approvedFundingCents'] as number)
          : key === 'proposal.completed'
            ? (data['finalCostCents'] as number)
            : undefined;
    const dueDate = (data['reviewDueDate'] ?? data['responseDueDate']) as string | undefined;
    return plan(
      key as TemplateKey,
      {
        vars: {
          projectTitle: proposal.title,
          status: data['toStatus'] as string,
          comment: (data['comment'] as string | null) ?? null,
          ...(amountCents === undefined ? {} : { amountCents }),
          ...(dueDate ? { dueDate } : {}),
        },
        proposalId: event.subject,
        municipalityIds: municipalitiesOfDetails(proposal),
        userIds: unique([
          proposal.ownerUserId,
          ...officers,
          key === 'proposal.review-started' ? (data['reviewerUserId'] as string) : null,
        ]),
      },
      actor,
    );
  }

  if (key === 'proposal.review-overdue') {
    const proposal = data['proposal'] as ProposalDetails;
    return plan('proposal.review-overdue', {
      vars: {
        projectTitle: proposal.title,
        dueDate: data['reviewDueDate'] as string,
        days: data['daysOverdue'] as number,
      },
      proposalId: event.subject,
      municipalityIds: [],
      userIds: unique([
        data['reviewerUserId'] as string,
        ...(await lookups.officers(proposal.programmeCode)),
      ]),
    });
  }

  const ref = data['proposal'] as ProposalRef | undefined;
  // Looked up only where the owner is a recipient, so the officers' queue never waits for the projects stream.
  const owner = async (): Promise<string[]> => {
    if (!ref) return [];
    const known = await lookups.proposal(ref.proposalId);
    if (known) return [known.ownerUserId];
    if (options.unknownProposal === 'retry') throw new ProposalNotYetKnown(ref.proposalId);
    return [];
  };

  if (key === 'milestone.scheduled' && ref) {
    return plan('milestone.scheduled', {
      vars: {
        projectTitle: ref.title,
        milestoneTitle: data['title'] as string,
        dueDate: data['dueDate'] as string,
      },
      proposalId: ref.proposalId,
      municipalityIds: municipalitiesOfRef(ref),
      userIds: await owner(),
    });
  }

  if (key.startsWith('report.') && ref) {
    const days = (data['daysRemaining'] ?? data['daysOverdue']) as number | undefined;
    return plan(
      key as TemplateKey,
      {
        vars: {
          projectTitle: ref.title,
          reportKind: data['kind'] as string,
          dueDate: data['dueDate'] as string,
          ...(days === undefined ? {} : { days }),
        },
        proposalId: ref.proposalId,
        municipalityIds: municipalitiesOfRef(ref),
        userIds: await owner(),
      },
      data['filedByUserId'],
    );
  }

  if (key.startsWith('allocation.') && ref) {
    const programmeCode = data['programmeCode'] as string;
    const vars: TemplateVars = {
      projectTitle: ref.title,
      programmeCode,
      amountCents:
        key === 'allocation.closed' ? (data['paidTotalCents'] as number) : (data['amountCents'] as number),
      comment: ((data['reason'] ?? data['comment']) as string | null | undefined) ?? null,
    };
    // Requests and first approvals are the officers' queue; decisions concern the municipalities and the owner.
    if (key === 'allocation.requested' || key === 'allocation.approval-recorded') {
      return plan(
        key,
        {
          vars,
          proposalId: ref.proposalId,
          municipalityIds: [],
          userIds: await lookups.officers(programmeCode),
        },
        data['approverUserId'] ?? actor,
      );
    }
    if (
      key === 'allocation.approved' ||
      key === 'allocation.rejected' ||
      key === 'allocation.cancelled' ||
      key === 'allocation.committed' ||
      key === 'allocation.closed'
    ) {
      return plan(
        key,
        {
          vars,
          proposalId: ref.proposalId,
          municipalityIds: municipalitiesOfRef(ref),
          userIds: await owner(),
        },
        actor,
      );
    }
    return null;
  }

  if (key === 'disbursement.paid' && ref) {
    return plan(
      'disbursement.paid',
      {
        vars: {
          projectTitle: ref.title,
          amountCents: data['amountCents'] as number,
          instalment: data['instalment'] as number,
        },
        proposalId: ref.proposalId,
        municipalityIds: municipalitiesOfRef(ref),
        userIds: await owner(),
      },
      actor,
    );
  }

  if (key === 'budget.threshold-reached') {
    const programmeCode = data['programmeCode'] as string;
    return plan('budget.threshold-reached', {
      vars: {
        programmeCode,
        year: data['year'] as number,
        thresholdPercent: data['thresholdPercent'] as number,
        amountCents: data['reservedCents'] as number,
      },
      proposalId: null,
      municipalityIds: [],
      userIds: await lookups.officers(programmeCode),
    });
  }

  return null;
}
