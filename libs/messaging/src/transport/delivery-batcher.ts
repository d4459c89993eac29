export interface BatcherOptions {
  /** Batches handled at the same time (each in its own transaction). */
  parallelism: number;
  /** Largest batch; under load batches fill up by themselves, at low load a batch is a single message. */
  maxBatchSize: number;
  /** `push` waits while this many items are queued: back-pressure on the message pump. */
  maxQueued: number;
}

/**
 * Groups queued items into batches and hands them to `process`, at most `parallelism` at a time. Items of one key
 * (an aggregate) are never in two batches at once and keep their order; within a batch the processor keeps the
 * order it was given.
 */
export class DeliveryBatcher<T extends { key: string }> {
  private readonly queue: T[] = [];
  private readonly claimedKeys = new Map<string, number>();
  private active = 0;
  private spaceWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private dispatchScheduled = false;

  constructor(
    private readonly process: (batch: T[]) => Promise<void>,
    private readonly options: BatcherOptions,
  ) {
    for (const [name, value] of Object.entries(options)) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
    }
  }

  get queued(): number {
    return this.queue.length;
  }

  /** The items waiting for a batch, oldest first (not removed). */
  waiting(): readonly T[] {
    return this.queue;
  }

  async push(item: T): Promise<void> {
    this.queue.push(item);
    this.scheduleDispatch();
    if (this.queue.length >= this.options.maxQueued) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
  }

  /** Removes and returns the items not yet handed to a batch (to give them back when shutting down). */
  takeQueued(): T[] {
    const rest = this.queue.splice(0);
    this.wakeSpaceWaiters();
    return rest;
  }

  /** Resolves when nothing is queued or being processed. */
  async idle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Dispatches at the end of this turn of the event loop, when the messages that arrived together (one read from the
   * socket) are all queued, so that they can go into one batch.
   */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.active < this.options.parallelism) {
      const batch = this.takeBatch();
      if (batch.length === 0) break;
      this.active++;
      for (const item of batch) this.claimedKeys.set(item.key, (this.claimedKeys.get(item.key) ?? 0) + 1);
      void this.process(batch)
        .catch(() => undefined) // the processor handles its own failures; never stall the pipeline
        .finally(() => {
          for (const item of batch) {
            const left = (this.claimedKeys.get(item.key) ?? 1) - 1;
            if (left === 0) this.claimedKeys.delete(item.key);
            else this.claimedKeys.set(item.key, left);
          }
          this.active--;
          this.dispatch();
          if (this.active === 0 && this.queue.length === 0)
            this.idleWaiters.splice(0).forEach((resolve) => resolve());
        });
    }
    if (this.queue.length < this.options.maxQueued) this.wakeSpaceWaiters();
  }

  /** The oldest items whose key no running batch holds; a skipped item also holds back later items of its key. */
  private takeBatch(): T[] {
    const batch: T[] = [];
    const held = new Set<string>();
    for (let i = 0; i < this.queue.length && batch.length < this.options.maxBatchSize;) {
      const item = this.queue[i];
      if (this.claimedKeys.has(item.key) || held.has(item.key)) {
        held.add(item.key);
        i++;
        continue;
      }
      batch.push(item);
      this.queue.splice(i, 1);
    }
    return batch;
  }

  private wakeSpaceWaiters(): void {
    this.spaceWaiters.splice(0).forEach((resolve) => resolve());
  }
}
