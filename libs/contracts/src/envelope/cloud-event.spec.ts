import { describe, expect, it } from '@jest/globals';
import {
  buildCloudEvent,
  EnvelopeViolationError,
  serviceOfEventType,
  validateCloudEvent,
  type CloudEvent,
} from './cloud-event.js';

const valid: CloudEvent<{ amountCents: number }> = {
  specversion: '1.0',
  id: '0b5cf1de-3f61-4c55-9a7b-7a1f0c3e2d10',
  source: '/wandelwerk/funding',
  type: 'funding.allocation.approved.v1',
  subject: '5d8f2a9e-8c1b-4b3e-9f6a-2c7d1e0b4a93',
  time: '2025-06-03T10:15:00.000Z',
  datacontenttype: 'application/json',
  data: { amountCents: 1_062_000_000 },
  correlationid: 'c0000000-0000-4000-8000-000000000054',
  causationid: null,
};

function violationsOf(raw: unknown): { field: string; rule: string }[] {
  try {
    validateCloudEvent(raw);
  } catch (error) {
    if (error instanceof EnvelopeViolationError) return error.violations;
    throw error;
  }
  return [];
}

const withField = (field: string, value: unknown): Record<string, unknown> => ({ ...valid, [field]: value });
const without = (field: string): Record<string, unknown> => {
  const { [field as keyof typeof valid]: _dropped, ...rest } = valid;
  return rest;
};

describe('validateCloudEvent', () => {
  it('passes a valid event and returns it', () => {
    expect(validateCloudEvent(valid)).toBe(valid);
    expect(
      validateCloudEvent({ ...valid, causationid: valid.id, time: '2025-06-03T10:15:00Z' }),
    ).toBeDefined();
  });

  it.each([null, 'event', 42, [valid]])('rejects %p as not a JSON object', (raw) => {
    expect(violationsOf(raw)).toEqual([{ field: '(root)', rule: 'must be a JSON object' }]);
  });

  it.each<[string, unknown]>([
    ['specversion', '0.3'],
    ['specversion', undefined],
    ['id', 'not-a-uuid'],
    ['id', '0b5cf1de-3f61-0c55-9a7b-7a1f0c3e2d10'],
    ['id', 42],
    ['source', '/elsewhere/funding'],
    ['source', '/wandelwerk/billing'],
    ['type', 'funding.allocation.approved'],
    ['type', 'Funding.Allocation.Approved.v1'],
    ['type', 'billing.invoice.sent.v1'],
    ['type', 'funding.allocation.approved.v0'],
    ['subject', ''],
    ['subject', 'x'.repeat(201)],
    ['subject', 7],
    ['time', '2025-06-03T12:15:00+02:00'],
    ['time', 'yesterday'],
    ['time', '2025-02-30T10:15:00Z'],
    ['time', 1748945700000],
    ['datacontenttype', 'text/plain'],
    ['data', null],
    ['data', []],
    ['data', '{"amountCents":1}'],
    ['correlationid', ''],
    ['correlationid', 'c'.repeat(101)],
    ['correlationid', null],
    ['causationid', ''],
    ['causationid', 'c'.repeat(101)],
    ['causationid', 12],
  ])('names %s when it is %p', (field, value) => {
    expect(violationsOf(withField(field, value)).map((v) => v.field)).toEqual([field]);
  });

  it.each(Object.keys(valid))('names %s when it is missing', (field) => {
    expect(violationsOf(without(field)).map((v) => v.field)).toEqual([field]);
  });

  it('names a source that belongs to another service than the type', () => {
    expect(violationsOf(withField('source', '/wandelwerk/projects'))).toEqual([
      { field: 'source', rule: 'must name the service of the type' },
    ]);
  });

  it('names every violated field at once, with its rule, in the error message too', () => {
    let caught: unknown;
    try {
      validateCloudEvent({ ...valid, id: 'x', time: 'soon', data: 'none' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvelopeViolationError);
    expect((caught as EnvelopeViolationError).violations.map((v) => v.field)).toEqual(['id', 'time', 'data']);
    expect((caught as Error).message).toBe(
      'invalid CloudEvent: id must be a UUID; time must be an RFC 3339 UTC timestamp; data must be a JSON object',
    );
  });
});

describe('buildCloudEvent', () => {
  it('fills in the envelope from the type and defaults', () => {
    const event = buildCloudEvent({
      type: 'projects.proposal.submitted.v1',
      subject: valid.subject,
      data: { title: 'Niederlausitzhalle' },
      correlationId: valid.correlationid,
    });
    expect(event).toMatchObject({
      specversion: '1.0',
      source: '/wandelwerk/projects',
      datacontenttype: 'application/json',
      causationid: null,
      data: { title: 'Niederlausitzhalle' },
    });
    expect(violationsOf(event)).toEqual([]);
    expect(Date.parse(event.time)).not.toBeNaN();
  });

  it('keeps a given id, time and causation', () => {
    const event = buildCloudEvent({
      type: valid.type,
      subject: valid.subject,
      data: valid.data,
      correlationId: valid.correlationid,
      causationId: valid.correlationid,
      id: valid.id,
      time: new Date(valid.time),
    });
    expect(event).toEqual({ ...valid, causationid: valid.correlationid });
  });

  it('refuses to build an invalid envelope', () => {
    expect(() =>
      buildCloudEvent({ type: valid.type, subject: '', data: {}, correlationId: valid.correlationid }),
    ).toThrow(EnvelopeViolationError);
  });

  it('refuses a type of no producing service', () => {
    expect(() => serviceOfEventType('billing.invoice.sent.v1')).toThrow(/must start with one of projects/);
    expect(serviceOfEventType('notifications.webhook.paused.v1')).toBe('notifications');
  });
});
