import { type RetryPolicy, type RetryResult, type RetryTiming, retry } from '../retry.ts';
import type { CollectLogger } from '../types.ts';
import { awsRetryVerdict, describeAwsError } from './aws-errors.ts';

export interface AwsCallContext {
  timing: RetryTiming;
  retryPolicy: RetryPolicy;
  requestTimeoutMs: number;
  logger: CollectLogger;
  scanId: string | undefined;
}

/**
 * One AWS API call with the collector's retry (throttling, 5xx, network, timeouts) inside the deadline.
 * Each attempt gets an abort signal bounded by both the request timeout and the time left.
 */
export function awsCall<T>(
  ctx: AwsCallContext,
  action: string,
  send: (abortSignal: AbortSignal) => Promise<T>,
): Promise<RetryResult<T>> {
  return retry(
    () => {
      const remaining = ctx.timing.deadline - ctx.timing.now();
      return send(AbortSignal.timeout(Math.max(1, Math.min(remaining, ctx.requestTimeoutMs))));
    },
    awsRetryVerdict,
    ctx.timing,
    ctx.retryPolicy,
    ({ attempt, delayMs, error }) =>
      ctx.logger.warn({
        msg: 'retrying an AWS call',
        scanId: ctx.scanId,
        action,
        attempt,
        delayMs,
        cause: describeAwsError(error),
      }),
  );
}
