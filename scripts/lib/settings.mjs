// The one place where the scripts read environment variables. The apps read their own settings (libs/config);
// the scripts only need the connection URLs (same names and defaults as the apps), the ports and a few knobs.

export const DEFAULT_URLS = Object.freeze({
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/wandelwerk',
  NATS_URL: 'nats://127.0.0.1:4222',
  REDIS_URL: 'redis://127.0.0.1:6379',
});

/** Every app, its default HTTP port, and whether it owns a database schema (has `dist/cli.js migrate`). */
export const APPS = Object.freeze([
  { name: 'gateway', port: 3000, migrates: true },
  { name: 'projects', port: 3001, migrates: true },
  { name: 'funding', port: 3002, migrates: true },
  { name: 'municipalities', port: 3003, migrates: true },
  { name: 'notifications', port: 3004, migrates: true },
]);

export const SERVICE_APPS = Object.freeze(APPS.filter((app) => app.migrates).map((app) => app.name));

const value = (name) => {
  const v = process.env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
};

/** The connection URLs of the infrastructure, as the apps will see them. */
export function infraUrls() {
  return {
    databaseUrl: value('DATABASE_URL') ?? DEFAULT_URLS.DATABASE_URL,
    natsUrl: value('NATS_URL') ?? DEFAULT_URLS.NATS_URL,
    redisUrl: value('REDIS_URL') ?? DEFAULT_URLS.REDIS_URL,
  };
}

/** The HTTP port of an app under `npm start`: `<APP>_PORT` (e.g. GATEWAY_PORT), else its default. */
export function appPort(app) {
  const configured = value(`${app.name.toUpperCase()}_PORT`);
  if (configured === undefined) return app.port;
  const port = Number(configured);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(
      `${app.name.toUpperCase()}_PORT must be a port number from 1 to 65535, not "${configured}"`,
    );
  }
  return port;
}

/** The environment for a child process: ours plus `extra` (an `undefined` value removes a variable). */
export function childEnv(extra) {
  const env = { ...process.env };
  for (const [key, v] of Object.entries(extra ?? {})) {
    if (v === undefined) delete env[key];
    else env[key] = String(v);
  }
  return env;
}

/** PATH plus the sbin directories (Debian installs nats-server to /usr/sbin, which a user's PATH may lack). */
export function searchPath() {
  const dirs = (process.env.PATH ?? '').split(':');
  for (const extra of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!dirs.includes(extra)) dirs.push(extra);
  return dirs.join(':');
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export const useColour = (stream) => Boolean(stream.isTTY) && value('NO_COLOR') === undefined;

/** How long `npm start` waits for the apps to stop after SIGTERM before it kills them. */
export const stopTimeoutMs = () => Number(value('WANDELWERK_STOP_TIMEOUT_MS') ?? 20_000);

/** The address the apps listen on under `npm start` (HOST, default 127.0.0.1) as a host to reach them at. */
export function appUrlHost() {
  const host = value('HOST') ?? '127.0.0.1';
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** The address to test whether a port is free, as the apps would bind it. */
export const appBindHost = () => value('HOST') ?? '127.0.0.1';

/**
 * Puts the effective connection URLs (defaults included) into this process's environment, so that every child
 * (migrations, provisioning, apps, tests) uses exactly the servers that ensure-infra checked.
 */
export function pinInfraUrls() {
  const urls = infraUrls();
  process.env.DATABASE_URL = urls.databaseUrl;
  process.env.NATS_URL = urls.natsUrl;
  process.env.REDIS_URL = urls.redisUrl;
  return urls;
}
