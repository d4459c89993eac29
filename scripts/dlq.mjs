#!/usr/bin/env node
// `npm run dlq -- list [--json]` | `npm run dlq -- replay <seq>|--all`: builds when needed, then runs
// `node libs/messaging/dist/cli.js dlq <args>`. Build output goes to stderr, so `list --json` prints only JSON.
import { dlq } from './lib/apps.mjs';
import { ensureDeps } from './lib/deps.mjs';
import { main } from './lib/run.mjs';

main('dlq', async () => {
  await ensureDeps();
  await dlq(process.argv.slice(2));
  return 0;
});
