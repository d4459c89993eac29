import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { messagingTablesDown, messagingTablesUp, quoteSchema } from '@wandelwerk/messaging';

export interface DatabaseBlueprint {
  /** The service's own schema: no other service reads or writes it. */
  schema: string;
  entities: (new (...args: never[]) => unknown)[];
  migrations: (new () => MigrationInterface)[];
}

/** The outbox and inbox tables of a service, as the first migration of its schema. */
export function messagingTablesMigration(schema: string): new () => MigrationInterface {
  return class MessagingTables1763700000000 implements MigrationInterface {
    name = 'MessagingTables1763700000000';
    async up(queryRunner: QueryRunner): Promise<void> {
      for (const sql of messagingTablesUp(schema)) await queryRunner.query(sql);
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      for (const sql of messagingTablesDown(schema)) await queryRunner.query(sql);
    }
  };
}

export function dataSourceFor(url: string, database: DatabaseBlueprint, poolSize = 10): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    schema: database.schema,
    entities: database.entities,
    migrations: database.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    poolSize,
    logging: false,
    applicationName: `wandelwerk-${database.schema}`,
  });
}

/**
 * Creates the service's schema and runs its pending migrations, one process at a time (an advisory lock), so that
 * replicas starting together cannot race each other. Returns the names of the migrations it ran.
 */
export async function migrateDatabase(url: string, database: DatabaseBlueprint): Promise<string[]> {
  const dataSource = dataSourceFor(url, database, 2);
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`wandelwerk-migrate-${database.schema}`]);
    await lock.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSchema(database.schema)}`);
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await lock
      .query('SELECT pg_advisory_unlock(hashtext($1))', [`wandelwerk-migrate-${database.schema}`])
      .catch(() => undefined);
    await lock.release();
    await dataSource.destroy();
  }
}
