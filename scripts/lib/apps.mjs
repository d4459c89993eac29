// The apps' own command-line entry points, which the scripts run after the build:
//   apps/<app>/dist/cli.js migrate          (each service app: its schema and migrations)
//   libs/messaging/dist/cli.js provision    (streams, consumers, dead-letter stream)
//   libs/messaging/dist/cli.js dlq ...      (list / replay dead letters)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Fatal, ROOT, formatDuration, run, say } from './run.mjs';
import { SERVICE_APPS } from './settings.mjs';

export const MESSAGING_CLI = join(ROOT, 'libs', 'messaging', 'dist', 'cli.js');
export const appCli = (app) => join(ROOT, 'apps', app, 'dist', 'cli.js');
export const appMain = (app) => join(ROOT, 'apps', app, 'dist', 'main.js');

/** Runs `node <cli> ...args` with inherited output; throws Fatal on a non-zero exit (keeping its exit code). */
export async function runCli(cli, args) {
  if (!existsSync(cli)) {
    throw new Fatal(
      `${cli.replace(`${ROOT}/`, '')} does not exist after the build; does that workspace have src/cli.ts?`,
    );
  }
  const code = await run(process.execPath, [cli, ...args]);
  if (code !== 0)
    throw new Fatal(
      `\`node ${cli.replace(`${ROOT}/`, '')} ${args.join(' ')}\` failed with exit code ${code}`,
      code,
    );
}

/**
 * Splits arguments into app names (to choose some service apps) and the rest (passed through to the CLI).
 * No app named means every service app.
 */
export function pickApps(args) {
  const apps = args.filter((a) => SERVICE_APPS.includes(a));
  return {
    apps: apps.length > 0 ? apps : [...SERVICE_APPS],
    rest: args.filter((a) => !SERVICE_APPS.includes(a)),
  };
}

/** `migrate` for each service app, one after the other. */
export async function migrate(args = []) {
  const { apps, rest } = pickApps(args);
  for (const app of apps) {
    const started = Date.now();
    say('migrate', `${app}: node apps/${app}/dist/cli.js migrate ${rest.join(' ')}`.trimEnd());
    await runCli(appCli(app), ['migrate', ...rest]);
    say('migrate', `${app}: done in ${formatDuration(Date.now() - started)}`);
  }
}

export async function provision(args = []) {
  say('provision', `node libs/messaging/dist/cli.js provision ${args.join(' ')}`.trimEnd());
  await runCli(MESSAGING_CLI, ['provision', ...args]);
}

export async function dlq(args = []) {
  await runCli(MESSAGING_CLI, ['dlq', ...args]);
}

/**
 * SEED HOOK. `npm start` calls this after migrate and provision, before the apps start. It does nothing until a
 * `scripts/seed.mjs` exists; then it runs `node scripts/seed.mjs` (which should be idempotent: it runs on every
 * start).
 */
export async function runSeedHook(args = []) {
  const seed = join(ROOT, 'scripts', 'seed.mjs');
  if (!existsSync(seed)) return false;
  say('seed', ['node scripts/seed.mjs', ...args].join(' '));
  await runCli(seed, args);
  return true;
}
