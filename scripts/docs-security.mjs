#!/usr/bin/env node
// `node scripts/docs-security.mjs`: writes the gateway's table of routes and roles into docs/security.md (between the
// access-matrix markers). Needs a build and PostgreSQL/NATS/Redis up; a test checks that the docs match the code.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT } from './lib/run.mjs';

const printed = execFileSync(
  process.execPath,
  [join(ROOT, 'apps', 'gateway', 'dist', 'cli.js'), 'access-matrix'],
  {
    // The command reads only the code, but the app connects on start: any reachable database will do.
    env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', ...process.env, LOG_LEVEL: 'fatal' },
    encoding: 'utf8',
  },
);
const table = printed.slice(printed.indexOf('| route |')).trim();
const file = join(ROOT, 'docs', 'security.md');
const docs = readFileSync(file, 'utf8');
const updated = docs.replace(
  /<!-- access-matrix:start -->\n[\s\S]*?\n<!-- access-matrix:end -->/,
  `<!-- access-matrix:start -->\n${table}\n<!-- access-matrix:end -->`,
);
writeFileSync(file, updated);
console.log(
  updated === docs
    ? 'docs/security.md: the access matrix is up to date'
    : 'docs/security.md: access matrix written',
);
