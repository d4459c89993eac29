/**
 * DDL of the outbox and inbox that every service keeps in its own schema. Services call these from a migration of
 * their own, so the tables are versioned with the rest of the service's schema.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema))
    throw new Error(`schema name "${schema}" must be lower-case letters, digits and _`);
  return `"${schema}"`;
}

export function outboxChannel(schema: string): string {
  quoteSchema(schema);
  return `outbox_${schema}`;
}

export function messagingTablesUp(schema: string): string[] {
  const s = quoteSchema(schema);
  return [
    `CREATE TABLE ${s}.outbox (
      seq bigserial PRIMARY KEY,
      id uuid NOT NULL UNIQUE,
      aggregate_id text NOT NULL,
      type text NOT NULL,
      payload json NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text
    )`,
    `CREATE INDEX outbox_unsent_idx ON ${s}.outbox (seq) WHERE sent_at IS NULL`,
    `CREATE INDEX outbox_sent_at_idx ON ${s}.outbox (sent_at) WHERE sent_at IS NOT NULL`,
    `CREATE TABLE ${s}.inbox (
      consumer text NOT NULL,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      handled_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, event_id)
    )`,
    `CREATE INDEX inbox_handled_at_idx ON ${s}.inbox (handled_at)`,
  ];
}

export function messagingTablesDown(schema: string): string[] {
  const s = quoteSchema(schema);
  return [`DROP TABLE ${s}.inbox`, `DROP TABLE ${s}.outbox`];
}
