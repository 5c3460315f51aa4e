/**
 * Base delays between attempts, in seconds, Svix-like: 30 s, 5 min, 30 min, 2 h, 5 h, then every 10 h.
 * With the jitter below and the three-day window, an event is tried 11 to 19 times.
 */
export const RETRY_STEPS_SECONDS: readonly number[] = [30, 300, 1_800, 7_200, 18_000, 36_000];

/** How long an event is retried, from its first attempt; an endpoint failing this long is disabled. */
export const RETRY_WINDOW_SECONDS = 3 * 24 * 3600;

/** The base delay after the n-th failed attempt (1-based). */
export function baseDelaySeconds(failedAttempts: number): number {
  const index = Math.min(Math.max(failedAttempts, 1), RETRY_STEPS_SECONDS.length) - 1;
  return RETRY_STEPS_SECONDS[index]!;
}

/**
 * The delay before the next attempt: the step's base delay jittered over its upper half (so that endpoints
 * failing together do not retry in lockstep, while a retry never collapses to "immediately", the failure
 * mode of jitter over the whole step), or the endpoint's Retry-After when that is longer.
 */
export function retryDelaySeconds(input: {
  failedAttempts: number;
  random: () => number;
  retryAfterSeconds?: number | null;
}): number {
  const base = baseDelaySeconds(input.failedAttempts);
  const jittered = Math.round(base / 2 + (input.random() * base) / 2);
  return Math.max(jittered, input.retryAfterSeconds ?? 0);
}

/**
 * Parses a Retry-After header: delay-seconds or an HTTP-date (RFC 9110 10.2.3). Returns seconds from `now`
 * (0 for a date in the past), or null when the value is absent or neither form.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d{1,10}$/.test(trimmed)) return Number(trimmed);
  // HTTP-dates always name a weekday and GMT; Date.parse alone accepts far looser text.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

export type ResponseClass = 'success' | 'gone' | 'retry';

/**
 * 2xx succeeds; 410 Gone means the endpoint was removed (the subscription is disabled at once); anything
 * else, 3xx included (redirects are never followed), is a failure that is retried.
 */
export function classifyStatus(status: number): ResponseClass {
  if (status >= 200 && status < 300) return 'success';
  if (status === 410) return 'gone';
  return 'retry';
}

export type RetryPlan = { kind: 'retry'; at: Date } | { kind: 'give_up' };

/**
 * After a failed attempt: when to try again, or to give up because the next attempt would fall outside the
 * retry window that started with the first attempt.
 */
export function planRetry(input: {
  firstAttemptAt: Date;
  now: Date;
  failedAttempts: number;
  retryAfterSeconds?: number | null;
  random: () => number;
  windowSeconds?: number;
}): RetryPlan {
  const window = (input.windowSeconds ?? RETRY_WINDOW_SECONDS) * 1000;
  const delay = retryDelaySeconds(input);
  const at = new Date(input.now.getTime() + delay * 1000);
  if (at.getTime() - input.firstAttemptAt.getTime() > window) return { kind: 'give_up' };
  return { kind: 'retry', at };
}
