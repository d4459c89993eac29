// Runs several long-lived processes in one terminal: each output line prefixed with the padded (and, on a
// terminal, coloured) process name; one unexpected exit stops all of them; SIGINT/SIGTERM/SIGHUP stop them
// cleanly: SIGTERM to each, a bounded wait, then SIGKILL for the ones still running.
//
// The children run in their own process groups (detached), so that Ctrl-C in the terminal reaches only this
// supervisor, which then sends SIGTERM itself: the apps drain on SIGTERM. Should the supervisor's parent die
// (`kill <npm pid>`), that counts as SIGTERM; should the supervisor itself exit, its exit handler kills them.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT, say } from './run.mjs';
import { childEnv, useColour } from './settings.mjs';

const COLOURS = [36, 33, 32, 35, 34, 96, 93]; // cyan, yellow, green, magenta, blue, bright cyan, bright yellow
/** A second signal later than this after the first kills at once; closer ones count as the same Ctrl-C. */
const SECOND_SIGNAL_AFTER_MS = 1000;

/**
 * @param {{ name: string, command: string, args: string[], env?: Record<string,string> }[]} specs
 * @param {{ tag?: string, stopTimeoutMs?: number, onStarted?: (stop: () => void) => void }} options
 * @returns {Promise<number>} the exit code for the supervisor: 0 after a requested stop, 1 after an unexpected exit
 */
export function supervise(specs, { tag = 'start', stopTimeoutMs = 20_000, onStarted } = {}) {
  const width = Math.max(...specs.map((s) => s.name.length));
  const colourOut = useColour(process.stdout);
  const colourErr = useColour(process.stderr);
  const prefix = (spec, i, colour) => {
    const name = spec.name.padEnd(width);
    return colour ? `\x1b[${COLOURS[i % COLOURS.length]}m${name}\x1b[0m | ` : `${name} | `;
  };
  // A reader that went away (`npm start | head`) must not crash the supervisor.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});

  return new Promise((resolve) => {
    const children = [];
    let stopping = null; // { reason, at, exitCode }
    let killTimer;
    const running = () => children.filter((c) => c.exit === undefined);

    const finishIfDone = () => {
      if (!stopping || running().length > 0 || children.some((c) => !c.closed)) return;
      clearTimeout(killTimer);
      clearInterval(orphanWatch);
      for (const signal of SIGNALS) process.off(signal, onSignal);
      process.off('exit', killAll);
      const exitCode = stopping.exitCode;
      for (const c of children) {
        const clean = c.exit.code === 0 || c.spawnError;
        if (!clean && stopping.reason === 'signal')
          say(tag, `${c.spec.name} did not exit cleanly (${describe(c.exit)})`);
      }
      say(tag, stopping.reason === 'failure' ? 'all stopped after the failure' : 'all stopped');
      resolve(exitCode);
    };

    const stop = (reason, exitCode) => {
      if (stopping) return;
      stopping = { reason, at: Date.now(), exitCode };
      const alive = running();
      if (alive.length > 0)
        say(
          tag,
          `stopping ${alive.map((c) => c.spec.name).join(', ')} (SIGTERM; up to ${Math.round(stopTimeoutMs / 1000)}s)`,
        );
      for (const c of alive) signalChild(c, 'SIGTERM');
      killTimer = setTimeout(() => {
        const left = running();
        if (left.length === 0) return;
        say(
          tag,
          `still running after ${Math.round(stopTimeoutMs / 1000)}s, killing: ${left.map((c) => c.spec.name).join(', ')}`,
        );
        for (const c of left) signalChild(c, 'SIGKILL');
      }, stopTimeoutMs);
      finishIfDone();
    };

    const onSignal = (signal) => {
      if (!stopping) {
        process.stderr.write('\n');
        say(tag, `${signal} received`);
        stop('signal', 0);
      } else if (Date.now() - stopping.at > SECOND_SIGNAL_AFTER_MS) {
        const left = running();
        if (left.length > 0) say(tag, `${signal} again: killing ${left.map((c) => c.spec.name).join(', ')}`);
        for (const c of left) signalChild(c, 'SIGKILL');
      }
    };
    const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const signal of SIGNALS) process.on(signal, onSignal);

    // `npm start` runs us under `sh -c`; a SIGTERM to npm reaches only that shell, which dies without passing it
    // on. Losing our parent therefore counts as SIGTERM.
    const parent = process.ppid;
    const orphanWatch = setInterval(() => {
      if (process.ppid !== parent && !stopping) {
        say(tag, `parent process ${parent} is gone`);
        stop('signal', 0);
      }
    }, 500);
    orphanWatch.unref();

    // Last resort: whatever ends this process takes the children with it.
    function killAll() {
      for (const c of running()) signalChild(c, 'SIGKILL');
    }
    process.on('exit', killAll);

    specs.forEach((spec, i) => {
      const child = spawn(spec.command, spec.args, {
        cwd: ROOT,
        env: childEnv(spec.env),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const entry = { spec, child, exit: undefined, closed: false, spawnError: false };
      children.push(entry);
      const outPrefix = prefix(spec, i, colourOut);
      const errPrefix = prefix(spec, i, colourErr);
      createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) =>
        process.stdout.write(`${outPrefix}${line}\n`),
      );
      createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) =>
        process.stderr.write(`${errPrefix}${line}\n`),
      );
      child.on('error', (error) => {
        // could not be started at all
        say(tag, `${spec.name} could not be started: ${error.message}`);
        entry.spawnError = true;
        if (entry.exit === undefined) entry.exit = { code: null, signal: null };
        entry.closed = true;
        stop('failure', 1);
        finishIfDone();
      });
      child.on('exit', (code, signal) => {
        entry.exit = { code, signal };
        if (!stopping) {
          say(tag, `${spec.name} exited unexpectedly (${describe(entry.exit)}); stopping everything`);
          stop('failure', 1);
        }
      });
      child.on('close', () => {
        entry.closed = true;
        finishIfDone();
      });
    });
    onStarted?.(() => stop('requested', 0));
  });
}

function signalChild(entry, signal) {
  if (entry.exit !== undefined || !entry.child.pid) return;
  try {
    entry.child.kill(signal);
  } catch {
    // gone meanwhile
  }
}

function describe(exit) {
  if (exit.signal) return `signal ${exit.signal}`;
  return `exit code ${exit.code}`;
}
