import type { Coverage } from '@vigil/core/snapshot';
import { excerpt } from '../redact.ts';
import type { FailureVerdict, RetryResult } from '../retry.ts';

/** How an AWS SDK error is handled: retried (throttling, server, network) or turned into coverage. */
export type AwsFailure =
  | 'throttled'
  | 'denied'
  | 'not_found'
  | 'invalid_request'
  | 'server'
  | 'network'
  | 'timeout'
  | 'other';

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'LimitExceededException',
]);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'NotAuthorizedException',
]);
const NOT_FOUND = new Set(['ResourceNotFoundException', 'NotFoundException', 'NoSuchEntity']);
const SERVER = new Set([
  'ServerException',
  'ServiceUnavailableException',
  'InternalFailure',
  'ServiceUnavailable',
  'InternalError',
  'KMSInternalException',
  'DependencyTimeoutException',
]);
const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

export function classifyAwsError(error: unknown): AwsFailure {
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLING.has(name) || status === 429) return 'throttled';
  if (DENIED.has(name) || status === 403) return 'denied';
  if (NOT_FOUND.has(name)) return 'not_found';
  if (name === 'InvalidRequestException' || name === 'InvalidParameterException') return 'invalid_request';
  if (name === 'AbortError' || name === 'TimeoutError') return 'timeout';
  if (SERVER.has(name) || (status !== undefined && status >= 500)) return 'server';
  if ((e.code && NETWORK.has(e.code)) || NETWORK.has(name)) return 'network';
  return 'other';
}

export function awsRetryVerdict(error: unknown): FailureVerdict {
  const failure = classifyAwsError(error);
  return {
    retry: failure === 'throttled' || failure === 'server' || failure === 'network' || failure === 'timeout',
  };
}

/** `Name: message`, redacted and short; AWS messages name principals and resources, never keys. */
export function describeAwsError(error: unknown): string {
  if (error === undefined) return 'the scan deadline had passed';
  const e = error as SdkError;
  const name = e.name && e.name !== 'Error' ? e.name : 'error';
  return excerpt(`${name}${e.message ? `: ${e.message}` : ''}`, [], 300);
}

/** Coverage for an AWS read that failed after retries. `action` is the IAM action, e.g. eks:ListAccessEntries. */
export function awsFailureCoverage(
  action: string,
  result: Extract<RetryResult<unknown>, { ok: false }>,
): Coverage {
  const tries = `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`;
  const cause = describeAwsError(result.error);
  if (result.stop === 'deadline')
    return { status: 'timed_out', reason: `scan deadline reached during ${action} (${cause})` };
  switch (classifyAwsError(result.error)) {
    case 'denied':
      return { status: 'forbidden', reason: `${action} was denied (${cause})` };
    case 'not_found':
      return { status: 'not_found', reason: `${action}: ${cause}` };
    case 'throttled':
      return { status: 'error', reason: `${action} was throttled on every try (${cause}, ${tries})` };
    case 'timeout':
      return { status: 'timed_out', reason: `${action} did not answer (${tries})` };
    default:
      return { status: 'error', reason: `${action} failed (${cause}, ${tries})` };
  }
}
