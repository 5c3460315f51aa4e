import { excerpt } from '../redact.ts';
import {
  type FailureVerdict,
  parseRetryAfter,
  type RetryPolicy,
  type RetryResult,
  type RetryTiming,
  retry,
} from '../retry.ts';
import type { CollectLogger } from '../types.ts';
import { type KubeResponse, type KubeTransport, TransportError } from './transport.ts';

/** What every Kubernetes read shares: the transport, the clock and deadline, the retry policy, logging. */
export interface KubeContext {
  transport: KubeTransport;
  timing: RetryTiming;
  retryPolicy: RetryPolicy;
  pageSize: number;
  maxObjectsPerKind: number;
  logger: CollectLogger;
  scanId: string | undefined;
}

/** An answer worth another try: 429 (with its Retry-After) or a server error. */
export class RetryableStatusError extends Error {
  readonly response: KubeResponse;
  readonly retryAfterMs: number | undefined;
  constructor(response: KubeResponse, retryAfterMs: number | undefined) {
    super(`HTTP ${response.status}`);
    this.name = 'RetryableStatusError';
    this.response = response;
    this.retryAfterMs = retryAfterMs;
  }
}

function isRetryableStatus(status: number): boolean {
  // 501 Not Implemented will not change on a retry; every other 5xx (and 429) may.
  return status === 429 || (status >= 500 && status !== 501);
}

export function classifyKubeFailure(error: unknown): FailureVerdict {
  if (error instanceof RetryableStatusError) return { retry: true, retryAfterMs: error.retryAfterMs };
  if (error instanceof TransportError)
    return { retry: error.failure === 'network' || error.failure === 'timeout' };
  return { retry: false };
}

/** GET with retries for 429, 5xx, dropped connections and timeouts, inside the deadline. */
export function getWithRetry(
  ctx: KubeContext,
  path: string,
  what: string,
): Promise<RetryResult<KubeResponse>> {
  return retry(
    async () => {
      const response = await ctx.transport.get(path);
      if (isRetryableStatus(response.status)) {
        throw new RetryableStatusError(
          response,
          parseRetryAfter(response.headers['retry-after'], ctx.timing.now()),
        );
      }
      return response;
    },
    classifyKubeFailure,
    ctx.timing,
    ctx.retryPolicy,
    ({ attempt, delayMs, error }) =>
      ctx.logger.warn({
        msg: 'retrying a Kubernetes read',
        scanId: ctx.scanId,
        what,
        attempt,
        delayMs,
        cause: describeFailure(error, ctx),
      }),
  );
}

/** The `message` of a Kubernetes Status body, redacted and short; undefined when the body is not a Status. */
export function statusMessage(response: KubeResponse, ctx: KubeContext): string | undefined {
  try {
    const body = JSON.parse(response.body.toString('utf8')) as { kind?: unknown; message?: unknown };
    if (body && body.kind === 'Status' && typeof body.message === 'string' && body.message) {
      return excerpt(body.message, ctx.transport.secrets, 240);
    }
  } catch {
    // not JSON: the caller describes the status code alone
  }
  return undefined;
}

/** One line about a failed attempt, for logs and coverage reasons. */
export function describeFailure(error: unknown, ctx: KubeContext): string {
  if (error instanceof RetryableStatusError) {
    const message = statusMessage(error.response, ctx);
    return `HTTP ${error.response.status}${message ? `: ${message}` : ''}`;
  }
  if (error instanceof TransportError) return error.message;
  if (error === undefined) return 'the scan deadline had passed';
  return excerpt(String((error as Error)?.message ?? error), ctx.transport.secrets, 200);
}
