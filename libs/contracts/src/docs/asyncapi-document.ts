import { EVENT_TYPE_PATTERN, PRODUCING_SERVICES } from '../envelope/cloud-event.js';
import { EVENT_CATALOGUE, type EventDefinition } from '../catalogue.js';
import { is, type JsonSchema, type PayloadClass } from '../validation/field-rules.js';
import { nestedPayloadClasses, payloadJsonSchema } from '../validation/json-schema.js';
import { REGENERATE_COMMAND } from './doc-files.js';
import { toYaml } from './yaml.js';

const ENVELOPE = 'CloudEventEnvelope';
const schemaRef = (name: string): string => `#/components/schemas/${name}`;
const classRef = (payload: PayloadClass): string => schemaRef(payload.name);

/** The CloudEvents envelope as `validateCloudEvent` checks it, plus the UUID subject `parseEvent` requires. */
function envelopeSchema(): JsonSchema {
  const bounded = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength });
  return {
    type: 'object',
    description:
      'CloudEvents 1.0 in structured JSON mode with the correlationid and causationid extensions. ' +
      'The id is the JetStream message id (de-duplication) and the key of the consumers\u2019 inbox.',
    required: [
      'specversion',
      'id',
      'source',
      'type',
      'subject',
      'time',
      'datacontenttype',
      'data',
      'correlationid',
      'causationid',
    ],
    properties: {
      specversion: { const: '1.0' },
      // validateCloudEvent accepts either case here; payload ids and the subject are lower-case only.
      id: {
        type: 'string',
        pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$',
      },
      source: { type: 'string', pattern: `^/wandelwerk/(${PRODUCING_SERVICES.join('|')})$` },
      type: { type: 'string', pattern: EVENT_TYPE_PATTERN.source },
      subject: { ...is.uuid.schema, description: 'The id of the aggregate the event is about.' },
      time: is.utcTime.schema,
      datacontenttype: { const: 'application/json' },
      data: { type: 'object' },
      correlationid: { ...bounded(100), description: 'Shared by everything one user request caused.' },
      causationid: {
        anyOf: [bounded(100), { type: 'null' }],
        description: 'The id of the event or request that directly caused this one.',
      },
    },
  };
}

function message(definition: EventDefinition): JsonSchema {
  return {
    name: definition.payload.name,
    title: definition.type,
    summary: definition.description,
    contentType: 'application/cloudevents+json',
    payload: {
      allOf: [
        { $ref: schemaRef(ENVELOPE) },
        {
          type: 'object',
          properties: {
            type: { const: definition.type },
            source: { const: `/wandelwerk/${definition.producer}` },
            data: { $ref: classRef(definition.payload) },
          },
        },
      ],
    },
    examples: [{ name: 'niederlausitzhalle', payload: definition.example }],
  };
}

/** Every payload class and every class nested in one, by class name; two classes of one name would be ambiguous. */
function payloadSchemas(catalogue: readonly EventDefinition[]): Record<string, JsonSchema> {
  const classes = new Map<string, PayloadClass>();
  for (const payload of catalogue.flatMap((d) => [d.payload, ...nestedPayloadClasses(d.payload)])) {
    const known = classes.get(payload.name);
    if (known && known !== payload) throw new Error(`two payload classes are named ${payload.name}`);
    classes.set(payload.name, payload);
  }
  return Object.fromEntries(
    [...classes].map(([name, payload]) => [name, payloadJsonSchema(payload, classRef)]),
  );
}

// AsyncAPI ids may not contain dots; the address keeps the type as it is.
const idOf = (type: string): string => type.replaceAll('.', '_');

function operations(catalogue: readonly EventDefinition[]): Record<string, JsonSchema> {
  const operation = (definition: EventDefinition, service: string, action: 'send' | 'receive') => {
    const channel = idOf(definition.type);
    return [
      `${service}_${action}_${channel}`,
      {
        action,
        channel: { $ref: `#/channels/${channel}` },
        summary: `${service} ${action === 'send' ? 'publishes' : 'consumes'} ${definition.type}.`,
        tags: [{ name: service }],
        messages: [{ $ref: `#/channels/${channel}/messages/${definition.payload.name}` }],
      },
    ] as const;
  };
  return Object.fromEntries(
    catalogue.flatMap((definition) => [
      operation(definition, definition.producer, 'send'),
      ...definition.consumers.map((consumer) => operation(definition, consumer, 'receive')),
    ]),
  );
}

/** The AsyncAPI 3.0 document of all domain events, built from the catalogue (so it cannot drift from the code). */
export function buildAsyncApiDocument(catalogue: readonly EventDefinition[] = EVENT_CATALOGUE): JsonSchema {
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Wandelwerk domain events',
      version: '1.0.0',
      description:
        'Domain events of the Wandelwerk services on NATS JetStream, as CloudEvents 1.0 in structured JSON mode. ' +
        'The NATS subject of an event is its type. Delivery is at least once; consumers are idempotent ' +
        'through an inbox keyed by the event id. See docs/events.md.',
    },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      local: {
        host: '127.0.0.1:4222',
        protocol: 'nats',
        description: 'NATS with JetStream: one stream per producing service.',
      },
    },
    channels: Object.fromEntries(
      catalogue.map((definition) => [
        idOf(definition.type),
        {
          address: definition.type,
          title: definition.type,
          description: `${definition.description} Subject: the ${definition.aggregate} id.`,
          messages: {
            [definition.payload.name]: { $ref: `#/components/messages/${definition.payload.name}` },
          },
        },
      ]),
    ),
    operations: operations(catalogue),
    components: {
      messages: Object.fromEntries(
        catalogue.map((definition) => [definition.payload.name, message(definition)]),
      ),
      schemas: { [ENVELOPE]: envelopeSchema(), ...payloadSchemas(catalogue) },
    },
  };
}

/** The document as committed in docs/asyncapi.yaml. */
export function renderAsyncApiYaml(catalogue: readonly EventDefinition[] = EVENT_CATALOGUE): string {
  return (
    `# Generated from the event catalogue in libs/contracts; do not edit. Regenerate: ${REGENERATE_COMMAND}\n` +
    toYaml(buildAsyncApiDocument(catalogue))
  );
}
