import { randomUUID } from 'node:crypto';

/** Subjects and CloudEvent types read `<service>.<aggregate>.<past-tense-event>.v<N>`. */
export const EVENT_TYPE_PATTERN =
  /^(projects|funding|municipalities|notifications)\.[a-z][a-z-]*\.[a-z][a-z-]*\.v[1-9][0-9]*$/;

export const PRODUCING_SERVICES = ['projects', 'funding', 'municipalities', 'notifications'] as const;
export type ProducingService = (typeof PRODUCING_SERVICES)[number];

/** CloudEvents 1.0, structured JSON mode, with the correlation and causation extensions. */
export interface CloudEvent<TData = unknown> {
  specversion: '1.0';
  /** UUID; also the JetStream message id (de-duplication) and the inbox key. */
  id: string;
  /** `/wandelwerk/<service>` */
  source: string;
  /** `<service>.<aggregate>.<event>.v<N>`, equal to the NATS subject without prefix. */
  type: string;
  /** The id of the aggregate the event is about (CloudEvents `subject`). */
  subject: string;
  /** RFC 3339 UTC timestamp. */
  time: string;
  datacontenttype: 'application/json';
  data: TData;
  /** Shared by everything one user request caused. */
  correlationid: string;
  /** The id of the event (or request) that directly caused this one. */
  causationid: string | null;
}

export interface NewEvent<TData> {
  type: string;
  subject: string;
  data: TData;
  correlationId: string;
  causationId?: string | null;
  id?: string;
  time?: Date;
}

export function serviceOfEventType(type: string): ProducingService {
  const service = type.split('.')[0];
  if (!(PRODUCING_SERVICES as readonly string[]).includes(service ?? '')) {
    throw new EnvelopeViolationError([
      { field: 'type', rule: `must start with one of ${PRODUCING_SERVICES.join(', ')}` },
    ]);
  }
  return service as ProducingService;
}

export function buildCloudEvent<TData>(input: NewEvent<TData>): CloudEvent<TData> {
  const event: CloudEvent<TData> = {
    specversion: '1.0',
    id: input.id ?? randomUUID(),
    source: `/wandelwerk/${serviceOfEventType(input.type)}`,
    type: input.type,
    subject: input.subject,
    time: (input.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    data: input.data,
    correlationid: input.correlationId,
    causationid: input.causationId ?? null,
  };
  return validateCloudEvent(event) as CloudEvent<TData>;
}

export interface EnvelopeViolation {
  field: string;
  rule: string;
}

export class EnvelopeViolationError extends Error {
  constructor(readonly violations: EnvelopeViolation[]) {
    super(`invalid CloudEvent: ${violations.map((v) => `${v.field} ${v.rule}`).join('; ')}`);
    this.name = 'EnvelopeViolationError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const SOURCE = /^\/wandelwerk\/(projects|funding|municipalities|notifications)$/;

/** A well-formed timestamp of a day that exists (JavaScript would roll 30 February over to March). */
function isRealUtcTimestamp(value: unknown): boolean {
  if (typeof value !== 'string' || !RFC3339_UTC.test(value)) return false;
  const parsed = new Date(value);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 19) === value.slice(0, 19);
}

/** Checks the envelope (not the payload: see `validateEventData`). Throws naming every violated field. */
export function validateCloudEvent(raw: unknown): CloudEvent {
  const violations: EnvelopeViolation[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new EnvelopeViolationError([{ field: '(root)', rule: 'must be a JSON object' }]);
  }
  const e = raw as Record<string, unknown>;
  const check = (field: string, ok: boolean, rule: string): void => {
    if (!ok) violations.push({ field, rule });
  };
  check('specversion', e['specversion'] === '1.0', 'must be "1.0"');
  check('id', typeof e['id'] === 'string' && UUID.test(e['id']), 'must be a UUID');
  check(
    'source',
    typeof e['source'] === 'string' && SOURCE.test(e['source']),
    'must be /wandelwerk/<service>',
  );
  check(
    'type',
    typeof e['type'] === 'string' && EVENT_TYPE_PATTERN.test(e['type']),
    'must read <service>.<aggregate>.<event>.v<N>',
  );
  if (typeof e['type'] === 'string' && typeof e['source'] === 'string' && violations.length === 0) {
    check(
      'source',
      e['source'] === `/wandelwerk/${e['type'].split('.')[0]}`,
      'must name the service of the type',
    );
  }
  check(
    'subject',
    typeof e['subject'] === 'string' && e['subject'].length > 0 && e['subject'].length <= 200,
    'must be a non-empty string of at most 200 characters',
  );
  check('time', isRealUtcTimestamp(e['time']), 'must be an RFC 3339 UTC timestamp');
  check('datacontenttype', e['datacontenttype'] === 'application/json', 'must be "application/json"');
  check(
    'data',
    typeof e['data'] === 'object' && e['data'] !== null && !Array.isArray(e['data']),
    'must be a JSON object',
  );
  check(
    'correlationid',
    typeof e['correlationid'] === 'string' &&
      e['correlationid'].length > 0 &&
      e['correlationid'].length <= 100,
    'must be a non-empty string of at most 100 characters',
  );
  check(
    'causationid',
    e['causationid'] === null ||
      (typeof e['causationid'] === 'string' && e['causationid'].length > 0 && e['causationid'].length <= 100),
    'must be null or a non-empty string of at most 100 characters',
  );
  if (violations.length > 0) throw new EnvelopeViolationError(violations);
  return e as unknown as CloudEvent;
}
