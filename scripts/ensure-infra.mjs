#!/usr/bin/env node
// `npm run infra`: makes sure PostgreSQL, NATS with JetStream and Redis answer at DATABASE_URL, NATS_URL and
// REDIS_URL (defaults: the local ones), and that the database of DATABASE_URL exists. See scripts/lib/infra.mjs
// for the order in which it tries (reuse, Docker, this machine, a message).
//   node scripts/ensure-infra.mjs          check, start what is missing
//   node scripts/ensure-infra.mjs --stop   stop the private redis-server / nats-server it started (.wandelwerk/)
import { ensureInfra, stopPrivateServers } from './lib/infra.mjs';
import { Fatal, isMain, main, say } from './lib/run.mjs';

export { ensureInfra };

if (isMain(import.meta.url)) {
  main('infra', async () => {
    const args = process.argv.slice(2);
    if (args.includes('--stop')) {
      const stopped = await stopPrivateServers();
      say('infra', stopped.length > 0 ? `stopped ${stopped.join(', ')}` : 'no private servers were running');
      return 0;
    }
    if (args.length > 0) throw new Fatal(`unknown arguments: ${args.join(' ')} (only --stop)`);
    await ensureInfra();
    return 0;
  });
}
