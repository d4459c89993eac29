import type { NatsSettings, ServiceSettings } from '@wandelwerk/config';
import { migrateDatabase } from './database/migrations.js';
import { createServiceApp, type ServiceBlueprint } from './service-app.js';

/**
 * Operator commands of a service app: `migrate` runs its pending schema migrations; the blueprint may add more
 * (e.g. `import <file>`), which run in the app's own container — writing through its use cases and outbox — without
 * serving requests or messages. Exit code 0 on success, 1 on failure, 2 on a usage error.
 */
export async function runServiceCli<S extends NatsSettings>(
  blueprint: ServiceBlueprint<S>,
  args: string[],
): Promise<never> {
  const [command = '', ...rest] = args;
  const commands = blueprint.commands ?? {};
  try {
    if (command === 'migrate' && blueprint.database) {
      const url = (blueprint.settings as unknown as ServiceSettings).DATABASE_URL;
      const ran = await migrateDatabase(url, blueprint.database);
      console.log(
        `${blueprint.name}: schema "${blueprint.database.schema}" ${ran.length ? `migrated (${ran.join(', ')})` : 'is up to date'}`,
      );
      process.exit(0);
    }
    const custom = Object.hasOwn(commands, command) ? commands[command] : undefined;
    if (custom) {
      const service = await createServiceApp(blueprint);
      try {
        console.log(`${blueprint.name}: ${await custom.run(service.app, rest)}`);
      } finally {
        await service.stop();
      }
      process.exit(0);
    }
    const usages = [
      ...(blueprint.database ? ['migrate'] : []),
      ...Object.values(commands).map((c) => c.usage),
    ];
    console.error(`usage: node apps/${blueprint.name}/dist/cli.js ${usages.join(' | ')}`);
    process.exit(2);
  } catch (error) {
    console.error(
      `${blueprint.name}: ${command} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }
}
