#!/usr/bin/env node
// `npm test` (and CI's .ci/run): the whole suite, stopping at the first failure.
//   dependencies and build → infrastructure (plus the nats-server and redis-server binaries that integration
//   tests start privately) → lint → unit tests → integration tests → faults (the platform as processes on a private
//   PostgreSQL 15 cluster, nats-server and redis-server while processes are killed and servers go away).
// The tests make their own databases, schemas and streams, so no migrate or provision runs here. The last line
// is a summary: `test: N passed, N failed[, N skipped]`.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDeps } from './lib/deps.mjs';
import { STATE_DIR, ensureInfra, ensureServerBinaries } from './lib/infra.mjs';
import { Fatal, ROOT, formatDuration, main, run, say, which } from './lib/run.mjs';
import { pinInfraUrls } from './lib/settings.mjs';

const TAG = 'test';
const JEST = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
/** The faults test runs a PostgreSQL cluster of its own with these binaries (libs/testing startPrivatePostgres). */
const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

/** Runs one Jest project; returns { code, passed, failed, skipped } (counts from Jest's JSON report). */
async function jest(project, workers = ['--maxWorkers=2']) {
  mkdirSync(STATE_DIR, { recursive: true });
  const report = join(STATE_DIR, `jest-${project}.json`);
  rmSync(report, { force: true });
  const args = [
    '--experimental-vm-modules',
    JEST,
    '--selectProjects',
    project,
    ...workers,
    '--json',
    `--outputFile=${report}`,
  ];
  const code = await run(process.execPath, args);
  try {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    return {
      code,
      passed: r.numPassedTests,
      failed: r.numFailedTests,
      skipped: r.numPendingTests + (r.numTodoTests ?? 0),
    };
  } catch {
    return { code, passed: 0, failed: 0, skipped: 0 }; // Jest stopped before it could report
  }
}

main(TAG, async () => {
  const started = Date.now();
  const done = [];
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const step = async (name, fn) => {
    const t = Date.now();
    say(TAG, `── ${name}`);
    const result = await fn();
    const took = formatDuration(Date.now() - t);
    const counts =
      result && 'passed' in result
        ? ` ${result.passed} passed${result.failed ? `, ${result.failed} failed` : ''}`
        : '';
    if (result && 'passed' in result) {
      totals.passed += result.passed;
      totals.failed += result.failed;
      totals.skipped += result.skipped;
    }
    const ok = !result || result.code === 0;
    done.push(`${name}${counts || (ok ? ' ok' : ' failed')} (${took})`);
    if (!ok) {
      say(
        TAG,
        `FAILED at ${name} (exit code ${result.code}) after ${formatDuration(Date.now() - started)}; ${done.join(' · ')}`,
      );
      if ('passed' in result) printCounts(totals);
      throw new Fatal('', result.code || 1); // already said
    }
  };

  await step('dependencies and build', () => ensureDeps());
  await step('infrastructure', async () => {
    await ensureInfra({ urls: pinInfraUrls() });
    await ensureServerBinaries();
  });
  await step('lint', async () => ({ code: await run(which('npm') ?? 'npm', ['run', 'lint']) }));
  await step('unit tests', () => jest('unit'));
  await step('integration tests', () => jest('integration'));
  await step('faults', () => {
    if (!existsSync(join(POSTGRES_BIN, 'initdb')))
      throw new Fatal(
        `the faults test starts its own PostgreSQL 15 cluster and needs ${POSTGRES_BIN}/initdb; ` +
          'install it: sudo apt-get install postgresql-15',
      );
    // One file, its own servers and five app processes: alone, so that nothing else competes for the two cores.
    return jest('faults', ['--runInBand']);
  });

  say(TAG, `${done.join(' · ')} · total ${formatDuration(Date.now() - started)}`);
  printCounts(totals);
  return 0;
});

function printCounts({ passed, failed, skipped }) {
  process.stdout.write(`test: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
}
