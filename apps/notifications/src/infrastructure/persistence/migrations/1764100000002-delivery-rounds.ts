import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delivery can be sent again after it was given up or skipped (resuming a paused webhook endpoint resends what it
 * missed). Each such round is a new BullMQ job, whose id must differ from the finished one's: the round is part of it.
 */
export class DeliveryRounds1764100000002 implements MigrationInterface {
  name = 'DeliveryRounds1764100000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE notifications.delivery ADD COLUMN round integer NOT NULL DEFAULT 0`);
    await queryRunner.query(
      `CREATE INDEX delivery_webhook_idx ON notifications.delivery (webhook_id, created_at) WHERE webhook_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX notifications.delivery_webhook_idx`);
    await queryRunner.query(`ALTER TABLE notifications.delivery DROP COLUMN round`);
  }
}
