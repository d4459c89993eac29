#!/usr/bin/env node
// `npm start`: the whole platform in one terminal.
//   dependencies and build → infrastructure → migrate every service app → provision streams → seed hook →
//   all five apps as child processes, each line prefixed with the app's name → the gateway's URL once it is ready →
//   the seed hook again for what needs the running services (demo accounts).
// Ctrl-C (SIGINT) or SIGTERM stops every app with SIGTERM (then SIGKILL after WANDELWERK_STOP_TIMEOUT_MS, 20 s),
// and exits 0. An app that exits by itself stops everything, and the exit code is 1.
import net from 'node:net';
import { existsSync } from 'node:fs';
import { appMain, migrate, provision, runSeedHook } from './lib/apps.mjs';
import { ensureDeps } from './lib/deps.mjs';
import { ensureInfra } from './lib/infra.mjs';
import { Fatal, ROOT, main, say, sleep } from './lib/run.mjs';
import { APPS, appBindHost, appPort, appUrlHost, pinInfraUrls, stopTimeoutMs } from './lib/settings.mjs';
import { startSmtpCatcher } from './lib/smtp-catcher.mjs';
import { supervise } from './lib/supervise.mjs';

const TAG = 'start';
const READY_WARNING_AFTER_MS = 90_000;

function plannedApps() {
  let apps;
  try {
    apps = APPS.map((app) => ({ ...app, port: appPort(app) }));
  } catch (error) {
    throw new Fatal(error.message);
  }
  const missing = apps.filter((app) => !existsSync(appMain(app.name)));
  if (missing.length > 0) {
    throw new Fatal(`not built: ${missing.map((app) => `apps/${app.name}/dist/main.js`).join(', ')}`);
  }
  return apps;
}

function portFree(port, host) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function checkPorts(apps) {
  const host = appBindHost();
  const busy = [];
  for (const app of apps) if (!(await portFree(app.port, host))) busy.push(app);
  if (busy.length > 0) {
    throw new Fatal(
      `port${busy.length > 1 ? 's' : ''} in use on ${host}: ` +
        busy
          .map((app) => `${app.port} (${app.name}; set ${app.name.toUpperCase()}_PORT to change)`)
          .join(', ') +
        '. Is Wandelwerk already running?',
    );
  }
}

async function isReady(port) {
  try {
    const response = await fetch(`http://${appUrlHost()}:${port}/health/ready`, {
      signal: AbortSignal.timeout(2000),
    });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Prints the gateway's URL once /health/ready answers 200; names the apps still not ready after a while. Resolves
 * true once every app is ready.
 */
async function watchReadiness(apps, isStopped) {
  const started = Date.now();
  const ready = new Set();
  let warned = false;
  while (!isStopped() && ready.size < apps.length) {
    for (const app of apps) {
      if (ready.has(app.name) || !(await isReady(app.port)) || isStopped()) continue;
      ready.add(app.name);
      if (app.name === 'gateway') {
        say(TAG, `Wandelwerk is up: http://${appUrlHost()}:${app.port}  (Ctrl-C stops everything)`);
      }
    }
    if (!warned && Date.now() - started > READY_WARNING_AFTER_MS && ready.size < apps.length) {
      warned = true;
      const waiting = apps.filter((app) => !ready.has(app.name)).map((app) => `${app.name} (:${app.port})`);
      say(
        TAG,
        `not ready after ${READY_WARNING_AFTER_MS / 1000}s: ${waiting.join(', ')}; see their /health/ready and logs`,
      );
    }
    await sleep(ready.size === 0 ? 300 : 1000);
  }
  return ready.size === apps.length;
}

main(TAG, async () => {
  await ensureDeps();
  const apps = plannedApps();
  await checkPorts(apps);
  await ensureInfra({ urls: pinInfraUrls() });
  await migrate();
  await provision();
  await runSeedHook();

  // Mails of the notifications service land here (its SMTP_URL defaults to smtp://127.0.0.1:1025).
  const catcher = await startSmtpCatcher().catch((error) => {
    say(TAG, `no local mail catcher (${error.message}); notifications send to SMTP_URL as configured`);
    return null;
  });
  if (catcher) say(TAG, `mails sent by Wandelwerk: ${catcher.webUrl}`);

  say(TAG, `starting ${apps.map((app) => `${app.name} :${app.port}`).join(', ')}`);
  let stopped = false;
  const specs = apps.map((app) => ({
    name: app.name,
    command: process.execPath,
    args: [appMain(app.name).replace(`${ROOT}/`, '')],
    env: { PORT: String(app.port) },
  }));
  const exit = supervise(specs, { tag: TAG, stopTimeoutMs: stopTimeoutMs() });
  void watchReadiness(apps, () => stopped).then(async (allReady) => {
    if (!allReady || stopped) return;
    try {
      await runSeedHook(['--running']);
      say(TAG, 'demo accounts: see README.md ("Trying it"); password in data/demo/accounts.json');
    } catch (error) {
      say(TAG, `seeding the running platform failed: ${error.message}`);
    }
  });
  const code = await exit;
  stopped = true;
  await catcher?.close();
  return code;
});
