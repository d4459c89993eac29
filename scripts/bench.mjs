#!/usr/bin/env node
// npm run bench [-- suite... [--json FILE] [--name=value ...]]
//
// Runs benchmark suites (bench/<suite>.bench.ts, compiled to bench/dist/<suite>.bench.js) one after the other, each
// in a fresh node process. Without a suite name it runs the whole-pipeline suite (DEFAULT_SUITE); `all` runs every
// suite. Every suite prints a table for people; with
// --json FILE the same figures of all suites that ran are written to FILE as JSON. Other --name=value options are
// handed to every suite (e.g. --measure-ms=5000, --profile). A missed target is a finding, not a failure: the exit
// code is non-zero only when a suite could not run.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The suite `npm run bench` runs when no suite is named: the platform end to end (issue 7). */
const DEFAULT_SUITE = 'pipeline';
const benchDir = join(root, 'bench');

function availableSuites() {
  return readdirSync(benchDir)
    .filter((file) => file.endsWith('.bench.ts'))
    .map((file) => file.slice(0, -'.bench.ts'.length))
    .sort();
}

function usage(message) {
  const suites = availableSuites();
  process.stderr.write(
    `${message ? `${message}\n\n` : ''}usage: npm run bench -- [suite...|all] [--json FILE] [--no-build] [--name=value ...]\n` +
      `suites: ${suites.join(', ')} (default: ${DEFAULT_SUITE}; all: every suite)\n`,
  );
  process.exit(2);
}

const argv = process.argv.slice(2);
const suites = [];
const passThrough = [];
let jsonFile;
let build = true;
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (arg === '--help' || arg === '-h') usage();
  else if (arg === '--json') {
    jsonFile = argv[++i];
    if (!jsonFile) usage('--json needs a file name');
  } else if (arg.startsWith('--json=')) jsonFile = arg.slice('--json='.length);
  else if (arg === '--no-build') build = false;
  else if (arg.startsWith('--')) passThrough.push(arg);
  else suites.push(arg);
}
const known = availableSuites();
for (const suite of suites) if (suite !== 'all' && !known.includes(suite)) usage(`unknown suite "${suite}"`);
const selected = suites.includes('all') ? known : suites.length > 0 ? suites : [DEFAULT_SUITE];

if (build) {
  // Incremental: quick when nothing changed. If another project of the workspace does not compile, the bench's own
  // project (and the libraries it references) may still build; then run on with a warning.
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const whole = spawnSync(npx, ['tsc', '-b', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  if (whole.status !== 0) {
    const bench = spawnSync(npx, ['tsc', '-b', 'bench/tsconfig.json'], { cwd: root, stdio: 'inherit' });
    if (bench.status !== 0) {
      process.stderr.write('bench: the build failed; nothing was measured\n');
      process.exit(1);
    }
    process.stderr.write(
      'bench: WARNING: the workspace does not build, but bench/ and its libraries do; measuring\n',
    );
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'wandelwerk-bench-'));
const results = [];
let failed = false;
try {
  for (const suite of selected) {
    const script = join(benchDir, 'dist', `${suite}.bench.js`);
    if (!existsSync(script)) {
      process.stderr.write(`bench: ${script} is missing (build with npx tsc -b tsconfig.json)\n`);
      failed = true;
      continue;
    }
    const partial = join(tmp, `${suite}.json`);
    const command = `npm run bench -- ${[suite, ...passThrough].join(' ')}`;
    const run = spawnSync(process.execPath, [script, ...passThrough, '--json', partial], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, BENCH_COMMAND: command },
    });
    if (run.status !== 0 || !existsSync(partial)) {
      process.stderr.write(`bench: suite ${suite} could not run (exit ${run.status ?? run.signal})\n`);
      failed = true;
      continue;
    }
    results.push(JSON.parse(readFileSync(partial, 'utf8')));
    if (selected.length > 1) process.stdout.write('\n');
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

if (jsonFile) {
  const file = resolve(process.cwd(), jsonFile);
  mkdirSync(dirname(file), { recursive: true });
  const missed = results.flatMap((r) =>
    r.targets.filter((t) => !t.pass).map((t) => `${r.suite}: ${t.label}`),
  );
  writeFileSync(
    file,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), suites: results, missedTargets: missed }, null, 2)}\n`,
  );
  process.stderr.write(`bench: figures written to ${file}\n`);
}
process.exit(failed ? 1 : 0);
