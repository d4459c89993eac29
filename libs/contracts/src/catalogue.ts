import {
  EnvelopeViolationError,
  PRODUCING_SERVICES,
  validateCloudEvent,
  type CloudEvent,
  type ProducingService,
} from './envelope/cloud-event.js';
import type { EventClass } from './events/event-class.js';
import {
  AllocationApprovalRecordedEvent,
  AllocationApprovedEvent,
  AllocationCancelledEvent,
  AllocationClosedEvent,
  AllocationCommittedEvent,
  AllocationRejectedEvent,
  AllocationRequestedEvent,
} from './events/funding/allocation.event.js';
import { BudgetAmendedEvent, BudgetThresholdReachedEvent } from './events/funding/budget.event.js';
import { DisbursementPaidEvent } from './events/funding/disbursement.event.js';
import { FundingReportGeneratedEvent } from './events/funding/funding-report.event.js';
import { ProgrammePublishedEvent, ProgrammeUpdatedEvent } from './events/funding/programme.event.js';
import {
  ContactAddedEvent,
  ContactRemovedEvent,
  ContactUpdatedEvent,
} from './events/municipalities/contact.event.js';
import {
  CooperationCreatedEvent,
  CooperationMemberJoinedEvent,
  CooperationMemberLeftEvent,
} from './events/municipalities/cooperation.event.js';
import {
  MunicipalityDeactivatedEvent,
  MunicipalityRegisteredEvent,
  MunicipalityUpdatedEvent,
} from './events/municipalities/municipality.event.js';
import { PreferencesChangedEvent } from './events/municipalities/preferences.event.js';
import { DeliveryFailedEvent, DeliverySucceededEvent } from './events/notifications/delivery.event.js';
import { NotificationCreatedEvent } from './events/notifications/notification.event.js';
import { WebhookPausedEvent } from './events/notifications/webhook.event.js';
import { MilestoneScheduledEvent } from './events/projects/milestone.event.js';
import {
  ProposalApprovedEvent,
  ProposalCompletedEvent,
  ProposalCreatedEvent,
  ProposalEndorsedEvent,
  ProposalImplementationStartedEvent,
  ProposalRejectedEvent,
  ProposalReviewOverdueEvent,
  ProposalReviewStartedEvent,
  ProposalRevisionRequestedEvent,
  ProposalSubmittedEvent,
  ProposalUpdatedEvent,
  ProposalWithdrawnEvent,
} from './events/projects/proposal.event.js';
import {
  ReportDueSoonEvent,
  ReportFiledEvent,
  ReportOverdueEvent,
  ReportScheduledEvent,
} from './events/projects/report.event.js';
import { ReviewRecordedEvent } from './events/projects/review.event.js';
import * as fixtures from './fixtures/index.js';
import { is } from './validation/field-rules.js';
import { validatePayload, type ContractViolation } from './validation/validate-payload.js';

/**
 * Which producers' events each service consumes. Notifications consumes the events of every other service; nobody
 * consumes `notifications.*` today (they are the delivery log's audit trail).
 */
export const SUBSCRIPTIONS: Readonly<Record<ProducingService, readonly ProducingService[]>> = {
  projects: ['funding', 'municipalities'],
  funding: ['projects'],
  municipalities: [],
  notifications: ['projects', 'funding', 'municipalities'],
};

export interface EventDefinition<T extends object = object> {
  /** `<service>.<aggregate>.<past-tense-event>.v<N>`; also the NATS subject. */
  readonly type: string;
  readonly producer: ProducingService;
  readonly consumers: readonly ProducingService[];
  /** The aggregate whose id is the CloudEvent `subject`. */
  readonly aggregate: string;
  readonly payload: EventClass<T>;
  /** One English sentence. */
  readonly description: string;
  /** A valid event, also exported from the fixtures. */
  readonly example: CloudEvent<T>;
}

function define<T extends object>(
  payload: EventClass<T>,
  description: string,
  example: CloudEvent<T>,
): EventDefinition<T> {
  const [producer, aggregate] = payload.type.split('.') as [ProducingService, string];
  const consumers = PRODUCING_SERVICES.filter((service) => SUBSCRIPTIONS[service].includes(producer));
  return Object.freeze({ type: payload.type, producer, consumers, aggregate, payload, description, example });
}

/** Every event of the platform. */
export const EVENT_CATALOGUE: readonly EventDefinition[] = Object.freeze([
  // municipalities
  define(
    MunicipalityRegisteredEvent,
    'A municipality was added to the registry with its AGS, names, district, state and region.',
    fixtures.municipalityRegisteredFixture,
  ),
  define(
    MunicipalityUpdatedEvent,
    "A municipality's registry entry changed; carries the whole entry and the names of the changed fields.",
    fixtures.municipalityUpdatedFixture,
  ),
  define(
    MunicipalityDeactivatedEvent,
    'A municipality was deactivated and takes part in no new proposals or notifications.',
    fixtures.municipalityDeactivatedFixture,
  ),
  define(
    ContactAddedEvent,
    'A contact person with e-mail address and language was added to a municipality.',
    fixtures.contactAddedFixture,
  ),
  define(
    ContactUpdatedEvent,
    "A contact person's details changed; carries the whole contact.",
    fixtures.contactUpdatedFixture,
  ),
  define(
    ContactRemovedEvent,
    'A contact person was removed from a municipality and receives nothing more.',
    fixtures.contactRemovedFixture,
  ),
  define(
    CooperationCreatedEvent,
    'An inter-municipal cooperation was founded with its member municipalities.',
    fixtures.cooperationCreatedFixture,
  ),
  define(
    CooperationMemberJoinedEvent,
    'A municipality joined a cooperation.',
    fixtures.cooperationMemberJoinedFixture,
  ),
  define(
    CooperationMemberLeftEvent,
    'A municipality left a cooperation.',
    fixtures.cooperationMemberLeftFixture,
  ),
  define(
    PreferencesChangedEvent,
    "A municipality's or contact's notification preferences (language, channels, digest, webhook, muted types) changed.",
    fixtures.preferencesChangedFixture,
  ),
  // projects
  define(
    ProposalCreatedEvent,
    'A program manager drafted a project proposal.',
    fixtures.proposalCreatedFixture,
  ),
  define(
    ProposalUpdatedEvent,
    'A draft or returned proposal was edited; carries the whole proposal and the changed fields.',
    fixtures.proposalUpdatedFixture,
  ),
  define(
    ProposalSubmittedEvent,
    'A proposal was submitted for review, first or again after a revision.',
    fixtures.proposalSubmittedFixture,
  ),
  define(
    ProposalReviewStartedEvent,
    'A reviewer took up a submitted proposal, with the date the Votum is due.',
    fixtures.proposalReviewStartedFixture,
  ),
  define(
    ProposalRevisionRequestedEvent,
    'The review returned a proposal to its owner with what to revise and by when.',
    fixtures.proposalRevisionRequestedFixture,
  ),
  define(
    ProposalEndorsedEvent,
    'The review endorsed a proposal; carries the requested funding by year from its cost plan.',
    fixtures.proposalEndorsedFixture,
  ),
  define(
    ProposalRejectedEvent,
    'A proposal was rejected by its review or after funding rejected its allocation.',
    fixtures.proposalRejectedFixture,
  ),
  define(
    ProposalWithdrawnEvent,
    'The owner withdrew a proposal before it was approved.',
    fixtures.proposalWithdrawnFixture,
  ),
  define(
    ProposalApprovedEvent,
    'A proposal was approved after its grant decision was recorded in funding.',
    fixtures.proposalApprovedFixture,
  ),
  define(
    ProposalImplementationStartedEvent,
    'An approved project started its implementation.',
    fixtures.proposalImplementationStartedFixture,
  ),
  define(
    ProposalCompletedEvent,
    'A project was completed, with its final cost.',
    fixtures.proposalCompletedFixture,
  ),
  define(
    ProposalReviewOverdueEvent,
    "The reminder job found a proposal's Votum past its due date.",
    fixtures.proposalReviewOverdueFixture,
  ),
  define(
    ReviewRecordedEvent,
    'A reviewer recorded a Votum (endorse, revise or reject) with a comment on a proposal.',
    fixtures.reviewRecordedFixture,
  ),
  define(
    MilestoneScheduledEvent,
    "A milestone with a due date was added to an approved project's schedule.",
    fixtures.milestoneScheduledFixture,
  ),
  define(
    ReportScheduledEvent,
    'A reporting obligation (interim or final report) with its period and due date was set for a project.',
    fixtures.reportScheduledFixture,
  ),
  define(ReportFiledEvent, 'A project filed a due report.', fixtures.reportFiledFixture),
  define(
    ReportDueSoonEvent,
    "The reminder job found a project's report due within the reminder period.",
    fixtures.reportDueSoonFixture,
  ),
  define(
    ReportOverdueEvent,
    "The reminder job found a project's report past its due date and not filed.",
    fixtures.reportOverdueFixture,
  ),
  // funding
  define(
    ProgrammePublishedEvent,
    'A funding programme was published with its rules, funding period, eligibility and four-eyes threshold.',
    fixtures.programmePublishedFixture,
  ),
  define(
    ProgrammeUpdatedEvent,
    'A funding programme changed; carries the whole programme and the changed fields.',
    fixtures.programmeUpdatedFixture,
  ),
  define(
    BudgetAmendedEvent,
    "A programme's budget line for one year was changed.",
    fixtures.budgetAmendedFixture,
  ),
  define(
    AllocationRequestedEvent,
    'Funding for an endorsed proposal was requested, split by the years of its cost plan; approval reserves it.',
    fixtures.allocationRequestedFixture,
  ),
  define(
    AllocationApprovalRecordedEvent,
    'The first of the two approvals an allocation above the four-eyes threshold needs was recorded.',
    fixtures.allocationApprovalRecordedFixture,
  ),
  define(
    AllocationApprovedEvent,
    'An allocation was approved by all the approvers it needs; its money is now reserved on the budget lines of its years.',
    fixtures.allocationApprovedFixture,
  ),
  define(
    AllocationRejectedEvent,
    'An allocation request was rejected with a reason (nothing was reserved for it yet).',
    fixtures.allocationRejectedFixture,
  ),
  define(
    AllocationCancelledEvent,
    'An allocation was cancelled before any money was paid, and its reservation released.',
    fixtures.allocationCancelledFixture,
  ),
  define(
    AllocationCommittedEvent,
    'The grant decision for an allocation was issued, with its date and reference number.',
    fixtures.allocationCommittedFixture,
  ),
  define(
    DisbursementPaidEvent,
    'An instalment of a committed allocation was paid out.',
    fixtures.disbursementPaidFixture,
  ),
  define(
    AllocationClosedEvent,
    'An allocation was closed; what was committed but not paid went back to the budget.',
    fixtures.allocationClosedFixture,
  ),
  define(
    BudgetThresholdReachedEvent,
    "The money bound on a programme's budget line for a year (reserved plus disbursed) reached 80, 90 or 100 percent of the plan; once per crossing.",
    fixtures.budgetThresholdReachedFixture,
  ),
  define(
    FundingReportGeneratedEvent,
    'The report job generated a funding report file.',
    fixtures.fundingReportGeneratedFixture,
  ),
  // notifications
  define(
    NotificationCreatedEvent,
    'A notification for one recipient was made from a domain event.',
    fixtures.notificationCreatedFixture,
  ),
  define(
    DeliverySucceededEvent,
    'A notification was delivered on one channel.',
    fixtures.deliverySucceededFixture,
  ),
  define(
    DeliveryFailedEvent,
    'An attempt to deliver a notification on one channel failed; final when no attempt is left.',
    fixtures.deliveryFailedFixture,
  ),
  define(
    WebhookPausedEvent,
    "A municipality's webhook endpoint was paused after repeated failed deliveries.",
    fixtures.webhookPausedFixture,
  ),
]);

const byType = new Map<string, EventDefinition>(
  EVENT_CATALOGUE.map((definition) => [definition.type, definition]),
);

export function findEventDefinition(type: string): EventDefinition | undefined {
  return byType.get(type);
}

const UNKNOWN_TYPE: ContractViolation = { field: 'type', rule: 'must be an event type of the catalogue' };

/** Checks an event's data against its type's contract; empty when valid. Paths are relative to `data`. */
export function validateEventData(type: string, data: unknown): ContractViolation[] {
  const definition = findEventDefinition(type);
  return definition ? validatePayload(definition.payload, data) : [UNKNOWN_TYPE];
}

export class ContractViolationError extends Error {
  constructor(readonly violations: ContractViolation[]) {
    super(`event breaks its contract: ${violations.map((v) => `${v.field} ${v.rule}`).join('; ')}`);
    this.name = 'ContractViolationError';
  }
}

/**
 * Checks a received event, envelope and payload, and throws a `ContractViolationError` naming every violated field
 * (`data.`-prefixed for the payload) at once. The subject must be the aggregate's UUID, which every
 * Wandelwerk aggregate has. Returns the same object, typed.
 */
export function parseEvent<T extends object = object>(raw: unknown): CloudEvent<T> {
  let envelope: ContractViolation[] = [];
  try {
    validateCloudEvent(raw);
  } catch (error) {
    if (!(error instanceof EnvelopeViolationError)) throw error;
    envelope = error.violations;
  }
  if (envelope.some((v) => v.field === '(root)')) throw new ContractViolationError(envelope);
  const event = raw as Record<string, unknown>;
  const violations = [...envelope];
  const named = (field: string): boolean => violations.some((v) => v.field === field);
  if (!named('subject') && !is.uuid.test(event['subject'])) {
    violations.push({ field: 'subject', rule: `must be the aggregate's id: ${is.uuid.rule}` });
  }
  const definition = typeof event['type'] === 'string' ? findEventDefinition(event['type']) : undefined;
  if (!definition && !named('type')) violations.push(UNKNOWN_TYPE);
  if (definition && !named('data')) {
    for (const { field, rule } of validatePayload(definition.payload, event['data'])) {
      violations.push({ field: field === '(root)' ? 'data' : `data.${field}`, rule });
    }
  }
  if (violations.length > 0) throw new ContractViolationError(violations);
  return raw as CloudEvent<T>;
}
