import { VigilError } from '@vigil/core';

/** Base of the errors the pipeline's use cases raise; `code` is stable for callers and logs. */
export class JobsError extends VigilError {}

/** An SQS message body that is not a scan message this version understands. Never retried into success. */
export class MalformedMessageError extends JobsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MALFORMED_MESSAGE', message, options);
  }
}

/**
 * The scan cannot succeed however often it is retried: the cluster was deleted or disabled, its source is
 * not usable in this deployment. The scanner records a failed run and lets the message go.
 */
export class PermanentScanError extends JobsError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Too little of the invocation was left to start a scan; the message comes back for a fresh invocation. */
export class InsufficientTimeError extends JobsError {
  constructor(message: string) {
    super('INSUFFICIENT_TIME', message);
  }
}

/** Some messages could not be put on the queue even after retries. */
export class QueueSendError extends JobsError {
  /** The messages that were not sent, with the reason SQS gave. */
  readonly failed: { clusterId: string; slot: string; reason: string }[];
  constructor(
    message: string,
    failed: { clusterId: string; slot: string; reason: string }[],
    options?: { cause?: unknown },
  ) {
    super('QUEUE_SEND_FAILED', message, options);
    this.failed = failed;
  }
}

/**
 * Every record of a batch failed. Thrown rather than returned so the invocation counts as an error in the
 * function's metrics (and alarms), as Powertools' batch processor does; the event source retries them all.
 */
export class FullBatchFailureError extends JobsError {
  readonly errors: unknown[];
  constructor(errors: unknown[]) {
    super('FULL_BATCH_FAILURE', `all ${errors.length} records of the batch failed`);
    this.errors = errors;
  }
}
