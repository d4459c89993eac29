// PostgreSQL specifics: make sure the database of DATABASE_URL exists (with psql when installed, else with the `pg`
// package from node_modules), and Debian's cluster tools (pg_lsclusters, pg_createcluster, pg_ctlcluster) for a
// server on this machine.
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Fatal, ROOT, capture, say, sleep, which } from './run.mjs';
import { endpoint } from './probes.mjs';

const TAG = 'infra';

/** Errors that go away by themselves while a server starts. */
const TRANSIENT =
  /starting up|shutting down|not yet accepting|in recovery mode|ECONNREFUSED|Connection refused|ECONNRESET|timeout|timed out|could not connect/i;
/** Errors that mean: this server wants a password (or another role) from us. */
const AUTH =
  /password authentication failed|no pg_hba\.conf entry|no password supplied|client password must be a string|SASL|Peer authentication failed|Ident authentication failed|role "[^"]*" does not exist/i;

export class PostgresAuthError extends Error {}

function databaseOf(url) {
  const u = new URL(url);
  const name =
    decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
  return { name, user: decodeURIComponent(u.username) || 'postgres', hasPassword: u.password !== '' };
}

/** The same URL, pointed at the maintenance database `postgres`. */
function maintenanceUrl(url) {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

/** Logs a URL without its password. */
export function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function withPsql(url, name) {
  const psql = which('psql');
  const args = [
    '-X',
    '-w',
    '-q',
    '-t',
    '-A',
    '-v',
    'ON_ERROR_STOP=1',
    '-v',
    `db=${name}`,
    '-d',
    maintenanceUrl(url),
  ];
  const env = { PGCONNECT_TIMEOUT: '5' };
  const exists = await capture(psql, args, {
    env,
    input: "SELECT 1 FROM pg_database WHERE datname = :'db';\n",
  });
  if (exists.code !== 0) return { error: exists.stderr.trim() || `psql exited with ${exists.code}` };
  if (exists.stdout.trim() === '1') return { created: false };
  const created = await capture(psql, args, { env, input: 'CREATE DATABASE :"db";\n' });
  if (created.code !== 0) {
    if (/already exists/.test(created.stderr)) return { created: false };
    return { error: created.stderr.trim() };
  }
  return { created: true };
}

async function withPg(url, name) {
  let pg;
  try {
    pg = createRequire(join(ROOT, 'package.json'))('pg');
  } catch {
    throw new Fatal(
      'postgres: cannot check the database: neither `psql` (apt-get install postgresql-client) nor the `pg` package ' +
        '(npm ci) is installed',
    );
  }
  const client = new pg.Client({ connectionString: maintenanceUrl(url), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount > 0) return { created: false };
    await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    return { created: true };
  } catch (error) {
    if (/already exists/.test(error.message)) return { created: false };
    return { error: error.message };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates the database of `url` unless it exists, retrying while the server starts (bounded by `timeoutMs`).
 * Throws PostgresAuthError when the server rejects our credentials, Fatal for anything else.
 */
export async function ensureDatabase(url, { timeoutMs = 30_000 } = {}) {
  const { name } = databaseOf(url);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = which('psql') ? await withPsql(url, name) : await withPg(url, name);
    if (!result.error) {
      say(TAG, `postgres: database "${name}" ${result.created ? 'created' : 'exists'}`);
      return;
    }
    if (AUTH.test(result.error)) throw new PostgresAuthError(result.error);
    if (!TRANSIENT.test(result.error) || Date.now() > deadline) {
      throw new Fatal(
        `postgres: cannot create or check database "${name}" at ${redact(url)}: ${result.error}`,
      );
    }
    await sleep(500);
  }
}

// ---- Debian's PostgreSQL on this machine --------------------------------------------------------------------------

export const hasDebianPostgres = () =>
  which('pg_ctlcluster') !== null && which('pg_lsclusters') !== null && installedVersions().length > 0;

/** Installed server versions, newest first (from /usr/lib/postgresql/<version>/bin/postgres). */
function installedVersions() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
}

/** The Debian clusters: { version, name, port, online }. */
async function clusters() {
  const { code, stdout } = await capture(which('pg_lsclusters'), ['--no-header']);
  if (code !== 0) return [];
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 4)
    .map(([version, name, port, status]) => ({
      version,
      name,
      port: Number(port),
      online: status.startsWith('online'),
    }));
}

async function ctl(cluster, action) {
  const { code, stdout, stderr } = await capture(
    which('pg_ctlcluster'),
    ['--skip-systemctl-redirect', cluster.version, cluster.name, action],
    { timeoutMs: 120_000 },
  );
  if (code !== 0)
    throw new Fatal(
      `postgres: pg_ctlcluster ${cluster.version} ${cluster.name} ${action} failed: ${(stderr || stdout).trim()}`,
    );
}

/** The cluster listening on `port`, if any (Debian's tools know their clusters' ports). */
export async function localCluster(port) {
  return (await clusters()).find((c) => c.port === port) ?? null;
}

/**
 * Starts the Debian cluster configured for `port`, or creates one there: `main` when the machine has none yet,
 * else `wandelwerk`, with the newest installed version. Needs root.
 */
export async function startLocalCluster(port) {
  let cluster = await localCluster(port);
  if (!cluster) {
    const version = installedVersions()[0];
    const existing = await clusters();
    const name = existing.some((c) => c.version === version && c.name === 'main') ? 'wandelwerk' : 'main';
    say(TAG, `postgres: creating cluster ${version}/${name} on port ${port} (pg_createcluster)`);
    const { code, stdout, stderr } = await capture(
      which('pg_createcluster'),
      [version, name, '--port', String(port)],
      { timeoutMs: 180_000 },
    );
    if (code !== 0)
      throw new Fatal(`postgres: pg_createcluster ${version} ${name} failed: ${(stderr || stdout).trim()}`);
    cluster = { version, name, port, online: false };
  }
  if (!cluster.online) {
    say(
      TAG,
      `postgres: starting cluster ${cluster.version}/${cluster.name} on port ${port} (pg_ctlcluster ... start)`,
    );
    await ctl(cluster, 'start');
  }
  return cluster;
}

/** psql as the OS user postgres over the local socket (peer authentication), for setting up access. */
async function asPostgres(port, sql) {
  const runuser = which('runuser');
  if (!runuser) throw new Fatal('postgres: `runuser` is missing (apt-get install util-linux)');
  const { code, stdout, stderr } = await capture(runuser, [
    '-u',
    'postgres',
    '--',
    which('psql'),
    '-X',
    '-q',
    '-t',
    '-A',
    '-v',
    'ON_ERROR_STOP=1',
    '-p',
    String(port),
    '-d',
    'postgres',
    '-c',
    sql,
  ]);
  if (code !== 0) throw new Fatal(`postgres: psql as user postgres failed: ${stderr.trim()}`);
  return stdout.trim();
}

const HBA_MARKER = '# wandelwerk dev setup (scripts/ensure-infra.mjs)';

/**
 * For a developer machine: lets the user of DATABASE_URL connect over TCP on loopback without a password, by
 * putting `trust` lines for 127.0.0.1 and ::1 at the top of the cluster's pg_hba.conf, creating the role when it
 * is missing, and reloading. Says exactly what it changed. Needs root and Debian's cluster on that port.
 */
export async function allowLocalTrust(url) {
  const { port } = endpoint(url, 5432);
  const { user } = databaseOf(url);
  const cluster = await localCluster(port);
  if (!cluster) return false;
  const safeUser = user.replaceAll('"', '');
  const roleExists =
    (await asPostgres(port, `SELECT 1 FROM pg_roles WHERE rolname = '${user.replaceAll("'", "''")}'`)) ===
    '1';
  if (!roleExists) {
    await asPostgres(port, `CREATE ROLE "${safeUser}" LOGIN CREATEDB`);
    say(
      TAG,
      `postgres: created role "${user}" (LOGIN CREATEDB) in cluster ${cluster.version}/${cluster.name}`,
    );
  }
  const hbaFile = await asPostgres(port, 'SHOW hba_file');
  const current = readFileSync(hbaFile, 'utf8');
  const lines = [`host all "${safeUser}" 127.0.0.1/32 trust`, `host all "${safeUser}" ::1/128 trust`];
  if (!lines.every((line) => current.includes(line))) {
    writeFileSync(
      hbaFile,
      `${HBA_MARKER}: passwordless TCP on loopback for "${user}", dev machine only\n${lines.join('\n')}\n${current}`,
    );
    say(TAG, `postgres: added to the top of ${hbaFile} (dev machine only; remove these lines to undo):`);
    for (const line of lines) say(TAG, `postgres:   ${line}`);
  }
  await ctl(cluster, 'reload');
  return true;
}
