/**
 * Retries with capped exponential backoff and full jitter (delay = random() * min(cap, base * 2^n)), or the
 * wait the server asked for (Retry-After), always inside the scan's deadline: a wait that would end past
 * the deadline is not started, so a throttled scan stops in time and reports what it has.
 */

export interface RetryTiming {
  /** Epoch milliseconds after which no attempt starts and no wait begins. */
  deadline: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1). */
  random: () => number;
}

export interface RetryPolicy {
  /** Attempts in all, the first included (default 6). */
  maxAttempts?: number;
  /** Backoff before the first retry is at most this (default 200 ms)... */
  baseMs?: number;
  /** ...and no backoff is longer than this (default 10 s). */
  capMs?: number;
}

/** What the caller makes of a failure: try again or not, and whether the server named a wait. */
export interface FailureVerdict {
  retry: boolean;
  retryAfterMs?: number | undefined;
}

export type RetryResult<T> =
  | { ok: true; value: T; attempts: number }
  | {
      ok: false;
      /** The last failure; undefined only when the deadline had passed before the first attempt. */
      error: unknown;
      attempts: number;
      /** `final`: the failure is not worth retrying; `attempts`: out of tries; `deadline`: out of time. */
      stop: 'final' | 'attempts' | 'deadline';
    };

export const DEFAULT_RETRY_POLICY: Required<RetryPolicy> = { maxAttempts: 6, baseMs: 200, capMs: 10_000 };

/** Full-jitter backoff before retry number `retry` (0 for the first retry). */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const base = policy.baseMs ?? DEFAULT_RETRY_POLICY.baseMs;
  const cap = policy.capMs ?? DEFAULT_RETRY_POLICY.capMs;
  const ceiling = Math.min(cap, base * 2 ** Math.min(retry, 30));
  return Math.floor(random() * ceiling);
}

/**
 * Runs `attempt` until it succeeds, `classify` says the failure is final, the attempts run out, or the
 * next wait would cross the deadline. Never throws what `attempt` throws: the outcome says how it ended.
 */
export async function retry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  classify: (error: unknown) => FailureVerdict,
  timing: RetryTiming,
  policy: RetryPolicy = {},
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void,
): Promise<RetryResult<T>> {
  const maxAttempts = Math.max(1, policy.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts);
  let lastError: unknown;
  for (let n = 0; n < maxAttempts; n++) {
    if (timing.now() >= timing.deadline)
      return { ok: false, error: lastError, attempts: n, stop: 'deadline' };
    try {
      return { ok: true, value: await attempt(n + 1), attempts: n + 1 };
    } catch (error) {
      lastError = error;
      const verdict = classify(error);
      if (!verdict.retry) return { ok: false, error, attempts: n + 1, stop: 'final' };
      if (n + 1 >= maxAttempts) break;
      const delayMs = verdict.retryAfterMs ?? backoffDelay(n, policy, timing.random);
      if (timing.now() + delayMs >= timing.deadline) {
        return { ok: false, error, attempts: n + 1, stop: 'deadline' };
      }
      onRetry?.({ attempt: n + 1, delayMs, error });
      await timing.sleep(delayMs);
    }
  }
  return { ok: false, error: lastError, attempts: maxAttempts, stop: 'attempts' };
}

/**
 * Reads a Retry-After header: delay-seconds or an HTTP-date (RFC 9110 10.2.3). Undefined when absent or
 * unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
