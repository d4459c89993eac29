import type { NatsSettings, ServiceSettings } from '@wandelwerk/config';
import { migrateDatabase } from './database/migrations.js';
import type { ServiceBlueprint } from './service-app.js';

/** Operator commands every service app offers: `migrate` runs its pending schema migrations. */
export async function runServiceCli<S extends NatsSettings>(
  blueprint: ServiceBlueprint<S>,
  args: string[],
): Promise<never> {
  const [command] = args;
  try {
    if (command === 'migrate' && blueprint.database) {
      const url = (blueprint.settings as unknown as ServiceSettings).DATABASE_URL;
      const ran = await migrateDatabase(url, blueprint.database);
      console.log(
        `${blueprint.name}: schema "${blueprint.database.schema}" ${ran.length ? `migrated (${ran.join(', ')})` : 'is up to date'}`,
      );
      process.exit(0);
    }
    console.error(`usage: node apps/${blueprint.name}/dist/cli.js migrate`);
    process.exit(2);
  } catch (error) {
    console.error(
      `${blueprint.name}: ${command} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }
}
