// Makes sure PostgreSQL, NATS with JetStream and Redis answer at the configured URLs:
//   1. reuse whatever answers;
//   2. else, where a Docker engine runs: `docker compose up -d` the missing ones from docker-compose.yml;
//   3. else, on this machine (loopback URLs only): install Debian's package when its binary is missing (root on
//      Debian/Ubuntu), then start PostgreSQL's cluster, or a private redis-server / nats-server whose data, log and
//      pid files live in .wandelwerk/;
//   4. else stop with a message that names what is missing and how to get it.
// Finally the database of DATABASE_URL is created when it does not exist.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Fatal, ROOT, capture, isDebian, isRoot, run, say, sleep, which } from './run.mjs';
import { infraUrls } from './settings.mjs';
import { endpoint, isLoopback, probeNats, probePostgres, probeRedis } from './probes.mjs';
import {
  PostgresAuthError,
  allowLocalTrust,
  ensureDatabase,
  hasDebianPostgres,
  localCluster,
  redact,
  startLocalCluster,
} from './postgres.mjs';

const TAG = 'infra';
export const STATE_DIR = join(ROOT, '.wandelwerk');

/** What each component is, how to probe it, which binary and Debian package provide it. */
function components(urls) {
  return [
    {
      key: 'postgres',
      label: 'PostgreSQL',
      setting: 'DATABASE_URL',
      url: urls.databaseUrl,
      ...endpoint(urls.databaseUrl, 5432),
      probe: () => probePostgres(urls.databaseUrl),
      installed: hasDebianPostgres,
      aptPackage: 'postgresql',
      startLocal: startPostgres,
      waitMs: 60_000,
    },
    {
      key: 'nats',
      label: 'NATS with JetStream',
      setting: 'NATS_URL',
      url: urls.natsUrl.split(',')[0].trim(),
      ...endpoint(urls.natsUrl.split(',')[0].trim(), 4222),
      probe: () => probeNats(urls.natsUrl),
      installed: () => which('nats-server') !== null,
      aptPackage: 'nats-server',
      startLocal: startNats,
      waitMs: 20_000,
    },
    {
      key: 'redis',
      label: 'Redis',
      setting: 'REDIS_URL',
      url: urls.redisUrl,
      ...endpoint(urls.redisUrl, 6379),
      probe: () => probeRedis(urls.redisUrl),
      installed: () => which('redis-server') !== null,
      aptPackage: 'redis-server',
      startLocal: startRedis,
      waitMs: 20_000,
    },
  ];
}

/** Polls `probe` until it answers 'ok' or `ms` pass; resolves with the last result. */
async function waitFor(component, ms) {
  const deadline = Date.now() + ms;
  let result = await component.probe();
  while (result.state !== 'ok' && Date.now() < deadline) {
    await sleep(300);
    result = await component.probe();
  }
  return result;
}

// ---- 2. Docker ---------------------------------------------------------------------------------------------------

let dockerCompose; // memoised: [command, ...args] or null

async function findDockerCompose() {
  if (dockerCompose !== undefined) return dockerCompose;
  dockerCompose = null;
  const docker = which('docker');
  if (
    docker &&
    (await capture(docker, ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15_000 })).code === 0
  ) {
    if ((await capture(docker, ['compose', 'version'], { timeoutMs: 15_000 })).code === 0)
      dockerCompose = [docker, 'compose'];
    else if (which('docker-compose')) dockerCompose = [which('docker-compose')];
    else
      say(
        TAG,
        'a Docker engine runs, but neither `docker compose` nor `docker-compose` is installed; not using Docker',
      );
  }
  return dockerCompose;
}

async function composeUp(missing) {
  const [command, ...prefix] = dockerCompose;
  const services = missing.map((c) => c.key);
  say(
    TAG,
    `starting ${services.join(', ')} with Docker: ${[command.split('/').pop(), ...prefix, 'up', '-d', ...services].join(' ')}`,
  );
  const env = {
    POSTGRES_HOST_PORT: missing.find((c) => c.key === 'postgres')?.port,
    NATS_HOST_PORT: missing.find((c) => c.key === 'nats')?.port,
    REDIS_HOST_PORT: missing.find((c) => c.key === 'redis')?.port,
  };
  const code = await run(
    command,
    [...prefix, '-f', join(ROOT, 'docker-compose.yml'), 'up', '-d', ...services],
    {
      env,
      stdout: 'stderr',
      timeoutMs: 900_000,
    },
  );
  if (code !== 0) throw new Fatal(`docker compose up failed (exit code ${code}); see its output above`);
}

// ---- 3. This machine --------------------------------------------------------------------------------------------

let aptUpdated = false;

async function aptInstall(packages) {
  const apt = which('apt-get') ?? 'apt-get';
  const options = { env: { DEBIAN_FRONTEND: 'noninteractive' }, stdout: 'stderr', timeoutMs: 900_000 };
  if (!aptUpdated) {
    say(TAG, 'apt-get update');
    const code = await run(apt, ['update', '-q'], options);
    if (code !== 0) throw new Fatal(`apt-get update failed (exit code ${code})`);
    aptUpdated = true;
  }
  say(TAG, `apt-get install -y ${packages.join(' ')}`);
  const code = await run(apt, ['install', '-y', '-q', ...packages], options);
  if (code !== 0) throw new Fatal(`apt-get install -y ${packages.join(' ')} failed (exit code ${code})`);
}

/** Where this machine can provide what is missing: root on Debian installs packages; anyone can use binaries. */
const canInstall = () => isRoot() && isDebian();

async function startPostgres(component) {
  if (!isRoot()) {
    const cluster = await localCluster(component.port);
    const how = cluster
      ? `sudo pg_ctlcluster ${cluster.version} ${cluster.name} start`
      : `sudo npm run infra`;
    throw new Fatal(
      `postgres: PostgreSQL is installed but nothing answers on port ${component.port}; start it: ${how}`,
    );
  }
  await startLocalCluster(component.port);
}

function privateFiles(kind, port) {
  mkdirSync(STATE_DIR, { recursive: true });
  return {
    pid: join(STATE_DIR, `${kind}-${port}.pid`),
    log: join(STATE_DIR, `${kind}-${port}.log`),
    data: join(STATE_DIR, `${kind}-${port}`),
  };
}

/** The address a private nats-server binds to: the URL's loopback host, 127.0.0.1 for localhost. */
const bindAddress = (host) => (host === 'localhost' ? '127.0.0.1' : host);

async function startRedis(component) {
  const files = privateFiles('redis', component.port);
  const bind = component.host === 'localhost' ? ['127.0.0.1', '-::1'] : [component.host];
  const args = [
    '--daemonize',
    'yes',
    '--bind',
    ...bind,
    '--port',
    String(component.port),
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  args.push('--dir', STATE_DIR, '--pidfile', files.pid, '--logfile', files.log);
  say(
    TAG,
    `redis: starting a private redis-server on ${component.host}:${component.port} (log ${rel(files.log)})`,
  );
  const { code, stderr, stdout } = await capture(which('redis-server'), args);
  if (code !== 0)
    throw new Fatal(
      `redis: redis-server did not start: ${(stderr || stdout).trim()} (see ${rel(files.log)})`,
    );
}

async function startNats(component) {
  const files = privateFiles('nats', component.port);
  mkdirSync(files.data, { recursive: true });
  const args = ['-a', bindAddress(component.host), '-p', String(component.port), '-js', '-sd', files.data];
  say(
    TAG,
    `nats: starting a private nats-server -js on ${component.host}:${component.port} (data ${rel(files.data)}, log ${rel(files.log)})`,
  );
  const log = openSync(files.log, 'a');
  const child = spawn(which('nats-server'), args, { cwd: ROOT, detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  writeFileSync(files.pid, `${child.pid}\n`);
  child.unref();
}

const rel = (path) => path.replace(`${ROOT}/`, '');

/** Stops the private redis-server / nats-server processes that this script started (pid files in .wandelwerk/). */
export async function stopPrivateServers() {
  if (!existsSync(STATE_DIR)) return [];
  const stopped = [];
  for (const file of readdirSync(STATE_DIR).filter((f) => /^(redis|nats)-\d+\.pid$/.test(f))) {
    const pid = Number(readFileSync(join(STATE_DIR, file), 'utf8').trim());
    try {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
      stopped.push(`${file.replace(/\.pid$/, '')} (pid ${pid})`);
    } catch {
      // already gone
    }
    rmSync(join(STATE_DIR, file), { force: true });
  }
  return stopped;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---- 4. Nothing worked: say what is missing and how to get it ----------------------------------------------------

function missingMessage(problems) {
  const lines = ['cannot continue:'];
  for (const { component, detail } of problems)
    lines.push(`  - ${component.label} at ${redact(component.url)}: ${detail}`);
  lines.push('What to do:');
  const wrong = problems.filter((p) => p.kind === 'wrong');
  const absent = problems.filter((p) => p.kind !== 'wrong');
  for (const { component } of wrong) {
    lines.push(
      `  - ${component.label}: fix the server at ${component.host}:${component.port}, or set ${component.setting} to another ` +
        (isLoopback(component.host)
          ? 'address (a free loopback port will do: this script starts a server there)'
          : 'address'),
    );
  }
  const remote = absent.filter(({ component }) => !isLoopback(component.host));
  const local = absent.filter(({ component }) => isLoopback(component.host));
  for (const { component } of remote) {
    lines.push(
      `  - ${component.setting} points to another machine: start ${component.label} there, or change ${component.setting}`,
    );
  }
  if (local.length > 0) {
    const pkgs = local.map(({ component }) => component.aptPackage).join(' ');
    const keys = local.map(({ component }) => component.key).join(' ');
    lines.push(
      `  - with Docker: start the Docker engine, then run this again (it runs \`docker compose up -d ${keys}\`)`,
    );
    lines.push(
      `  - on Debian/Ubuntu: run this again as root (it installs what is missing of ${pkgs} and starts it on loopback), ` +
        `or \`sudo apt-get install ${pkgs}\` first`,
    );
    lines.push(
      `  - or set ${local.map(({ component }) => component.setting).join(', ')} to servers that run ` +
        '(PostgreSQL 15, NATS 2.9+ with JetStream, Redis 7)',
    );
  }
  return lines.join('\n');
}

// ---- The whole check ---------------------------------------------------------------------------------------------

/**
 * Makes sure the infrastructure answers; returns { postgres, nats, redis } with 'reused' | 'docker' | 'started'.
 * Throws Fatal with a message naming what is missing and how to get it.
 */
export async function ensureInfra({ urls = infraUrls() } = {}) {
  const started = Date.now();
  const all = components(urls);
  const outcome = {};
  const results = await Promise.all(all.map((c) => c.probe()));
  const missing = [];
  const problems = [];
  all.forEach((component, i) => {
    const result = results[i];
    if (result.state === 'ok') {
      outcome[component.key] = 'reused';
      say(TAG, `${component.key}: ${result.detail} answers, reused`);
    } else if (result.state === 'down' && isLoopback(component.host)) {
      missing.push(component);
      say(TAG, `${component.key}: nothing answers on ${component.host}:${component.port}`);
    } else {
      problems.push({
        component,
        detail: result.detail,
        kind: result.state === 'down' ? 'missing' : 'wrong',
      });
    }
  });
  if (problems.length > 0) throw new Fatal(missingMessage(problems));

  if (missing.length > 0 && (await findDockerCompose())) {
    await composeUp(missing);
    for (const component of missing.splice(0)) {
      const result = await waitFor(component, 120_000);
      if (result.state !== 'ok')
        problems.push({ component, detail: `started with Docker, but: ${result.detail}`, kind: 'wrong' });
      else {
        outcome[component.key] = 'docker';
        say(TAG, `${component.key}: ${result.detail} answers (Docker)`);
      }
    }
  }

  if (missing.length > 0) {
    const toInstall = missing.filter((c) => !c.installed());
    if (toInstall.length > 0 && canInstall()) {
      await aptInstall(toInstall.map((c) => c.aptPackage));
    }
    for (const component of missing) {
      if (!component.installed()) {
        problems.push({
          component,
          detail: `nothing answers on ${component.host}:${component.port}, and ${component.aptPackage} is not installed`,
          kind: 'missing',
        });
        continue;
      }
      // A package install may have started the system's own service on this port already.
      let result = await component.probe();
      if (result.state === 'down') {
        try {
          await component.startLocal(component);
        } catch (error) {
          if (!(error instanceof Fatal)) throw error;
          problems.push({ component, detail: error.message.replace(/^\w+: /, ''), kind: 'missing' });
          continue;
        }
        result = await waitFor(component, component.waitMs);
      }
      if (result.state === 'ok') {
        outcome[component.key] = 'started';
        say(TAG, `${component.key}: ${result.detail} answers (started here)`);
      } else {
        problems.push({ component, detail: `started here, but: ${result.detail}`, kind: 'wrong' });
      }
    }
  }
  if (problems.length > 0) throw new Fatal(missingMessage(problems));

  await ensureDatabaseWithLocalAccess(urls.databaseUrl);
  say(TAG, `ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return outcome;
}

/** Creates the database; on a dev machine (root, Debian cluster on that port, no password in the URL) fixes access. */
async function ensureDatabaseWithLocalAccess(url) {
  try {
    await ensureDatabase(url);
  } catch (error) {
    if (!(error instanceof PostgresAuthError)) throw error;
    const { host, port } = endpoint(url, 5432);
    const hasPassword = new URL(url).password !== '';
    if (!hasPassword && isLoopback(host) && isRoot() && hasDebianPostgres() && (await localCluster(port))) {
      say(
        TAG,
        `postgres: the server rejected ${redact(url)} (${error.message.split('\n')[0]}); allowing local access`,
      );
      await allowLocalTrust(url);
      try {
        await ensureDatabase(url);
        return;
      } catch (again) {
        if (!(again instanceof PostgresAuthError)) throw again;
        throw new Fatal(`postgres: still rejected after the pg_hba.conf change: ${again.message}`);
      }
    }
    throw new Fatal(
      `postgres: PostgreSQL at ${redact(url)} rejected the connection: ${error.message}\n` +
        '  Put the password into DATABASE_URL (postgres://user:password@host:port/db), or allow this user in pg_hba.conf.',
    );
  }
}

/**
 * The server binaries that the integration tests start privately (a broker that disappears, on a free port).
 * Installs the missing ones as root on Debian/Ubuntu, else throws Fatal naming them.
 */
export async function ensureServerBinaries(names = ['nats-server', 'redis-server']) {
  const missing = names.filter((name) => which(name) === null);
  if (missing.length === 0) return;
  if (canInstall()) {
    await aptInstall(missing); // the Debian packages are named like their binaries
    const still = missing.filter((name) => which(name) === null);
    if (still.length === 0) return;
    throw new Fatal(`installed ${missing.join(' ')}, but ${still.join(', ')} is still not on PATH`);
  }
  throw new Fatal(
    `the integration tests start their own ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed; ` +
      `install ${missing.length > 1 ? 'them' : 'it'}: sudo apt-get install ${missing.join(' ')}`,
  );
}
