import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models (municipalities, contacts, proposals, programmes and their officers), notifications, preferences,
 * webhook endpoints, deliveries with every attempt, and the marks that make reminders and digests happen once.
 */
export class Notifications1764100000001 implements MigrationInterface {
  name = 'Notifications1764100000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`
      CREATE TABLE notifications.municipality_read_model (
        id uuid PRIMARY KEY,
        ags char(8) NOT NULL,
        name text NOT NULL,
        active boolean NOT NULL,
        version integer NOT NULL
      )`);
    await q(`
      CREATE TABLE notifications.contact_read_model (
        id uuid PRIMARY KEY,
        municipality_id uuid NOT NULL,
        full_name text NOT NULL,
        email text NOT NULL,
        language text NOT NULL CHECK (language IN ('de', 'en')),
        active boolean NOT NULL,
        version integer NOT NULL
      )`);
    await q(
      `CREATE INDEX contact_read_model_municipality_idx ON notifications.contact_read_model (municipality_id)`,
    );
    await q(`
      CREATE TABLE notifications.proposal_read_model (
        id uuid PRIMARY KEY,
        title text NOT NULL,
        programme_code text NOT NULL,
        owner_user_id uuid NOT NULL,
        lead_municipality_id uuid NOT NULL,
        partner_municipality_ids uuid[] NOT NULL,
        status text NOT NULL,
        status_since timestamptz NOT NULL,
        version integer NOT NULL,
        -- The status_since of the wait the officers were last reminded of: one reminder per wait.
        wait_reminded_for timestamptz
      )`);
    await q(
      `CREATE INDEX proposal_read_model_waiting_idx ON notifications.proposal_read_model (status_since)
       WHERE status IN ('submitted', 'in-review')`,
    );
    await q(`
      CREATE TABLE notifications.programme_officer (
        programme_code text NOT NULL,
        user_id uuid NOT NULL,
        PRIMARY KEY (programme_code, user_id)
      )`);
    await q(`
      CREATE TABLE notifications.notification (
        id uuid PRIMARY KEY,
        source_event_id uuid NOT NULL,
        source_event_type text NOT NULL,
        recipient_kind text NOT NULL CHECK (recipient_kind IN ('user', 'contact', 'municipality')),
        recipient_id uuid NOT NULL,
        municipality_id uuid,
        proposal_id uuid,
        template_key text NOT NULL,
        language text NOT NULL CHECK (language IN ('de', 'en')),
        title text NOT NULL,
        body text NOT NULL,
        link text,
        channels text[] NOT NULL,
        mandatory boolean NOT NULL,
        created_at timestamptz NOT NULL,
        read_at timestamptz,
        -- Exactly one notification per event and recipient, however often the event arrives.
        CONSTRAINT notification_once UNIQUE (source_event_id, recipient_kind, recipient_id)
      )`);
    await q(
      `CREATE INDEX notification_recipient_idx
         ON notifications.notification (recipient_kind, recipient_id, created_at DESC, id DESC)`,
    );
    await q(
      `CREATE INDEX notification_unread_idx ON notifications.notification (recipient_kind, recipient_id)
       WHERE read_at IS NULL`,
    );
    await q(`
      CREATE TABLE notifications.preferences (
        id uuid PRIMARY KEY,
        municipality_id uuid NOT NULL,
        contact_id uuid,
        channels text[] NOT NULL,
        event_types text[],
        digest text NOT NULL CHECK (digest IN ('immediate', 'daily')),
        digest_time text NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q(
      `CREATE UNIQUE INDEX preferences_recipient_key ON notifications.preferences
         (municipality_id, coalesce(contact_id, '00000000-0000-0000-0000-000000000000'::uuid))`,
    );
    await q(`
      CREATE TABLE notifications.webhook (
        id uuid PRIMARY KEY,
        municipality_id uuid NOT NULL,
        url text NOT NULL,
        description text NOT NULL,
        secret text NOT NULL,
        previous_secret text,
        previous_secret_until timestamptz,
        status text NOT NULL CHECK (status IN ('active', 'paused')),
        consecutive_failures integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz
      )`);
    await q(
      `CREATE INDEX webhook_municipality_idx ON notifications.webhook (municipality_id) WHERE deleted_at IS NULL`,
    );
    await q(`
      CREATE TABLE notifications.digest (
        id uuid PRIMARY KEY,
        contact_id uuid NOT NULL,
        -- The local day (Europe/Berlin) it covers up to; one digest per contact and day.
        digest_day date NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT digest_once UNIQUE (contact_id, digest_day)
      )`);
    await q(`
      CREATE TABLE notifications.delivery (
        id uuid PRIMARY KEY,
        notification_id uuid REFERENCES notifications.notification (id),
        digest_id uuid REFERENCES notifications.digest (id),
        webhook_id uuid REFERENCES notifications.webhook (id),
        -- A delivery held for the digest points to the digest that took it up.
        included_in uuid REFERENCES notifications.digest (id),
        channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
        target text NOT NULL,
        -- A webhook's body (the CloudEvent), fixed when the delivery is made so every attempt sends the same bytes.
        payload text,
        -- waiting: held for a digest; pending: to be sent; sending: claimed by a worker until lease_until.
        status text NOT NULL CHECK (status IN ('waiting', 'pending', 'sending', 'succeeded', 'failed', 'digested', 'skipped')),
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL,
        lease_until timestamptz,
        queued_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT delivery_once UNIQUE NULLS NOT DISTINCT (notification_id, digest_id, channel, target)
      )`);
    await q(
      `CREATE INDEX delivery_unqueued_idx ON notifications.delivery (created_at) WHERE status = 'pending' AND queued_at IS NULL`,
    );
    await q(`CREATE INDEX delivery_waiting_idx ON notifications.delivery (target) WHERE status = 'waiting'`);
    await q(`CREATE INDEX delivery_notification_idx ON notifications.delivery (notification_id)`);
    await q(`
      CREATE TABLE notifications.delivery_attempt (
        seq bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES notifications.delivery (id),
        attempt integer NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        succeeded boolean NOT NULL,
        http_status integer,
        smtp_response text,
        error text
      )`);
    await q(
      `CREATE INDEX delivery_attempt_delivery_idx ON notifications.delivery_attempt (delivery_id, seq)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'delivery_attempt',
      'delivery',
      'digest',
      'webhook',
      'preferences',
      'notification',
      'programme_officer',
      'proposal_read_model',
      'contact_read_model',
      'municipality_read_model',
    ]) {
      await queryRunner.query(`DROP TABLE notifications.${table}`);
    }
  }
}
