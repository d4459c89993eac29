import { Worker } from 'node:worker_threads';
import type {
  FromSink,
  SeenDelivery,
  SeenEvent,
  SeenNotification,
  SinkWorkerData,
  ToSink,
} from './pipeline-sink-worker.js';
import { sleep } from './stats.js';

/** The main thread's side of the observer thread (pipeline-sink-worker.ts): what it saw, and allocations on demand. */
export class Sink {
  readonly notifications: SeenNotification[] = [];
  readonly deliveries: SeenDelivery[] = [];
  readonly events: SeenEvent[] = [];
  private readonly allocations = new Map<string, { allocationId: string; at: number }>();
  private readonly waiters = new Map<string, (value: { allocationId: string; at: number }) => void>();
  private closed: (() => void) | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly smtpUrl: string,
    readonly webhookUrl: string,
  ) {
    worker.on('message', (message: FromSink) => {
      if (message.kind === 'batch') {
        for (const n of message.notifications) this.notifications.push(n);
        for (const d of message.deliveries) this.deliveries.push(d);
        for (const e of message.events) this.events.push(e);
      } else if (message.kind === 'allocation') {
        const value = { allocationId: message.allocationId, at: message.at };
        this.allocations.set(message.proposalId, value);
        this.waiters.get(message.proposalId)?.(value);
        this.waiters.delete(message.proposalId);
      } else if (message.kind === 'closed') this.closed?.();
    });
  }

  static async start(data: SinkWorkerData): Promise<Sink> {
    const worker = new Worker(new URL('./pipeline-sink-worker.js', import.meta.url), {
      workerData: data,
    });
    const ready = await new Promise<FromSink>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (ready.kind !== 'ready') throw new Error(`sink: unexpected ${ready.kind}`);
    return new Sink(worker, ready.smtpUrl, ready.webhookUrl);
  }

  /** The allocation funding requested for the proposal, as soon as its event was seen. */
  allocationOf(proposalId: string, timeoutMs: number): Promise<{ allocationId: string; at: number }> {
    const known = this.allocations.get(proposalId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(proposalId);
        reject(new Error(`no allocation requested for proposal ${proposalId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(proposalId, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
  }

  async flush(): Promise<void> {
    this.worker.postMessage({ kind: 'flush' } satisfies ToSink);
    await sleep(60);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.closed = resolve));
    this.worker.postMessage({ kind: 'close' } satisfies ToSink);
    await Promise.race([closed, sleep(5_000)]);
    await this.worker.terminate();
  }
}
