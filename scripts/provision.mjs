#!/usr/bin/env node
// `npm run provision [-- <args>]`: builds when needed, then runs `node libs/messaging/dist/cli.js provision <args>`
// (JetStream streams, durable consumers, dead-letter stream).
import { provision } from './lib/apps.mjs';
import { ensureDeps } from './lib/deps.mjs';
import { main } from './lib/run.mjs';

main('provision', async () => {
  await ensureDeps();
  await provision(process.argv.slice(2));
  return 0;
});
