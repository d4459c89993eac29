import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The client's idempotency key of the request that paid a tranche or amended a budget: a retry whose first answer was
 * lost (a 504 after the commit) finds the first one instead of moving the money again.
 */
export class RequestKeys1765000000003 implements MigrationInterface {
  name = 'RequestKeys1765000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['disbursement', 'budget_amendment']) {
      await queryRunner.query(`ALTER TABLE funding.${table} ADD COLUMN request_key text`);
      await queryRunner.query(
        `CREATE UNIQUE INDEX ${table}_request_key ON funding.${table} (request_key) WHERE request_key IS NOT NULL`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['disbursement', 'budget_amendment'])
      await queryRunner.query(`ALTER TABLE funding.${table} DROP COLUMN request_key`);
  }
}
