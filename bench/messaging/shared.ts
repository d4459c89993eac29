import { proposalEndorsedFixture } from '@wandelwerk/contracts';

/** What the messaging suite's main thread (producers, relay) and its consumer thread agree on. */
export const EVENT_TYPE = proposalEndorsedFixture.type;
export const PRODUCER = 'projects';
export const CONSUMER = 'funding';

/** Read from the worker's side as `workerData`. */
export interface ConsumerWorkerData {
  databaseUrl: string;
  natsUrl: string;
  prefix: string;
  concurrency: number;
  poolSize: number;
  /** Int32 slot 0: events whose handler ran (Atomics, read by the main thread at the edges of a window). */
  handledCounter: SharedArrayBuffer;
}

export interface TransactionSummary {
  transactions: number;
  busyMs: number;
  meanMs: number;
  maxOpen: number;
}

export type ToConsumer = { kind: 'summary'; from: number; to: number } | { kind: 'close' };

export type FromConsumer =
  | { kind: 'ready' }
  /** Handler start times (process monotonic clock, ms) by event id, sent in batches. */
  | { kind: 'handled'; ids: string[]; times: number[] }
  | { kind: 'summary'; summary: TransactionSummary }
  | { kind: 'closed' }
  | { kind: 'failed'; error: string };
