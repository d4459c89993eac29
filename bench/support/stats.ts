/**
 * Milliseconds on the monotonic clock of the process: the same clock in every worker thread (unlike
 * `performance.now()`, whose origin is per thread), so times taken in different threads can be subtracted.
 */
export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

const asError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Distribution {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, v) => total + v, 0);
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** A monotonically growing count whose value can be read at the edges of a measurement window. */
export class Counter {
  value = 0;
  add(n = 1): void {
    this.value += n;
  }
}

export interface Window {
  startedAt: number;
  endedAt: number;
  seconds: number;
}

/**
 * Runs `workers` closed-loop workers (each starts its next operation when the previous one finished) for
 * `warmupMs + measureMs`; `onWindow` is called at the start and at the end of the measured part so the caller can
 * snapshot its counters there. Errors stop the run.
 */
export async function closedLoop(options: {
  workers: number;
  warmupMs: number;
  measureMs: number;
  operation: (worker: number, iteration: number) => Promise<void>;
  onWindowStart?: () => void | Promise<void>;
  onWindowEnd?: () => void | Promise<void>;
}): Promise<Window> {
  let stop = false;
  let failure: unknown;
  const loops = Array.from({ length: options.workers }, async (_, worker) => {
    for (let i = 0; !stop; i++) {
      try {
        await options.operation(worker, i);
      } catch (error) {
        failure ??= error;
        stop = true;
      }
    }
  });
  await sleep(options.warmupMs);
  const startedAt = now();
  await options.onWindowStart?.();
  await sleep(options.measureMs);
  const endedAt = now();
  await options.onWindowEnd?.();
  stop = true;
  await Promise.all(loops);
  if (failure) throw asError(failure);
  return { startedAt, endedAt, seconds: (endedAt - startedAt) / 1000 };
}

/**
 * An open-loop rate limiter: starts operation number i at `start + i / rate`, whether or not earlier ones have
 * finished (up to `maxInFlight`), so slow operations show up as latency instead of lowering the offered load.
 */
export async function openLoop(options: {
  ratePerSecond: number;
  durationMs: number;
  maxInFlight: number;
  operation: (iteration: number) => Promise<void>;
}): Promise<{ started: number; skippedForInFlightLimit: number; seconds: number; failures: number }> {
  const start = now();
  const inFlight = new Set<Promise<void>>();
  let started = 0;
  let skipped = 0;
  let failures = 0;
  let firstError: unknown;
  const total = Math.floor((options.ratePerSecond * options.durationMs) / 1000);
  while (started + skipped < total) {
    const due = Math.min(total, Math.floor(((now() - start) * options.ratePerSecond) / 1000) + 1);
    while (started + skipped < due) {
      if (inFlight.size >= options.maxInFlight) {
        skipped++;
        continue;
      }
      const iteration = started++;
      const run = options.operation(iteration).catch((error: unknown) => {
        failures++;
        firstError ??= error;
      });
      inFlight.add(run);
      void run.finally(() => inFlight.delete(run));
    }
    const nextAt = start + ((started + skipped) * 1000) / options.ratePerSecond;
    await sleep(Math.max(0, Math.min(50, nextAt - now())));
  }
  await Promise.all([...inFlight]);
  if (failures > 0 && started > 0 && failures === started) throw asError(firstError);
  return { started, skippedForInFlightLimit: skipped, seconds: (now() - start) / 1000, failures };
}

/** Polls `done` every `intervalMs` until it is true or `timeoutMs` passed; returns whether it became true. */
export async function until(
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 20,
): Promise<boolean> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    if (await done()) return true;
    await sleep(intervalMs);
  }
  return done();
}
