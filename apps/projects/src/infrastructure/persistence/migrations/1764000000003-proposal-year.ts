import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per proposal and cost-plan year, with the list's equality filters and its default sort key: the list reads
 * "year + programme", "year + workshop (+ municipality)", "year + status" and "year" alone as an ordered index range
 * (newest first) that stops after the page, instead of a GIN bitmap of a quarter of all proposals.
 *
 * Triggers on `projects.proposal` keep the table in step in the same statement, so every path that writes a proposal
 * (the service's INSERT and UPDATEs, and any raw SQL) maintains it: a changed cost plan, status, programme, workshop,
 * municipality list or creation time replaces the proposal's rows.
 */
export class ProposalYear1764000000003 implements MigrationInterface {
  name = 'ProposalYear1764000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE projects.proposal_year (
        year integer NOT NULL,
        proposal_id uuid NOT NULL REFERENCES projects.proposal (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        programme_code text NOT NULL,
        workshop text,
        status text NOT NULL,
        municipality_ids uuid[] NOT NULL,
        PRIMARY KEY (year, proposal_id)
      )`);
    await queryRunner.query(`
      CREATE FUNCTION projects.proposal_year_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          DELETE FROM projects.proposal_year WHERE year = ANY (OLD.cost_plan_years) AND proposal_id = OLD.id;
        END IF;
        INSERT INTO projects.proposal_year (year, proposal_id, created_at, programme_code, workshop, status,
          municipality_ids)
        SELECT DISTINCT y.year, NEW.id, NEW.created_at, NEW.programme_code, NEW.workshop, NEW.status,
          NEW.municipality_ids
        FROM unnest(NEW.cost_plan_years) AS y(year);
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER proposal_year_insert AFTER INSERT ON projects.proposal
      FOR EACH ROW EXECUTE FUNCTION projects.proposal_year_sync()`);
    await queryRunner.query(`
      CREATE TRIGGER proposal_year_update AFTER UPDATE ON projects.proposal
      FOR EACH ROW WHEN (
        OLD.cost_plan_years IS DISTINCT FROM NEW.cost_plan_years OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.programme_code IS DISTINCT FROM NEW.programme_code OR OLD.workshop IS DISTINCT FROM NEW.workshop
        OR OLD.municipality_ids IS DISTINCT FROM NEW.municipality_ids OR OLD.created_at IS DISTINCT FROM NEW.created_at
        OR OLD.id IS DISTINCT FROM NEW.id
      ) EXECUTE FUNCTION projects.proposal_year_sync()`);
    // Backfill the proposals written before this migration.
    await queryRunner.query(`
      INSERT INTO projects.proposal_year (year, proposal_id, created_at, programme_code, workshop, status,
        municipality_ids)
      SELECT DISTINCT y.year, p.id, p.created_at, p.programme_code, p.workshop, p.status, p.municipality_ids
      FROM projects.proposal p CROSS JOIN LATERAL unnest(p.cost_plan_years) AS y(year)`);
    // Keyset pages of the default order (created_at, id) behind each equality filter that comes with a year.
    for (const [name, columns] of [
      ['proposal_year_created_idx', 'year, created_at, proposal_id'],
      ['proposal_year_programme_created_idx', 'year, programme_code, created_at, proposal_id'],
      ['proposal_year_workshop_created_idx', 'year, workshop, created_at, proposal_id'],
      ['proposal_year_status_created_idx', 'year, status, created_at, proposal_id'],
    ]) {
      await queryRunner.query(`CREATE INDEX ${name} ON projects.proposal_year (${columns})`);
    }
    await queryRunner.query(`ANALYZE projects.proposal_year`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER proposal_year_update ON projects.proposal`);
    await queryRunner.query(`DROP TRIGGER proposal_year_insert ON projects.proposal`);
    await queryRunner.query(`DROP FUNCTION projects.proposal_year_sync()`);
    await queryRunner.query(`DROP TABLE projects.proposal_year`);
  }
}
