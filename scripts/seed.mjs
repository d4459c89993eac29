#!/usr/bin/env node
// The demo data `npm start` brings up (idempotent: it runs on every start and changes nothing the second time).
// It writes through each service's own use cases and outbox, so the events reach the other services once they run.
import { join } from 'node:path';
import { runCli } from './lib/apps.mjs';
import { ROOT, main } from './lib/run.mjs';

main('seed', async () => {
  await runCli(join(ROOT, 'apps', 'municipalities', 'dist', 'cli.js'), [
    'import',
    join(ROOT, 'data', 'demo', 'municipalities.csv'),
  ]);
  return 0;
});
