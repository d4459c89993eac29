#!/usr/bin/env node
// The demo data `npm start` brings up (idempotent: it runs on every start and changes nothing the second time).
// It writes through each service's own use cases and outbox, so the events reach the other services once they run.
//   node scripts/seed.mjs           before the apps start: the municipalities of data/demo/municipalities.csv
//   node scripts/seed.mjs --running once every app is ready: the demo accounts of data/demo/accounts.json (the
//                                   municipality account is bound by AGS, which the municipalities service answers)
import { join } from 'node:path';
import { runCli } from './lib/apps.mjs';
import { ROOT, main } from './lib/run.mjs';

main('seed', async () => {
  if (process.argv.includes('--running')) {
    await runCli(join(ROOT, 'apps', 'gateway', 'dist', 'cli.js'), [
      'seed-accounts',
      join(ROOT, 'data', 'demo', 'accounts.json'),
    ]);
    return 0;
  }
  await runCli(join(ROOT, 'apps', 'municipalities', 'dist', 'cli.js'), [
    'import',
    join(ROOT, 'data', 'demo', 'municipalities.csv'),
  ]);
  return 0;
});
