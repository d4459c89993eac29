import { PRODUCING_SERVICES } from '../envelope/cloud-event.js';
import { EVENT_CATALOGUE, type EventDefinition } from '../catalogue.js';
import { describeFields, type FieldDescription, type PayloadClass } from '../validation/field-rules.js';
import { nestedPayloadClasses } from '../validation/json-schema.js';

export const GENERATED_START = '<!-- generated from the catalogue: start -->';
export const GENERATED_END = '<!-- generated from the catalogue: end -->';

const anchor = (payload: PayloadClass): string => `[${payload.name}](#${payload.name.toLowerCase()})`;

function fieldSummary({ name, shape, nullable }: FieldDescription): string {
  const optional = nullable ? '?' : '';
  switch (shape.kind) {
    case 'value':
      return `\`${name}${optional}\``;
    case 'list':
      return `\`${name}[]\``;
    case 'nested':
      return `\`${name}${optional}\` (${anchor(shape.type())})`;
    case 'nested-list':
      return `\`${name}[]\` (${anchor(shape.type())})`;
  }
}

const fieldsOf = (payload: PayloadClass): string => describeFields(payload).map(fieldSummary).join(', ');

function serviceTable(service: string, definitions: readonly EventDefinition[]): string {
  const rows = definitions.map(
    (d) =>
      `| \`${d.type}\` | ${d.producer} | ${d.consumers.join(', ') || '–'} | ${d.aggregate} id | ${fieldsOf(d.payload)} | ${d.description} |`,
  );
  return [
    `### ${service}`,
    '',
    '| Event type | Producer | Consumers | Subject | Carries (`data`) | Meaning |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** The per-service tables and the nested structures, as they stand between the markers in docs/events.md. */
export function renderEventTables(catalogue: readonly EventDefinition[] = EVENT_CATALOGUE): string {
  const structures = [...new Set(catalogue.flatMap((d) => nestedPayloadClasses(d.payload)))];
  return [
    ...PRODUCING_SERVICES.map((service) =>
      serviceTable(
        service,
        catalogue.filter((d) => d.producer === service),
      ),
    ),
    [
      '### Structures',
      '',
      'Objects nested in the payloads above.',
      '',
      '| Structure | Fields |',
      '| --- | --- |',
      ...structures.map((s) => `| <a id="${s.name.toLowerCase()}"></a>${s.name} | ${fieldsOf(s)} |`),
    ].join('\n'),
  ].join('\n\n');
}

/** Puts freshly generated tables between the markers of the guide, keeping the prose around them. */
export function withGeneratedTables(guide: string, tables: string = renderEventTables()): string {
  const start = guide.indexOf(GENERATED_START);
  const end = guide.indexOf(GENERATED_END);
  if (start < 0 || end < start)
    throw new Error(`docs/events.md lacks the markers ${GENERATED_START} … ${GENERATED_END}`);
  return `${guide.slice(0, start + GENERATED_START.length)}\n\n${tables}\n\n${guide.slice(end)}`;
}
