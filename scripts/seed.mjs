#!/usr/bin/env node
// The demo data `npm start` brings up (idempotent: it runs on every start and changes nothing the second time).
// It writes through each service's own use cases and outbox, so the events reach the other services once they run.
//   node scripts/seed.mjs           before the apps start: the municipalities of data/demo/municipalities.csv
//   node scripts/seed.mjs --running once every app is ready: the demo accounts of data/demo/accounts.json (the
//                                   municipality account is bound by AGS, which the municipalities service answers),
//                                   then, through the public API as those accounts, the programmes, cooperations,
//                                   contacts, proposals and webhook of data/demo/demo.json (scripts/lib/demo-seed.mjs)
import { join } from 'node:path';
import { runCli } from './lib/apps.mjs';
import { seedDemo } from './lib/demo-seed.mjs';
import { ROOT, main, readJson, say } from './lib/run.mjs';
import { APPS, appPort, appUrlHost } from './lib/settings.mjs';

const TAG = 'seed';

main(TAG, async () => {
  if (process.argv.includes('--running')) {
    const accountsFile = join(ROOT, 'data', 'demo', 'accounts.json');
    await runCli(join(ROOT, 'apps', 'gateway', 'dist', 'cli.js'), ['seed-accounts', accountsFile]);
    const gateway = APPS.find((app) => app.name === 'gateway');
    const baseUrl = `http://${appUrlHost()}:${appPort(gateway)}`;
    const started = Date.now();
    const { created, webhooks } = await seedDemo({
      baseUrl,
      definition: readJson(join(ROOT, 'data', 'demo', 'demo.json')),
      accounts: readJson(accountsFile),
      log: (message) => say(TAG, message),
    });
    const made = Object.entries(created).filter(([, n]) => n > 0);
    say(
      TAG,
      made.length === 0
        ? 'demo data: all there already'
        : `demo data created in ${Date.now() - started} ms: ${made.map(([what, n]) => `${n} ${what}`).join(', ')}`,
    );
    for (const w of webhooks) say(TAG, `webhook of ${w.ags} → ${w.url}, signing secret ${w.secret}`);
    return 0;
  }
  await runCli(join(ROOT, 'apps', 'municipalities', 'dist', 'cli.js'), [
    'import',
    join(ROOT, 'data', 'demo', 'municipalities.csv'),
  ]);
  return 0;
});
