import { describe, expect, it } from '@jest/globals';
import { DeliveryBatcher } from './delivery-batcher.js';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
interface Item {
  key: string;
  n: number;
}

describe('DeliveryBatcher', () => {
  it('keeps the order of items with the same key across batches', async () => {
    const handled: number[] = [];
    const batcher = new DeliveryBatcher<Item>(
      async (batch) => {
        await tick(Math.random() * 5);
        for (const item of batch) if (item.key === 'a') handled.push(item.n);
      },
      { parallelism: 4, maxBatchSize: 3, maxQueued: 100 },
    );
    for (let n = 0; n < 30; n++) await batcher.push({ key: n % 3 === 0 ? 'a' : `k${n}`, n });
    await batcher.idle();
    expect(handled).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
  });

  it('never puts one key into two running batches', async () => {
    let running = new Set<string>();
    let overlap = false;
    const batcher = new DeliveryBatcher<Item>(
      async (batch) => {
        const keys = new Set(batch.map((i) => i.key));
        if ([...keys].some((k) => running.has(k))) overlap = true;
        running = new Set([...running, ...keys]);
        await tick(2);
        for (const k of keys) running.delete(k);
      },
      { parallelism: 3, maxBatchSize: 2, maxQueued: 100 },
    );
    for (let n = 0; n < 40; n++) await batcher.push({ key: `k${n % 4}`, n });
    await batcher.idle();
    expect(overlap).toBe(false);
  });

  it('fills batches under load and runs a lone item at once', async () => {
    const sizes: number[] = [];
    const batcher = new DeliveryBatcher<Item>(
      async (batch) => {
        sizes.push(batch.length);
        await tick(10);
      },
      { parallelism: 1, maxBatchSize: 8, maxQueued: 100 },
    );
    await batcher.push({ key: 'first', n: 0 });
    await new Promise((resolve) => setImmediate(resolve)); // the next turn of the event loop
    for (let n = 1; n <= 16; n++) await batcher.push({ key: `k${n}`, n });
    await batcher.idle();
    expect(sizes).toEqual([1, 8, 8]);
  });

  it('puts items that arrive in the same turn of the event loop into one batch', async () => {
    const sizes: number[] = [];
    const batcher = new DeliveryBatcher<Item>(
      async (batch) => {
        sizes.push(batch.length);
        await tick(1);
      },
      { parallelism: 4, maxBatchSize: 8, maxQueued: 100 },
    );
    // As the message pump does with the messages of one read from the socket.
    for (let n = 0; n < 5; n++) await batcher.push({ key: `k${n}`, n });
    await batcher.idle();
    expect(sizes).toEqual([5]);
  });

  it('makes the pump wait while the queue is full', async () => {
    const batcher = new DeliveryBatcher<Item>(() => tick(20), {
      parallelism: 1,
      maxBatchSize: 1,
      maxQueued: 2,
    });
    await batcher.push({ key: 'a', n: 0 }); // taken at once
    await batcher.push({ key: 'b', n: 1 });
    let third = false;
    const pushing = batcher.push({ key: 'c', n: 2 }).then(() => (third = true));
    await tick(5);
    expect(third).toBe(false);
    await pushing;
    await batcher.idle();
    expect(third).toBe(true);
  });

  it('goes on after a batch fails', async () => {
    const handled: number[] = [];
    const batcher = new DeliveryBatcher<Item>(
      (batch) => {
        if (batch[0].n === 0) return Promise.reject(new Error('boom'));
        handled.push(...batch.map((i) => i.n));
        return Promise.resolve();
      },
      { parallelism: 1, maxBatchSize: 1, maxQueued: 10 },
    );
    await batcher.push({ key: 'k', n: 0 });
    await batcher.push({ key: 'k', n: 1 });
    await batcher.idle();
    expect(handled).toEqual([1]);
  });
});
