import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Report jobs: one row per report, from `queued` to `done` (or `failed`), with what the file holds once it is
 * written (rows, bytes, SHA-256). A monthly report exists once per kind and month whoever runs the schedule, so a
 * repeated or concurrent run of the monthly job finds the rows it would create.
 */
export class FundingReports1765000000002 implements MigrationInterface {
  name = 'FundingReports1765000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE funding.report (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('ledger', 'municipalities', 'kohesio')),
        trigger text NOT NULL CHECK (trigger IN ('monthly', 'on-demand')),
        format text NOT NULL CHECK (format IN ('csv')),
        parameters jsonb NOT NULL,
        from_year integer NOT NULL,
        to_year integer NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
        progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        row_count bigint NOT NULL DEFAULT 0 CHECK (row_count >= 0),
        byte_size bigint CHECK (byte_size >= 0),
        sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        file_name text,
        created_by uuid,
        created_at timestamptz NOT NULL,
        started_at timestamptz,
        finished_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        error text,
        CHECK (to_year >= from_year),
        CHECK (trigger = 'on-demand' OR parameters ? 'month'),
        CHECK (status <> 'done' OR (byte_size IS NOT NULL AND sha256 IS NOT NULL AND file_name IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX report_created_idx ON funding.report (created_at, id)`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX report_monthly_key ON funding.report (kind, (parameters ->> 'month'))
       WHERE trigger = 'monthly'`,
    );
    // Reports still to be generated, for the reconciliation at start.
    await queryRunner.query(
      `CREATE INDEX report_pending_idx ON funding.report (created_at) WHERE status IN ('queued', 'running')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE funding.report`);
  }
}
