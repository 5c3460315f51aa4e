// The SQS plumbing a Lambda function needs (no local server here: see @vigil/jobs/local).

export type {
  InvocationContext,
  SqsBatchHandler,
  SqsBatchResponse,
  SqsEvent,
  SqsRecord,
} from './lambda-types.ts';
export { sqsNotifyNudge } from './notify-nudge.ts';
export { type ProcessBatchOptions, processBatch, type RecordHandler } from './process-batch.ts';
export {
  type OutgoingScan,
  type ScanQueue,
  type SendSummary,
  SQS_BATCH_LIMIT,
  SQS_MAX_DELAY_SECONDS,
  SqsScanQueue,
  type SqsScanQueueOptions,
} from './scan-queue.ts';
