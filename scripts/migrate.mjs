#!/usr/bin/env node
// `npm run migrate [-- <app>... <args>]`: builds when needed, then runs `node apps/<app>/dist/cli.js migrate <args>`
// for every service app (projects, funding, municipalities, notifications), or only for the apps named.
import { migrate } from './lib/apps.mjs';
import { ensureDeps } from './lib/deps.mjs';
import { main } from './lib/run.mjs';

main('migrate', async () => {
  await ensureDeps();
  await migrate(process.argv.slice(2));
  return 0;
});
