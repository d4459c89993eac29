/** What the projects suite's main thread (gateway, projects service) and its load thread agree on. */

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The status that counts as success. */
  expect: number;
}

export type Scenario =
  /** GET each path in turn (hello world, the list with filters). */
  | { kind: 'get'; paths: string[] }
  /** POST a proposal (with a fresh Idempotency-Key), then POST …/{id}/submit: one iteration, two requests. */
  | { kind: 'create-submit'; bodies: string[]; headers: Record<string, string> };

export interface LoadJob {
  base: string;
  scenario: Scenario;
  concurrency: number;
  warmupMs: number;
  measureMs: number;
  /** Stops the measured part after this many iterations even if time is left (a bounded loop). */
  maxIterations: number;
}

export interface LoadResult {
  /** Latency of each request of the measured part, by step name (e.g. `get`, `create`, `submit`, `iteration`). */
  latencies: Record<string, number[]>;
  iterations: number;
  requests: number;
  seconds: number;
  /** Event loop utilisation of the load thread in the measured part (near 1: the client itself limits). */
  loadThreadUtilisation: number;
}

export type ToLoad = { kind: 'run'; job: LoadJob } | { kind: 'close' };
export type FromLoad =
  { kind: 'ready' } | { kind: 'done'; result: LoadResult } | { kind: 'failed'; error: string };
