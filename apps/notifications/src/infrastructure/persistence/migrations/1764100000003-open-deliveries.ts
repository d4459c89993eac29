import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The deliveries still to be done (`pending`, `sending`), for the sweep that queues again those whose BullMQ job is
 * gone (Redis lost its data, a sender died). Few rows at any time, however large the table grows.
 */
export class OpenDeliveries1764100000003 implements MigrationInterface {
  name = 'OpenDeliveries1764100000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX delivery_open_idx ON notifications.delivery (id) WHERE status IN ('pending', 'sending')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX notifications.delivery_open_idx`);
  }
}
