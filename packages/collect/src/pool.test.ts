import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from './pool.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('mapWithConcurrency', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (value) => {
      running++;
      peak = Math.max(peak, running);
      for (let i = 0; i < value; i++) await tick();
      running--;
      return value * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });

  it('starts nothing new after a failure and rethrows it once running tasks settle', async () => {
    const started: number[] = [];
    let settled = 0;
    await expect(
      mapWithConcurrency([0, 1, 2, 3, 4], 2, async (value) => {
        started.push(value);
        await tick();
        settled++;
        if (value === 0) throw new Error('fatal');
        return value;
      }),
    ).rejects.toThrow('fatal');
    expect(started).toEqual([0, 1]);
    expect(settled).toBe(2);
  });

  it('returns an empty list for no items', async () => {
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
  });
});
