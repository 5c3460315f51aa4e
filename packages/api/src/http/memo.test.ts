import { describe, expect, it } from 'vitest';
import { createMemo } from './memo.ts';

describe('createMemo', () => {
  it('shares one computation between concurrent callers and reuses it until the time is up', async () => {
    let now = 0;
    let computed = 0;
    const memo = createMemo<number>({ ttlMs: 1000, now: () => now });
    const compute = async () => ++computed;
    expect(await Promise.all([memo('a', compute), memo('a', compute)])).toEqual([1, 1]);
    now = 999;
    expect(await memo('a', compute)).toBe(1);
    expect(await memo('b', compute)).toBe(2);
    now = 1000;
    expect(await memo('a', compute)).toBe(3);
  });

  it('forgets failures and computes every time with no time to live', async () => {
    let calls = 0;
    const memo = createMemo<number>({ ttlMs: 1000, now: () => 0 });
    await expect(memo('a', () => Promise.reject(new Error(`failed ${++calls}`)))).rejects.toThrow('failed 1');
    expect(await memo('a', async () => ++calls)).toBe(2);
    const never = createMemo<number>({ ttlMs: 0, now: () => 0 });
    expect(await never('a', async () => ++calls)).toBe(3);
    expect(await never('a', async () => ++calls)).toBe(4);
  });
});
