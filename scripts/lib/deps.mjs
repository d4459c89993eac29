// Dependencies and build: `npm ci` when node_modules is missing or older than package-lock.json, then
// `tsc -b tsconfig.json`, which compiles every workspace to its dist/ (incremental: fast when nothing changed).
// Tool output goes to stderr, so that the stdout of the command that follows stays clean.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Fatal, ROOT, formatDuration, mustRun, runCollectingStderr, say, which } from './run.mjs';

const TAG = 'deps';
const LOCK = join(ROOT, 'package-lock.json');
const INSTALLED_LOCK = join(ROOT, 'node_modules', '.package-lock.json');

/** Why `npm ci` must run, or null when node_modules is current. */
export function installReason() {
  if (!existsSync(join(ROOT, 'node_modules'))) return 'node_modules is missing';
  if (!existsSync(INSTALLED_LOCK)) return 'node_modules has no .package-lock.json (not installed by npm ci)';
  if (existsSync(LOCK) && statSync(LOCK).mtimeMs > statSync(INSTALLED_LOCK).mtimeMs) {
    return 'package-lock.json is newer than node_modules';
  }
  return null;
}

/**
 * `npm ci` rejects a lock file that lacks optional platform packages (other systems' native binaries) which the
 * registry cannot supply: `npm install` records only what it could resolve, then `npm ci` refuses that very lock
 * file, naming each such package without a version (`Missing: @nx/nx-darwin-arm64@ from lock file`; npm/cli#9846).
 * Where the registry lacks them, no regenerated lock file helps. True only when that is the sole complaint: a
 * dependency really missing from the lock file is named with its version, and then `npm ci` must fail.
 */
export function onlyUnobtainableOptionals(stderr) {
  if (!/can only install packages when your package\.json and package-lock\.json/.test(stderr)) return false;
  const complaints = stderr.split('\n').filter((line) => /\b(Missing|Invalid): /.test(line));
  return complaints.length > 0 && complaints.every((line) => /Missing: \S+@ from lock file/.test(line));
}

export async function installDependencies() {
  const reason = installReason();
  if (!reason) return false;
  if (!existsSync(LOCK))
    throw new Fatal('deps: package-lock.json is missing; `npm ci` needs it (run `npm install` once)');
  const npm = which('npm');
  if (!npm) throw new Fatal('deps: npm is not on PATH; install Node.js 20 with npm');
  say(TAG, `${reason}: npm ci`);
  const started = Date.now();
  const ci = await runCollectingStderr(npm, ['ci', '--no-audit', '--no-fund'], { stdout: 'stderr' });
  if (ci.code === 0) {
    process.stderr.write(ci.stderr);
  } else if (onlyUnobtainableOptionals(ci.stderr)) {
    // The same versions from the same lock file; npm install merely tolerates the unobtainable optional packages.
    say(TAG, 'npm ci refused the lock file only for optional packages of other platforms that the registry');
    say(TAG, 'does not have (npm/cli#9846); installing the same locked versions with: npm install');
    await mustRun(TAG, npm, ['install', '--no-audit', '--no-fund'], {
      stdout: 'stderr',
      display: 'npm install',
    });
  } else {
    process.stderr.write(ci.stderr);
    throw new Fatal(`deps: \`npm ci\` failed with exit code ${ci.code}`, ci.code);
  }
  say(TAG, `dependencies installed in ${formatDuration(Date.now() - started)}`);
  return true;
}

export async function build() {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) throw new Fatal('deps: TypeScript is not installed in node_modules; run `npm ci`');
  const started = Date.now();
  say(TAG, 'building: tsc -b tsconfig.json');
  await mustRun(TAG, process.execPath, [tsc, '-b', 'tsconfig.json'], {
    stdout: 'stderr',
    display: 'tsc -b tsconfig.json',
  });
  say(TAG, `build done in ${formatDuration(Date.now() - started)}`);
}

/** Installs when needed, then builds. */
export async function ensureDeps() {
  await installDependencies();
  await build();
}
