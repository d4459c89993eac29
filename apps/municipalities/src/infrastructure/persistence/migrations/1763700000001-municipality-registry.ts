import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The AGS-keyed registry, contacts and cooperations with dated memberships. */
export class MunicipalityRegistry1763700000001 implements MigrationInterface {
  name = 'MunicipalityRegistry1763700000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE municipalities.municipality (
        id uuid PRIMARY KEY,
        ags char(8) NOT NULL CONSTRAINT municipality_ags_key UNIQUE
          CONSTRAINT municipality_ags_format CHECK (ags ~ '^(0[1-9]|1[0-6])[0-9]{6}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
        official_name text NOT NULL CHECK (length(official_name) BETWEEN 1 AND 200),
        district text NOT NULL CHECK (length(district) BETWEEN 1 AND 120),
        state text NOT NULL CHECK (length(state) BETWEEN 1 AND 60),
        region text,
        active boolean NOT NULL DEFAULT true,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX municipality_name_idx ON municipalities.municipality (lower(name), id)`,
    );
    await queryRunner.query(
      `CREATE INDEX municipality_created_idx ON municipalities.municipality (created_at, id)`,
    );
    await queryRunner.query(`
      CREATE TABLE municipalities.contact (
        id uuid PRIMARY KEY,
        municipality_id uuid NOT NULL REFERENCES municipalities.municipality (id),
        full_name text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
        role text NOT NULL CHECK (length(role) BETWEEN 1 AND 120),
        email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
        phone text,
        language char(2) NOT NULL CHECK (language IN ('de', 'en')),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT contact_email_per_municipality UNIQUE (municipality_id, email)
      )`);
    await queryRunner.query(`
      CREATE TABLE municipalities.cooperation (
        id uuid PRIMARY KEY,
        name text NOT NULL CONSTRAINT cooperation_name_key UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
        kind text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE municipalities.cooperation_membership (
        id uuid PRIMARY KEY,
        cooperation_id uuid NOT NULL REFERENCES municipalities.cooperation (id),
        municipality_id uuid NOT NULL REFERENCES municipalities.municipality (id),
        start_date date NOT NULL,
        end_date date,
        end_reason text,
        CONSTRAINT membership_dates CHECK (end_date IS NULL OR end_date >= start_date)
      )`);
    // One open membership per municipality and cooperation.
    await queryRunner.query(`
      CREATE UNIQUE INDEX membership_open_key ON municipalities.cooperation_membership (cooperation_id, municipality_id)
        WHERE end_date IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['cooperation_membership', 'cooperation', 'contact', 'municipality']) {
      await queryRunner.query(`DROP TABLE municipalities.${table}`);
    }
  }
}
