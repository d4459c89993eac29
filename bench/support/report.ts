import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describeMachine, machineInfo, type MachineInfo } from './machine.js';

/**
 * What every suite of `npm run bench` produces: figures grouped in sections, targets with PASS/FAIL, the machine.
 * The same object is printed as a table for people and, with `--json FILE`, written as JSON.
 */
export interface Figure {
  key: string;
  section: string;
  label: string;
  value: number | string | null;
  unit: string;
  decimals: number;
}

export interface Target {
  key: string;
  label: string;
  actual: number;
  comparison: '>=' | '<=';
  target: number;
  unit: string;
  decimals: number;
  pass: boolean;
}

export interface SuiteResult {
  suite: string;
  title: string;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  command: string;
  machine: MachineInfo;
  settings: Record<string, unknown>;
  figures: Figure[];
  targets: Target[];
  notes: string[];
}

export class Report {
  private section = '';
  readonly figures: Figure[] = [];
  readonly targets: Target[] = [];
  readonly notes: string[] = [];
  readonly settings: Record<string, unknown> = {};
  readonly servers: Record<string, string> = {};

  startSection(name: string): void {
    this.section = name;
  }

  figure(key: string, label: string, value: number | string | null, unit = '', decimals = 0): void {
    const clean = typeof value === 'number' && !Number.isFinite(value) ? null : value;
    this.figures.push({ key, section: this.section, label, value: clean, unit, decimals });
  }

  target(
    key: string,
    label: string,
    actual: number,
    comparison: '>=' | '<=',
    target: number,
    unit = '',
    decimals = 2,
  ): Target {
    const pass = Number.isFinite(actual) && (comparison === '>=' ? actual >= target : actual <= target);
    const entry: Target = { key, label, actual, comparison, target, unit, decimals, pass };
    this.targets.push(entry);
    return entry;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  value(key: string): number | string | null | undefined {
    return this.figures.find((f) => f.key === key)?.value;
  }
}

export function formatNumber(value: number, decimals: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

function formatValue(value: number | string | null, decimals: number): string {
  if (value === null) return 'n/a';
  return typeof value === 'number' ? formatNumber(value, decimals) : value;
}

export function renderTable(result: SuiteResult): string {
  const lines: string[] = [];
  const labelWidth = Math.max(
    40,
    ...result.figures.map((f) => f.label.length),
    ...result.targets.map((t) => t.label.length),
  );
  const valueWidth = Math.max(10, ...result.figures.map((f) => formatValue(f.value, f.decimals).length));
  const rule = '-'.repeat(labelWidth + valueWidth + 16);
  lines.push(`${result.title}`);
  lines.push(`${result.startedAt}, ${result.wallSeconds.toFixed(1)} s wall time`);
  lines.push(`machine: ${describeMachine(result.machine)}`);
  let section: string | undefined;
  for (const f of result.figures) {
    if (f.section !== section) {
      section = f.section;
      lines.push('', section, rule);
    }
    lines.push(
      `  ${f.label.padEnd(labelWidth)} ${formatValue(f.value, f.decimals).padStart(valueWidth)}  ${f.unit}`,
    );
  }
  if (result.targets.length > 0) {
    lines.push('', 'targets', rule);
    for (const t of result.targets) {
      const actual = `${formatNumber(t.actual, t.decimals)}${t.unit ? ` ${t.unit}` : ''}`;
      const target = `${t.comparison === '>=' ? '≥' : '≤'} ${formatNumber(t.target, t.decimals)}${t.unit ? ` ${t.unit}` : ''}`;
      lines.push(
        `  ${t.label.padEnd(labelWidth)} ${actual.padStart(valueWidth)}  ${target.padEnd(12)} ${t.pass ? 'PASS' : 'FAIL'}`,
      );
    }
    const missed = result.targets.filter((t) => !t.pass);
    lines.push(
      '',
      missed.length === 0
        ? 'All targets met.'
        : `MISSED: ${missed.map((t) => t.label).join('; ')} (a measurement, not a test: exit code stays 0)`,
    );
  }
  if (result.notes.length > 0) {
    lines.push('', 'notes');
    for (const note of result.notes) lines.push(`  - ${note}`);
  }
  return lines.join('\n');
}

export interface SuiteContext {
  report: Report;
  /** `--name=value` options given on the command line. */
  option(name: string): string | undefined;
  numberOption(name: string, fallback: number): number;
  flag(name: string): boolean;
  /** Progress on stderr, so stdout carries only the table. */
  progress(message: string): void;
}

function parseArgs(argv: string[]): { json?: string; options: Map<string, string> } {
  const options = new Map<string, string>();
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') {
      json = argv[++i];
      if (!json) throw new Error('--json needs a file name');
    } else if (arg.startsWith('--json=')) {
      json = arg.slice('--json='.length);
    } else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      options.set(eq < 0 ? arg.slice(2) : arg.slice(2, eq), eq < 0 ? 'true' : arg.slice(eq + 1));
    } else {
      throw new Error(`unexpected argument "${arg}" (options are --name=value, and --json FILE)`);
    }
  }
  return { json, options };
}

/**
 * The main of a suite: runs `body`, prints the table, writes the JSON when asked. A missed target is a finding,
 * not an error: the exit code is 0 unless the suite itself could not run.
 */
export function runSuite(suite: string, title: string, body: (context: SuiteContext) => Promise<void>): void {
  const started = new Date();
  const startedMs = Date.now();
  const report = new Report();
  const { json, options } = parseArgs(process.argv.slice(2));
  const context: SuiteContext = {
    report,
    option: (name) => options.get(name),
    numberOption: (name, fallback) => {
      const raw = options.get(name);
      if (raw === undefined) return fallback;
      const value = Number(raw);
      if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
      return value;
    },
    flag: (name) => options.get(name) === 'true',
    progress: (message) => process.stderr.write(`[bench ${suite}] ${message}\n`),
  };
  const finish = (code: number): void => {
    process.exitCode = code;
    // Whatever a library left open must not keep a finished measurement alive.
    setTimeout(() => process.exit(code), 3_000).unref();
  };
  body(context).then(
    () => {
      const result: SuiteResult = {
        suite,
        title,
        startedAt: started.toISOString(),
        finishedAt: new Date().toISOString(),
        wallSeconds: (Date.now() - startedMs) / 1000,
        command: process.env['BENCH_COMMAND'] ?? `node ${process.argv.slice(1).join(' ')}`,
        machine: machineInfo(report.servers),
        settings: report.settings,
        figures: report.figures,
        targets: report.targets,
        notes: report.notes,
      };
      process.stdout.write(`${renderTable(result)}\n`);
      if (json) {
        const file = resolve(json);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
        if (!process.env['BENCH_COMMAND']) context.progress(`figures written to ${file}`);
      }
      finish(0);
    },
    (error: unknown) => {
      process.stderr.write(
        `[bench ${suite}] could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      finish(1);
    },
  );
}
