import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, type RetryTiming, retry } from './retry.ts';

/** A virtual clock: sleeping advances it, so tests take no wall time. */
function virtualTiming(deadlineIn: number, random = () => 0.5) {
  let now = 1_000_000;
  const sleeps: number[] = [];
  const timing: RetryTiming = {
    deadline: now + deadlineIn,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random,
  };
  return { timing, sleeps, advance: (ms: number) => (now += ms) };
}

class Transient extends Error {
  retryAfterMs?: number;
}

const classify = (error: unknown) =>
  error instanceof Transient ? { retry: true, retryAfterMs: error.retryAfterMs } : { retry: false };

describe('retry', () => {
  it('returns the value of the first successful attempt', async () => {
    const { timing } = virtualTiming(60_000);
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new Transient('503');
        return 'ok';
      },
      classify,
      timing,
    );
    expect(result).toEqual({ ok: true, value: 'ok', attempts: 3 });
  });

  it('stops at once on a failure that is not worth retrying', async () => {
    const { timing, sleeps } = virtualTiming(60_000);
    const result = await retry(
      async () => {
        throw new Error('403');
      },
      classify,
      timing,
    );
    expect(result).toMatchObject({ ok: false, attempts: 1, stop: 'final' });
    expect(sleeps).toEqual([]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { timing, sleeps } = virtualTiming(600_000);
    let n = 0;
    const result = await retry(
      async () => {
        throw new Transient(`failure ${++n}`);
      },
      classify,
      timing,
      { maxAttempts: 4 },
    );
    expect(result).toMatchObject({ ok: false, attempts: 4, stop: 'attempts' });
    expect((result as { error: Error }).error.message).toBe('failure 4');
    expect(sleeps).toHaveLength(3);
  });

  it('backs off exponentially with full jitter, capped', async () => {
    const { timing, sleeps } = virtualTiming(10_000_000, () => 0.999);
    await retry(
      async () => {
        throw new Transient('x');
      },
      classify,
      timing,
      { maxAttempts: 8, baseMs: 100, capMs: 1_000 },
    );
    expect(sleeps).toEqual([99, 199, 399, 799, 999, 999, 999]);
  });

  it('waits exactly what Retry-After asked for instead of its own backoff', async () => {
    const { timing, sleeps } = virtualTiming(60_000);
    let n = 0;
    await retry(
      async () => {
        if (n++ === 0) {
          const error = new Transient('429');
          error.retryAfterMs = 7_000;
          throw error;
        }
        return 'ok';
      },
      classify,
      timing,
    );
    expect(sleeps).toEqual([7_000]);
  });

  it('does not start a wait that would end past the deadline', async () => {
    const { timing, sleeps } = virtualTiming(5_000);
    const result = await retry(
      async () => {
        const error = new Transient('429');
        error.retryAfterMs = 30_000;
        throw error;
      },
      classify,
      timing,
    );
    expect(result).toMatchObject({ ok: false, attempts: 1, stop: 'deadline' });
    expect(sleeps).toEqual([]);
  });

  it('makes no attempt once the deadline has passed', async () => {
    const { timing, advance } = virtualTiming(1_000);
    advance(2_000);
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        return 1;
      },
      classify,
      timing,
    );
    expect(result).toEqual({ ok: false, error: undefined, attempts: 0, stop: 'deadline' });
    expect(calls).toBe(0);
  });

  it('never sleeps past the deadline, whatever the jitter and failures', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120_000 }),
        fc.array(fc.option(fc.integer({ min: 0, max: 90_000 }), { nil: undefined }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        async (deadlineIn, waits, jitter) => {
          const { timing } = virtualTiming(deadlineIn, () => jitter);
          let i = 0;
          await retry(
            async () => {
              const error = new Transient('x');
              error.retryAfterMs = waits[i++ % waits.length];
              throw error;
            },
            classify,
            timing,
            { maxAttempts: 20 },
          );
          expect(timing.now()).toBeLessThan(timing.deadline);
        },
      ),
    );
  });
});

describe('backoffDelay', () => {
  it('stays within [0, min(cap, base * 2^n))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (n, r) => {
          const delay = backoffDelay(n, { baseMs: 200, capMs: 10_000 }, () => r);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(Math.min(10_000, 200 * 2 ** n));
        },
      ),
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date as the time left until then', () => {
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:00:10 GMT', now)).toBe(10_000);
  });

  it('treats an HTTP-date in the past as no wait', () => {
    expect(parseRetryAfter('Sun, 01 Jun 2025 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent and unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
  });

  it('uses the first of repeated headers', () => {
    expect(parseRetryAfter(['2', '9'], now)).toBe(2_000);
  });
});
