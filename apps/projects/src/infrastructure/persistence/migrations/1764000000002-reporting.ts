import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Milestones and reporting obligations of approved projects, with the state of their reminders. */
export class Reporting1764000000002 implements MigrationInterface {
  name = 'Reporting1764000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE projects.milestone (
        id uuid PRIMARY KEY,
        proposal_id uuid NOT NULL REFERENCES projects.proposal (id),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        description text NOT NULL DEFAULT '',
        due_date date NOT NULL,
        created_by_user_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX milestone_proposal_idx ON projects.milestone (proposal_id, due_date, id)`,
    );
    await queryRunner.query(`
      CREATE TABLE projects.report_obligation (
        id uuid PRIMARY KEY,
        proposal_id uuid NOT NULL REFERENCES projects.proposal (id),
        kind text NOT NULL CHECK (kind IN ('interim', 'final')),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        due_date date NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL CHECK (period_end >= period_start),
        due_soon_at timestamptz NOT NULL,
        overdue_at timestamptz NOT NULL,
        reminded_at timestamptz,
        overdue_notified_at timestamptz,
        filed_at timestamptz,
        filed_by_user_id uuid,
        summary text,
        figures jsonb NOT NULL DEFAULT '[]',
        spent_to_date_cents bigint CHECK (spent_to_date_cents >= 0),
        late boolean,
        created_by_user_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX report_obligation_proposal_idx ON projects.report_obligation (proposal_id, due_date, id)`,
    );
    // The reconciliation reads the open obligations whose reminders are still to go out.
    await queryRunner.query(
      `CREATE INDEX report_obligation_open_idx ON projects.report_obligation (overdue_at)
       WHERE filed_at IS NULL AND overdue_notified_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE projects.report_obligation`);
    await queryRunner.query(`DROP TABLE projects.milestone`);
  }
}
