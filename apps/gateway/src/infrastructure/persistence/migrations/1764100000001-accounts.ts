import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Local accounts, their refresh tokens (stored as SHA-256 hashes only) and the audit record of changes. */
export class Accounts1764100000001 implements MigrationInterface {
  name = 'Accounts1764100000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE gateway.user_account (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        display_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'program_manager', 'funding_officer', 'municipality')),
        municipality_id uuid,
        -- Null for accounts that sign in only through OpenID Connect.
        password_hash text,
        active boolean NOT NULL DEFAULT true,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT user_account_municipality_binding CHECK ((role = 'municipality') = (municipality_id IS NOT NULL))
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX user_account_email_key ON gateway.user_account (lower(email))`,
    );
    await queryRunner.query(
      `CREATE INDEX user_account_created ON gateway.user_account (created_at DESC, id DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE gateway.refresh_token (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES gateway.user_account (id) ON DELETE CASCADE,
        -- All tokens of one login: reusing a replaced token revokes the whole family (it was stolen).
        family_id uuid NOT NULL,
        token_hash bytea NOT NULL CONSTRAINT refresh_token_hash_key UNIQUE,
        issued_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text CHECK (revoked_reason IN ('rotated', 'logout', 'reuse-detected', 'account-changed'))
      )`);
    await queryRunner.query(`CREATE INDEX refresh_token_family ON gateway.refresh_token (family_id)`);
    await queryRunner.query(`CREATE INDEX refresh_token_user ON gateway.refresh_token (user_id)`);
    await queryRunner.query(`
      CREATE TABLE gateway.audit_entry (
        id uuid PRIMARY KEY,
        at timestamptz NOT NULL,
        user_id uuid,
        role text,
        method text NOT NULL,
        route text NOT NULL,
        path text NOT NULL,
        resource_type text,
        resource_id text,
        address text NOT NULL,
        status integer NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('succeeded', 'refused', 'failed')),
        correlation_id text
      )`);
    await queryRunner.query(`CREATE INDEX audit_entry_at ON gateway.audit_entry (at DESC, id DESC)`);
    await queryRunner.query(
      `CREATE INDEX audit_entry_user ON gateway.audit_entry (user_id, at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX audit_entry_resource ON gateway.audit_entry (resource_id, at DESC, id DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE gateway.audit_entry`);
    await queryRunner.query(`DROP TABLE gateway.refresh_token`);
    await queryRunner.query(`DROP TABLE gateway.user_account`);
  }
}
