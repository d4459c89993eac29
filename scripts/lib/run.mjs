// Process helpers shared by the scripts: running commands, finding binaries, progress lines and fatal errors.
// Progress goes to stderr, so that a command's own output on stdout (e.g. `npm run dlq -- list --json`) stays clean.
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { childEnv, searchPath } from './settings.mjs';

/** The repository root (this file is scripts/lib/run.mjs). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A failure the user can act on: its message (if any) is printed without a stack trace; exit with `exitCode`. */
export class Fatal extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.name = 'Fatal';
    this.exitCode = exitCode;
  }
}

/** One progress line on stderr, e.g. `[infra] redis: 127.0.0.1:6379 answers, reused`. */
export function say(tag, message) {
  process.stderr.write(`[${tag}] ${message}\n`);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function formatDuration(ms) {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * Runs a command and resolves with its exit code (never rejects for a non-zero exit; rejects only when it cannot
 * be started). `stdout: 'stderr'` sends the child's stdout to our stderr (for tool output in scripts whose stdout
 * must stay clean). `input` is written to the child's stdin.
 */
export function run(command, args, { cwd = ROOT, env, stdout = 'inherit', input, timeoutMs } = {}) {
  return new Promise((resolve, reject) => {
    const stdio = [input === undefined ? 'ignore' : 'pipe', stdout === 'stderr' ? 2 : stdout, 'inherit'];
    const child = spawn(command, args, { cwd, env: childEnv(env), stdio });
    const timer = timeoutMs ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : undefined;
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? 128 + (osConstants.signals[signal] ?? 0));
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

/**
 * Like `run`, but collects the child's stderr instead of passing it through, and resolves with
 * `{ code, stderr }`: for a caller that reacts to a particular error message, then decides what to show.
 */
export function runCollectingStderr(command, args, { cwd = ROOT, env, stdout = 'inherit' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: childEnv(env),
      stdio: ['ignore', stdout === 'stderr' ? 2 : stdout, 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? 128 + (osConstants.signals[signal] ?? 0), stderr }),
    );
  });
}

/** Runs a command and collects its output: `{ code, stdout, stderr }`; `code` is -1 when it could not start. */
export function capture(command, args, { cwd = ROOT, env, input, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command, args, {
        cwd,
        env: childEnv(env),
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolve({ code: -1, stdout: '', stderr: String(error.message) });
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(error.message) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

/** Runs a command with inherited output and throws `Fatal` when it fails (`options.display`: how to name it). */
export async function mustRun(tag, command, args, options = {}) {
  const shown = options.display ?? [command, ...args].join(' ');
  let code;
  try {
    code = await run(command, args, options);
  } catch (error) {
    throw new Fatal(`${tag}: could not start \`${shown}\`: ${error.message}`);
  }
  if (code !== 0) throw new Fatal(`${tag}: \`${shown}\` failed with exit code ${code}`, code);
}

/** The absolute path of an executable on PATH (plus the sbin directories, where Debian puts nats-server), or null. */
export function which(name) {
  for (const dir of searchPath().split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Debian or a derivative with apt-get (Ubuntu has /etc/debian_version too). */
export const isDebian = () => existsSync('/etc/debian_version') && which('apt-get') !== null;

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** True when the module at `metaUrl` is the script node was started with. */
export function isMain(metaUrl) {
  return Boolean(process.argv[1]) && metaUrl === pathToFileURL(process.argv[1]).href;
}

/** Runs a script's main function: a `Fatal` prints its message and sets the exit code; anything else its stack. */
export function main(tag, fn) {
  fn().then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (error) => {
      if (error instanceof Fatal) {
        if (error.message) say(tag, error.message);
        process.exitCode = error.exitCode || 1;
      } else {
        process.stderr.write(`[${tag}] unexpected error: ${error?.stack ?? error}\n`);
        process.exitCode = 1;
      }
    },
  );
}
