import { quoteSchema } from '@wandelwerk/messaging';
import { currentRequestKey } from '@wandelwerk/observability';
import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The table of `oncePerRequest`: the answer of each command a client sent with an Idempotency-Key, by the key (as the
 * gateway passes it, see currentRequestKey) and the kind of command.
 */
export function requestOutcomesMigration(schema: string): new () => MigrationInterface {
  const table = `${quoteSchema(schema)}.request_outcome`;
  return class RequestOutcomes1765100000000 implements MigrationInterface {
    name = 'RequestOutcomes1765100000000';
    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`
        CREATE TABLE ${table} (
          request_key text NOT NULL,
          kind text NOT NULL,
          result jsonb NOT NULL,
          at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (request_key, kind)
        )`);
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  };
}

/**
 * Runs a creating command once per client request: when the same request comes again — its first answer was lost,
 * e.g. a 504 after the commit, and the client retried with the same Idempotency-Key — it answers what the first run
 * answered instead of creating a second record. Call it inside the command's transaction; without a request key (no
 * Idempotency-Key) the command simply runs.
 */
export async function oncePerRequest<T>(
  manager: EntityManager,
  schema: string,
  kind: string,
  command: () => Promise<T>,
): Promise<T> {
  const requestKey = currentRequestKey();
  if (!requestKey) return command();
  const table = `${quoteSchema(schema)}.request_outcome`;
  const [earlier] = await manager.query<{ result: T }[]>(
    `SELECT result FROM ${table} WHERE request_key = $1 AND kind = $2`,
    [requestKey, kind],
  );
  if (earlier) return earlier.result;
  const result = await command();
  await manager.query(`INSERT INTO ${table} (request_key, kind, result) VALUES ($1, $2, $3)`, [
    requestKey,
    kind,
    JSON.stringify(result),
  ]);
  return result;
}
