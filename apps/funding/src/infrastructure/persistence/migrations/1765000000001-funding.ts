import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Programmes, their budget lines per year with amendments, allocations with their years, municipal shares,
 * approvals, decision log and disbursements.
 *
 * The invariant "reserved + disbursed never exceeds planned" is the CHECK `budget_year_within_plan` on the budget
 * line itself: every change of a line is one `UPDATE … SET x = x + $n`, so concurrent writers queue on the row lock
 * and the one that would break the plan fails in the database, whatever the application believed it read.
 */
export class Funding1765000000001 implements MigrationInterface {
  name = 'Funding1765000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE funding.programme (
        id uuid PRIMARY KEY,
        code text NOT NULL CONSTRAINT programme_code_key UNIQUE,
        name text NOT NULL,
        legal_basis text NOT NULL,
        max_funding_rate_basis_points integer NOT NULL CHECK (max_funding_rate_basis_points BETWEEN 1 AND 10000),
        first_year integer NOT NULL,
        last_year integer NOT NULL,
        eligible_state_codes text[] NOT NULL,
        eligible_regions text[] NOT NULL,
        four_eyes_threshold_cents bigint NOT NULL CHECK (four_eyes_threshold_cents >= 0),
        active boolean NOT NULL,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK (last_year >= first_year)
      )`);
    await queryRunner.query(`CREATE INDEX programme_name_idx ON funding.programme (lower(name), id)`);
    await queryRunner.query(`CREATE INDEX programme_created_idx ON funding.programme (created_at, id)`);
    // 0, 80, 90 or 100: the highest threshold the used share (reserved + disbursed of planned) has reached.
    await queryRunner.query(`
      CREATE FUNCTION funding.budget_threshold_level(used bigint, planned bigint) RETURNS integer
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE
          WHEN used <= 0 THEN 0
          WHEN used >= planned THEN 100
          WHEN used::numeric * 10 >= planned::numeric * 9 THEN 90
          WHEN used::numeric * 5 >= planned::numeric * 4 THEN 80
          ELSE 0 END
      $$`);
    await queryRunner.query(`
      CREATE TABLE funding.budget_year (
        id uuid PRIMARY KEY,
        programme_id uuid NOT NULL REFERENCES funding.programme (id),
        year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
        planned_cents bigint NOT NULL CONSTRAINT budget_year_planned_not_negative CHECK (planned_cents >= 0),
        reserved_cents bigint NOT NULL DEFAULT 0 CHECK (reserved_cents >= 0),
        disbursed_cents bigint NOT NULL DEFAULT 0 CHECK (disbursed_cents >= 0),
        threshold_level integer GENERATED ALWAYS AS
          (funding.budget_threshold_level(reserved_cents + disbursed_cents, planned_cents)) STORED,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT budget_year_within_plan CHECK (reserved_cents + disbursed_cents <= planned_cents),
        CONSTRAINT budget_year_programme_year_key UNIQUE (programme_id, year)
      )`);
    await queryRunner.query(`
      CREATE TABLE funding.budget_amendment (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        programme_id uuid NOT NULL REFERENCES funding.programme (id),
        kind text NOT NULL CHECK (kind IN ('raise', 'cut', 'move')),
        year integer NOT NULL,
        to_year integer,
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        reason text NOT NULL,
        actor_user_id uuid NOT NULL,
        at timestamptz NOT NULL,
        CHECK ((kind = 'move') = (to_year IS NOT NULL))
      )`);
    await queryRunner.query(
      `CREATE INDEX budget_amendment_programme_idx ON funding.budget_amendment (programme_id, seq)`,
    );
    // The proposal's municipalities, figures and dates are kept on the allocation as they were when it was endorsed:
    // reports read them from here (never from the projects service).
    await queryRunner.query(`
      CREATE TABLE funding.allocation (
        id uuid PRIMARY KEY,
        proposal_id uuid NOT NULL CONSTRAINT allocation_proposal_key UNIQUE,
        programme_id uuid NOT NULL REFERENCES funding.programme (id),
        programme_code text NOT NULL,
        status text NOT NULL CHECK (status IN
          ('requested', 'approved', 'committed', 'disbursing', 'closed', 'rejected', 'cancelled')),
        version integer NOT NULL,
        title text NOT NULL,
        owner_user_id uuid NOT NULL,
        lead_municipality jsonb NOT NULL,
        partners jsonb NOT NULL,
        municipality_ids uuid[] NOT NULL,
        total_cost_cents bigint NOT NULL CHECK (total_cost_cents >= 0),
        eligible_cost_cents bigint NOT NULL CHECK (eligible_cost_cents >= 0),
        requested_funding_cents bigint NOT NULL CHECK (requested_funding_cents >= 0),
        funding_rate_basis_points integer NOT NULL CHECK (funding_rate_basis_points BETWEEN 0 AND 10000),
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        paid_cents bigint NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
        released_cents bigint NOT NULL DEFAULT 0 CHECK (released_cents >= 0),
        approvals_required integer NOT NULL CHECK (approvals_required IN (1, 2)),
        planned_start date NOT NULL,
        planned_end date NOT NULL,
        grant_decision_date date,
        grant_reference text,
        rejection_reason text,
        cancellation_reason text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK (paid_cents + released_cents <= amount_cents)
      )`);
    for (const [name, columns] of [
      ['allocation_created_idx', 'created_at, id'],
      ['allocation_updated_idx', 'updated_at, id'],
      ['allocation_amount_idx', 'amount_cents, id'],
      ['allocation_status_created_idx', 'status, created_at, id'],
      ['allocation_programme_created_idx', 'programme_id, created_at, id'],
      ['allocation_owner_created_idx', 'owner_user_id, created_at, id'],
    ]) {
      await queryRunner.query(`CREATE INDEX ${name} ON funding.allocation (${columns})`);
    }
    await queryRunner.query(
      `CREATE INDEX allocation_municipalities_idx ON funding.allocation USING gin (municipality_ids)`,
    );
    await queryRunner.query(`
      CREATE TABLE funding.allocation_year (
        allocation_id uuid NOT NULL REFERENCES funding.allocation (id),
        year integer NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        paid_cents bigint NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
        CONSTRAINT allocation_year_within_amount CHECK (paid_cents <= amount_cents),
        PRIMARY KEY (allocation_id, year)
      )`);
    // One row per municipality of an allocation (lead and partners with their cost shares), so a report sums the
    // money per municipality and role with one GROUP BY over an index scan instead of unpacking JSON per row.
    await queryRunner.query(`
      CREATE TABLE funding.allocation_share (
        allocation_id uuid NOT NULL REFERENCES funding.allocation (id),
        municipality_id uuid NOT NULL,
        ags char(8) NOT NULL,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('lead', 'partner')),
        cost_share_basis_points integer NOT NULL CHECK (cost_share_basis_points BETWEEN 0 AND 10000),
        PRIMARY KEY (allocation_id, municipality_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX allocation_share_municipality_idx ON funding.allocation_share (municipality_id, role)`,
    );
    // The primary key is the four-eyes rule in the database: one approval per officer and allocation.
    await queryRunner.query(`
      CREATE TABLE funding.allocation_approval (
        allocation_id uuid NOT NULL REFERENCES funding.allocation (id),
        approver_user_id uuid NOT NULL,
        comment text,
        at timestamptz NOT NULL,
        PRIMARY KEY (allocation_id, approver_user_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE funding.allocation_decision (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        allocation_id uuid NOT NULL REFERENCES funding.allocation (id),
        action text NOT NULL,
        from_status text,
        to_status text NOT NULL,
        actor_user_id uuid,
        reason text,
        amount_cents bigint,
        details jsonb NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX allocation_decision_allocation_idx ON funding.allocation_decision (allocation_id, seq)`,
    );
    await queryRunner.query(`
      CREATE TABLE funding.disbursement (
        id uuid PRIMARY KEY,
        allocation_id uuid NOT NULL REFERENCES funding.allocation (id),
        instalment integer NOT NULL CHECK (instalment >= 1),
        year integer NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        paid_on date NOT NULL,
        report_id uuid,
        actor_user_id uuid NOT NULL,
        comment text,
        created_at timestamptz NOT NULL,
        CONSTRAINT disbursement_instalment_key UNIQUE (allocation_id, instalment),
        FOREIGN KEY (allocation_id, year) REFERENCES funding.allocation_year (allocation_id, year)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'disbursement',
      'allocation_decision',
      'allocation_approval',
      'allocation_share',
      'allocation_year',
      'allocation',
      'budget_amendment',
      'budget_year',
      'programme',
    ]) {
      await queryRunner.query(`DROP TABLE funding.${table}`);
    }
    await queryRunner.query(`DROP FUNCTION funding.budget_threshold_level(bigint, bigint)`);
  }
}
