import { describe, expect, it } from '@jest/globals';
import {
  ContractViolationError,
  EVENT_CATALOGUE,
  findEventDefinition,
  parseEvent,
  SUBSCRIPTIONS,
  validateEventData,
} from './catalogue.js';
import { EVENT_TYPE_PATTERN, PRODUCING_SERVICES } from './envelope/cloud-event.js';
import { ProposalSubmittedEvent } from './events/projects/proposal.event.js';
import { proposalSubmittedFixture } from './fixtures/projects.fixtures.js';
import { describeFields } from './validation/field-rules.js';

/** The events the platform's flows need (the issues name them); the catalogue must have exactly these. */
const REQUIRED_TYPES = [
  'municipalities.municipality.registered.v1',
  'municipalities.municipality.updated.v1',
  'municipalities.municipality.deactivated.v1',
  'municipalities.contact.added.v1',
  'municipalities.contact.updated.v1',
  'municipalities.contact.removed.v1',
  'municipalities.cooperation.created.v1',
  'municipalities.cooperation.member-joined.v1',
  'municipalities.cooperation.member-left.v1',
  'municipalities.preferences.changed.v1',
  'projects.proposal.created.v1',
  'projects.proposal.updated.v1',
  'projects.proposal.submitted.v1',
  'projects.proposal.review-started.v1',
  'projects.proposal.revision-requested.v1',
  'projects.proposal.endorsed.v1',
  'projects.proposal.rejected.v1',
  'projects.proposal.withdrawn.v1',
  'projects.proposal.approved.v1',
  'projects.proposal.implementation-started.v1',
  'projects.proposal.completed.v1',
  'projects.review.recorded.v1',
  'projects.milestone.scheduled.v1',
  'projects.report.scheduled.v1',
  'projects.report.filed.v1',
  'projects.report.due-soon.v1',
  'projects.report.overdue.v1',
  'projects.proposal.review-overdue.v1',
  'funding.programme.published.v1',
  'funding.programme.updated.v1',
  'funding.budget.amended.v1',
  'funding.allocation.requested.v1',
  'funding.allocation.approval-recorded.v1',
  'funding.allocation.approved.v1',
  'funding.allocation.rejected.v1',
  'funding.allocation.cancelled.v1',
  'funding.allocation.committed.v1',
  'funding.disbursement.paid.v1',
  'funding.allocation.closed.v1',
  'funding.budget.threshold-reached.v1',
  'funding.report.generated.v1',
  'notifications.notification.created.v1',
  'notifications.delivery.succeeded.v1',
  'notifications.delivery.failed.v1',
  'notifications.webhook.paused.v1',
];

function thrownBy(run: () => unknown): ContractViolationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ContractViolationError) return error;
    throw error;
  }
  throw new Error('expected a ContractViolationError');
}

describe('EVENT_CATALOGUE', () => {
  it('has exactly the events the flows need, each once', () => {
    const types = EVENT_CATALOGUE.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
    expect([...types].sort()).toEqual([...REQUIRED_TYPES].sort());
  });

  it.each(EVENT_CATALOGUE.map((d) => [d.type, d] as const))('%s is well-formed', (type, definition) => {
    expect(type).toMatch(EVENT_TYPE_PATTERN);
    const [producer, aggregate] = type.split('.');
    expect(definition.producer).toBe(producer);
    expect(definition.aggregate).toBe(aggregate);
    expect(definition.payload.type).toBe(type);
    expect(definition.example.type).toBe(type);
    expect(definition.description).toMatch(/^[A-Z][^.]*(\.[^\s.][^.]*)*\.$/);
    expect(describeFields(definition.payload).length).toBeGreaterThan(0);
  });

  it('lists as consumers the services subscribed to the producer', () => {
    for (const definition of EVENT_CATALOGUE) {
      const expected = PRODUCING_SERVICES.filter((s) => SUBSCRIPTIONS[s].includes(definition.producer));
      expect(definition.consumers).toEqual(expected);
    }
    expect(findEventDefinition('funding.allocation.committed.v1')?.consumers).toEqual([
      'projects',
      'notifications',
    ]);
    expect(findEventDefinition('projects.proposal.endorsed.v1')?.consumers).toEqual([
      'funding',
      'notifications',
    ]);
    expect(findEventDefinition('municipalities.contact.added.v1')?.consumers).toEqual([
      'projects',
      'notifications',
    ]);
    expect(findEventDefinition('notifications.webhook.paused.v1')?.consumers).toEqual([]);
  });

  it('finds definitions by type only', () => {
    expect(findEventDefinition(ProposalSubmittedEvent.type)?.payload).toBe(ProposalSubmittedEvent);
    expect(findEventDefinition('projects.proposal.submitted.v2')).toBeUndefined();
    expect(findEventDefinition('toString')).toBeUndefined();
  });
});

describe('validateEventData', () => {
  it('returns no violations for valid data', () => {
    expect(validateEventData(proposalSubmittedFixture.type, proposalSubmittedFixture.data)).toEqual([]);
  });

  it('names the type when it is not in the catalogue', () => {
    expect(validateEventData('projects.proposal.teleported.v1', {})).toEqual([
      { field: 'type', rule: 'must be an event type of the catalogue' },
    ]);
  });

  it.each([null, [], 'data', 3])('names the payload itself when it is %p', (data) => {
    expect(validateEventData(proposalSubmittedFixture.type, data)).toEqual([
      { field: '(root)', rule: 'must be a JSON object' },
    ]);
  });

  it('names paths relative to data, with list indexes', () => {
    const data = structuredClone(proposalSubmittedFixture.data);
    data.proposal.partners[1].costShareBasisPoints = 1.5;
    expect(validateEventData(proposalSubmittedFixture.type, data)).toEqual([
      {
        field: 'proposal.partners[1].costShareBasisPoints',
        rule: 'must be whole basis points from 0 to 10000 (100 %)',
      },
    ]);
  });
});

describe('parseEvent', () => {
  it('returns a valid event as it is, typed', () => {
    const event = parseEvent<ProposalSubmittedEvent>(proposalSubmittedFixture);
    expect(event).toBe(proposalSubmittedFixture);
    expect(event.data.proposal.leadMunicipality.ags).toBe('12066304');
  });

  it('accepts the event after a JSON round trip, as it arrives from NATS', () => {
    expect(parseEvent(JSON.parse(JSON.stringify(proposalSubmittedFixture)))).toEqual(
      proposalSubmittedFixture,
    );
  });

  it('names envelope and payload violations together, payload fields under data.', () => {
    const raw = structuredClone(proposalSubmittedFixture) as unknown as Record<string, unknown> & {
      data: Record<string, unknown>;
    };
    raw['time'] = 'now';
    raw.data['toStatus'] = 'approved';
    raw.data['secret'] = 'x';
    const error = thrownBy(() => parseEvent(raw));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ContractViolationError');
    expect(error.violations).toEqual([
      { field: 'time', rule: 'must be an RFC 3339 UTC timestamp' },
      { field: 'data.secret', rule: 'is not part of the contract' },
      { field: 'data.toStatus', rule: 'must be one of submitted' },
    ]);
    expect(error.message).toContain('data.toStatus must be one of submitted');
  });

  it('names an unknown type and does not look into its data', () => {
    const raw = { ...structuredClone(proposalSubmittedFixture), type: 'projects.proposal.teleported.v1' };
    expect(thrownBy(() => parseEvent(raw)).violations).toEqual([
      { field: 'type', rule: 'must be an event type of the catalogue' },
    ]);
  });

  it('names a malformed type once', () => {
    const raw = { ...structuredClone(proposalSubmittedFixture), type: 'proposal submitted' };
    expect(thrownBy(() => parseEvent(raw)).violations.map((v) => v.field)).toEqual(['type']);
  });

  it('requires the subject to be the aggregate UUID', () => {
    const raw = { ...structuredClone(proposalSubmittedFixture), subject: '12066304' };
    expect(thrownBy(() => parseEvent(raw)).violations).toEqual([
      { field: 'subject', rule: "must be the aggregate's id: must be a lower-case UUID" },
    ]);
  });

  it('names data once when it is not an object', () => {
    const raw = { ...structuredClone(proposalSubmittedFixture), data: 'proposal' };
    expect(thrownBy(() => parseEvent(raw)).violations).toEqual([
      { field: 'data', rule: 'must be a JSON object' },
    ]);
  });

  it.each([undefined, null, 'event', 7, []])('rejects %p as a whole', (raw) => {
    expect(thrownBy(() => parseEvent(raw)).violations).toEqual([
      { field: '(root)', rule: 'must be a JSON object' },
    ]);
  });
});
