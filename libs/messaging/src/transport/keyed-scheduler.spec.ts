import { describe, expect, it } from '@jest/globals';
import { KeyedScheduler } from './keyed-scheduler.js';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyedScheduler', () => {
  it('keeps the order of tasks with the same key', async () => {
    const scheduler = new KeyedScheduler(8);
    const done: number[] = [];
    for (const [i, ms] of [30, 1, 10].entries()) {
      await scheduler.schedule('aggregate-1', async () => {
        await tick(ms);
        done.push(i);
      });
    }
    await scheduler.idle();
    expect(done).toEqual([0, 1, 2]);
  });

  it('runs different keys side by side up to the limit', async () => {
    const scheduler = new KeyedScheduler(2);
    let running = 0;
    let peak = 0;
    for (let i = 0; i < 6; i++) {
      await scheduler.schedule(`k${i}`, async () => {
        running++;
        peak = Math.max(peak, running);
        await tick(5);
        running--;
      });
    }
    await scheduler.idle();
    expect(peak).toBe(2);
  });

  it('goes on after a task fails', async () => {
    const scheduler = new KeyedScheduler(1);
    const done: string[] = [];
    await scheduler.schedule('k', () => Promise.reject(new Error('boom')));
    await scheduler.schedule('k', () => {
      done.push('after');
      return Promise.resolve();
    });
    await scheduler.idle();
    expect(done).toEqual(['after']);
  });
});
