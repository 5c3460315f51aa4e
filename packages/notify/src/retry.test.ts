import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  baseDelaySeconds,
  classifyStatus,
  parseRetryAfter,
  planRetry,
  RETRY_WINDOW_SECONDS,
  retryDelaySeconds,
} from './retry.ts';

const now = new Date('2026-03-01T12:00:00.000Z');

describe('retry schedule', () => {
  it('grows from 30 seconds to 10 hours and stays there', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(baseDelaySeconds)).toEqual([
      30, 300, 1_800, 7_200, 18_000, 36_000, 36_000, 36_000,
    ]);
  });

  it('jitters each delay within the upper half of its step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (n, r) => {
          const base = baseDelaySeconds(n);
          const delay = retryDelaySeconds({ failedAttempts: n, random: () => r });
          return delay >= base / 2 && delay <= base;
        },
      ),
    );
  });

  it('waits for Retry-After when the endpoint asks for longer than the schedule', () => {
    expect(retryDelaySeconds({ failedAttempts: 1, random: () => 0, retryAfterSeconds: 120 })).toBe(120);
    expect(retryDelaySeconds({ failedAttempts: 3, random: () => 0, retryAfterSeconds: 5 })).toBe(900);
  });

  it('retries for about three days from the first attempt, then gives up', () => {
    // A controllable clock: each failure is followed by the planned retry, with the worst-case jitter.
    for (const random of [() => 0, () => 0.999_999]) {
      const first = now;
      let at = now;
      let attempts = 0;
      for (;;) {
        attempts++;
        const plan = planRetry({ firstAttemptAt: first, now: at, failedAttempts: attempts, random });
        if (plan.kind === 'give_up') break;
        expect(plan.at.getTime()).toBeGreaterThan(at.getTime());
        at = plan.at;
      }
      const elapsed = (at.getTime() - first.getTime()) / 1000;
      expect(elapsed).toBeLessThanOrEqual(RETRY_WINDOW_SECONDS);
      expect(elapsed).toBeGreaterThan(RETRY_WINDOW_SECONDS - 36_000);
      expect(attempts).toBeGreaterThanOrEqual(10);
      expect(attempts).toBeLessThanOrEqual(20);
    }
  });

  it('gives up when Retry-After points past the window', () => {
    const plan = planRetry({
      firstAttemptAt: now,
      now,
      failedAttempts: 1,
      random: () => 0.5,
      retryAfterSeconds: RETRY_WINDOW_SECONDS + 1,
    });
    expect(plan).toEqual({ kind: 'give_up' });
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP-dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:05:00 GMT', now)).toBe(300);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores what is neither form', () => {
    for (const value of [
      undefined,
      '',
      '-5',
      '1.5',
      'soon',
      '2026-03-01T12:05:00Z',
      'Sun, 01 Mar 2026 12:05:00',
    ]) {
      expect(parseRetryAfter(value, now)).toBeNull();
    }
  });
});

describe('classifyStatus', () => {
  it('succeeds on 2xx, disables on 410 and retries everything else, redirects included', () => {
    expect([200, 201, 202, 204, 299].map(classifyStatus)).toEqual(Array(5).fill('success'));
    expect(classifyStatus(410)).toBe('gone');
    expect([301, 302, 307, 308, 400, 401, 404, 408, 429, 500, 502, 503].map(classifyStatus)).toEqual(
      Array(12).fill('retry'),
    );
  });
});
