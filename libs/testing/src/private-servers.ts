import { spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A free TCP port on loopback, picked by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A broker of the test's own on a free loopback port, which the test may stop and start again (same port, same
 * storage) to simulate an outage, never touching the machine's shared servers.
 */
export interface PrivateServer {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

async function privateServer(
  scheme: string,
  command: string,
  argsFor: (port: number, dir: string) => string[],
): Promise<PrivateServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), `${command}-`));
  let child: ChildProcess | undefined;
  const server: PrivateServer = {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    async start() {
      if (child) return;
      child = spawn(command, argsFor(port, dir), { stdio: 'ignore' });
      child.once('exit', () => (child = undefined));
      await waitForPort(port, 10_000);
    },
    async stop() {
      const running = child;
      if (!running) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
    async dispose() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

export function startPrivateNatsServer(): Promise<PrivateServer> {
  return privateServer('nats', 'nats-server', (port, dir) => [
    '-a',
    '127.0.0.1',
    '-p',
    String(port),
    '-js',
    '-sd',
    dir,
  ]);
}

export function startPrivateRedisServer(): Promise<PrivateServer> {
  return privateServer('redis', 'redis-server', (port, dir) => [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ]);
}

/** A PostgreSQL cluster of the test's own (see startPrivatePostgres). */
export interface PrivatePostgres extends PrivateServer {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust authentication on loopback). */
  urlOf(database: string): string;
}

const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

/** initdb refuses to run as root: then the cluster belongs to (and runs as) the `postgres` system user. */
async function postgresOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid)
    throw new Error('running as root, and there is no postgres user to own a private cluster');
  return { uid: Number(uid), gid: Number(gid) };
}

async function runToEnd(command: string, args: string[], owner: { uid: number; gid: number } | undefined) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(owner ?? {}) });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr}`);
}

/**
 * A PostgreSQL 15 cluster of the test's own (`initdb` in a temporary directory, trust authentication, loopback
 * only), run as a child process on a free port, so a test may terminate every backend or stop the server without
 * touching the machine's shared one. Durability settings are relaxed (no fsync): the server itself is never
 * crashed, only stopped cleanly. `start` resolves once it accepts queries.
 */
export async function startPrivatePostgres(binDir = POSTGRES_BIN): Promise<PrivatePostgres> {
  const owner = await postgresOwner();
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'postgres-'));
  if (owner) await chown(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  await runToEnd(
    join(binDir, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
    owner,
  );
  const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let child: ChildProcess | undefined;
  const server: PrivatePostgres = {
    url: urlOf('postgres'),
    port,
    urlOf,
    async start() {
      if (child) return;
      const running = spawn(
        join(binDir, 'postgres'),
        [
          '-D',
          data,
          '-p',
          String(port),
          '-k',
          dir,
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'max_connections=300',
          '-c',
          'fsync=off',
          '-c',
          'full_page_writes=off',
          '-c',
          'synchronous_commit=off',
        ],
        { stdio: 'ignore', ...(owner ?? {}) },
      );
      child = running;
      running.once('exit', () => {
        if (child === running) child = undefined;
      });
      await waitForPort(port, 20_000);
      const deadline = Date.now() + 20_000;
      for (;;) {
        const client = new pg.Client({ connectionString: server.url });
        try {
          await client.connect();
          await client.query('SELECT 1');
          await client.end();
          return;
        } catch (error) {
          await client.end().catch(() => undefined);
          // "the database system is starting up" until recovery is done.
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    async stop() {
      const running = child;
      if (!running) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGINT'); // fast shutdown: ends every session, then a clean checkpoint
      await exited;
    },
    async dispose() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
