import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of municipalities and programmes; proposals, their transitions and reviews. */
export class Projects1764000000001 implements MigrationInterface {
  name = 'Projects1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE projects.municipality_read_model (
        id uuid PRIMARY KEY,
        ags char(8) NOT NULL,
        name text NOT NULL,
        active boolean NOT NULL,
        version integer NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE projects.programme_read_model (
        id uuid PRIMARY KEY,
        code text NOT NULL CONSTRAINT programme_read_model_code_key UNIQUE,
        max_funding_rate_basis_points integer NOT NULL CHECK (max_funding_rate_basis_points BETWEEN 0 AND 10000),
        first_year integer NOT NULL,
        last_year integer NOT NULL,
        active boolean NOT NULL,
        version integer NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE projects.proposal (
        id uuid PRIMARY KEY,
        status text NOT NULL,
        version integer NOT NULL,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
        summary text NOT NULL,
        description text NOT NULL,
        workshop text,
        programme_code text NOT NULL,
        owner_user_id uuid NOT NULL,
        lead_municipality jsonb NOT NULL,
        partners jsonb NOT NULL,
        municipality_ids uuid[] NOT NULL,
        total_cost_cents bigint NOT NULL CHECK (total_cost_cents >= 0),
        eligible_cost_cents bigint NOT NULL CHECK (eligible_cost_cents >= 0),
        requested_funding_cents bigint NOT NULL CHECK (requested_funding_cents >= 0),
        cost_plan jsonb NOT NULL,
        cost_plan_years integer[] NOT NULL,
        planned_start date NOT NULL,
        planned_end date NOT NULL,
        indicators jsonb NOT NULL,
        review_round integer NOT NULL DEFAULT 0,
        allocation_id uuid,
        approved_funding_cents bigint,
        search tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('german', title), 'A') || setweight(to_tsvector('german', summary), 'B')
        ) STORED,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // Keyset pages of the list: each sort order with the id, and the equality filters in front of the default order.
    for (const [name, columns] of [
      ['proposal_created_idx', 'created_at, id'],
      ['proposal_updated_idx', 'updated_at, id'],
      ['proposal_title_idx', 'lower(title), id'],
      ['proposal_requested_idx', 'requested_funding_cents, id'],
      ['proposal_status_created_idx', 'status, created_at, id'],
      ['proposal_programme_created_idx', 'programme_code, created_at, id'],
      ['proposal_workshop_created_idx', 'workshop, created_at, id'],
      ['proposal_owner_idx', 'owner_user_id, created_at, id'],
    ]) {
      await queryRunner.query(`CREATE INDEX ${name} ON projects.proposal (${columns})`);
    }
    await queryRunner.query(
      `CREATE INDEX proposal_municipalities_idx ON projects.proposal USING gin (municipality_ids)`,
    );
    await queryRunner.query(
      `CREATE INDEX proposal_years_idx ON projects.proposal USING gin (cost_plan_years)`,
    );
    await queryRunner.query(`CREATE INDEX proposal_search_idx ON projects.proposal USING gin (search)`);
    await queryRunner.query(`
      CREATE TABLE projects.proposal_transition (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        proposal_id uuid NOT NULL REFERENCES projects.proposal (id),
        action text NOT NULL,
        from_status text NOT NULL,
        to_status text NOT NULL,
        actor_user_id uuid,
        comment text,
        at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX proposal_transition_proposal_idx ON projects.proposal_transition (proposal_id, seq)`,
    );
    await queryRunner.query(`
      CREATE TABLE projects.review (
        id uuid PRIMARY KEY,
        proposal_id uuid NOT NULL REFERENCES projects.proposal (id),
        round integer NOT NULL,
        reviewer_user_id uuid NOT NULL,
        votum text NOT NULL CHECK (votum IN ('endorse', 'revise', 'reject')),
        scores jsonb NOT NULL,
        total_score integer NOT NULL CHECK (total_score BETWEEN 0 AND 25),
        comment text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX review_proposal_idx ON projects.review (proposal_id, created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'review',
      'proposal_transition',
      'proposal',
      'programme_read_model',
      'municipality_read_model',
    ]) {
      await queryRunner.query(`DROP TABLE projects.${table}`);
    }
  }
}
