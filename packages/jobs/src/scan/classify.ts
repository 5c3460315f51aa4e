import { MalformedMessageError, PermanentScanError } from '../errors.ts';

/**
 * Error codes after which retrying the same scan cannot help: the source is wrong, the credentials or the
 * trust relationship are refused, the endpoint is not a Kubernetes API, the cluster or its record is gone,
 * the stored input is malformed. Everything else (network, throttling to the end, the deadline, the
 * database, bugs) is worth another delivery.
 */
const PERMANENT_CODES = new Set([
  // @vigil/collect
  'INVALID_SOURCE',
  'CLUSTER_AUTH_FAILED',
  'ASSUME_ROLE_FAILED',
  'INVALID_RESPONSE',
  'EKS_ACCESS_DENIED',
  'EKS_CLUSTER_NOT_FOUND',
  // @vigil/core (malformed snapshot files) and @vigil/db (refused input, missing cluster)
  'INVALID_INPUT',
  'NOT_FOUND',
]);

export type ErrorKind = 'permanent' | 'transient';

/** Whether a failed scan should be recorded as failed now, or its message retried. */
export function classifyScanError(error: unknown): ErrorKind {
  if (error instanceof PermanentScanError) return 'permanent';
  if (error instanceof MalformedMessageError) return 'permanent';
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && PERMANENT_CODES.has(code) ? 'permanent' : 'transient';
}

/**
 * The reason stored on a failed run: the error's code and message, on one line and bounded. Messages of
 * Vigil's own errors never carry credentials; foreign errors (drivers, the SDK) are named by class only
 * beyond their first line.
 */
export function describeScanError(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error as { code?: unknown }).code;
  const firstLine = error.message.split('\n')[0]?.trim() ?? '';
  const label = typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : error.name;
  return `${label}: ${firstLine}`.slice(0, 1000);
}
