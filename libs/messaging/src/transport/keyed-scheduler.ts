/**
 * Runs tasks with a global concurrency limit while keeping tasks of the same key (an aggregate) strictly in order.
 * `schedule` resolves once the task has a slot, which gives the message pump natural back-pressure.
 */
export class KeyedScheduler {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly tails = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error('concurrency must be a positive integer');
  }

  get size(): number {
    return this.inFlight.size;
  }

  async schedule(key: string, task: () => Promise<void>): Promise<void> {
    if (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(task).catch(() => undefined);
    this.tails.set(key, run);
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      if (this.tails.get(key) === run) this.tails.delete(key);
      this.active--;
      this.waiting.shift()?.();
    });
  }

  /** Resolves when every scheduled task has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
