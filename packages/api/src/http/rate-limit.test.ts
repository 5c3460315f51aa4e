import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit.ts';

describe('createRateLimiter', () => {
  it('allows a burst of the per-minute budget, then says how long to wait', () => {
    const limiter = createRateLimiter({ requestsPerMinute: 3 });
    const at = 1_000_000;
    expect([1, 2, 3].map(() => limiter.take('k', at).allowed)).toEqual([true, true, true]);
    const refused = limiter.take('k', at);
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 20, remaining: 0 });
    expect(limiter.take('k', at + 20_000).allowed).toBe(true);
  });

  it('keeps one bucket per credential and forgets the oldest beyond its bound', () => {
    const limiter = createRateLimiter({ requestsPerMinute: 1, maxKeys: 2 });
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('b', 0).allowed).toBe(true);
    expect(limiter.take('a', 0).allowed).toBe(false);
    expect(limiter.take('c', 0).allowed).toBe(true);
    // 'a' was the oldest and is forgotten: a fresh bucket.
    expect(limiter.take('a', 0).allowed).toBe(true);
  });
});
