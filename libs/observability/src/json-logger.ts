import { currentCorrelation } from './correlation.js';

export const LEVELS = { fatal: 60, error: 50, warn: 40, info: 30, debug: 20, trace: 10 } as const;
export type Level = keyof typeof LEVELS;

type NestLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
const FROM_NEST: Record<NestLevel, Level> = {
  log: 'info',
  error: 'error',
  warn: 'warn',
  debug: 'debug',
  verbose: 'trace',
  fatal: 'fatal',
};

export interface LogSink {
  write(line: string): unknown;
}

/**
 * One JSON object per line: machine-readable for the log pipeline, and every line carries the correlation id of
 * the request or event being handled. Implements Nest's LoggerService so the framework's own lines look the same.
 */
export class JsonLogger {
  private readonly threshold: number;

  constructor(
    private readonly app: string,
    level: Level = 'info',
    private readonly sink: LogSink = process.stdout,
    private readonly bindings: Record<string, unknown> = {},
  ) {
    this.threshold = LEVELS[level];
  }

  child(bindings: Record<string, unknown>): JsonLogger {
    const level = (Object.keys(LEVELS) as Level[]).find((l) => LEVELS[l] === this.threshold) ?? 'info';
    return new JsonLogger(this.app, level, this.sink, { ...this.bindings, ...bindings });
  }

  isEnabled(level: Level): boolean {
    return LEVELS[level] >= this.threshold;
  }

  write(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
    if (!this.isEnabled(level)) return;
    const scope = currentCorrelation();
    const line: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      app: this.app,
      ...this.bindings,
      ...(scope ? { correlationId: scope.correlationId } : {}),
      msg,
      ...fields,
    };
    this.sink.write(safeStringify(line) + '\n');
  }

  // Nest LoggerService
  log(message: unknown, ...rest: unknown[]): void {
    this.fromNest('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.fromNest('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.fromNest('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.fromNest('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.fromNest('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.fromNest('fatal', message, rest);
  }

  private fromNest(nestLevel: NestLevel, message: unknown, rest: unknown[]): void {
    const level = FROM_NEST[nestLevel];
    if (!this.isEnabled(level)) return;
    // Nest passes the context name last and, for errors, a stack before it.
    const args = [...rest];
    const context = typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (message instanceof Error) {
      fields['err'] = serializeError(message);
      message = message.message;
    }
    const stack = args.find((a) => typeof a === 'string');
    if (stack) fields['stack'] = stack;
    const objects = args.filter((a) => typeof a === 'object' && a !== null);
    for (const extra of objects) Object.assign(fields, extra);
    this.write(level, typeof message === 'string' ? message : safeStringify(message), fields);
  }
}

export function serializeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    return { type: error.name, message: error.message, stack: error.stack };
  }
  return { message: String(error) };
}

function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return serializeError(v);
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  });
}
