// @vigil/jobs: the pipeline's use cases (dispatch due scans, scan one cluster, request an on-demand scan),
// the SQS plumbing they share with the Lambda functions, and the local stack that runs them in one process.

export {
  type DispatchDeps,
  type DispatchOptions,
  type DispatchResult,
  dispatchDueScans,
  requeueUnfinishedRuns,
  spreadDelay,
} from './dispatch/dispatch.ts';
export * from './errors.ts';
export {
  type LocalPipeline,
  type LocalPipelineOptions,
  NOTIFY_QUEUE,
  SCAN_QUEUE,
  startLocalPipeline,
} from './local/pipeline.ts';
export { createJsonLogger, type Logger, memoryLogger, silentLogger } from './logger.ts';
export {
  encodeScanMessage,
  MAX_SCAN_MESSAGE_BYTES,
  manualSlot,
  parseScanMessage,
  type ScanMessage,
  scanMessageSchema,
} from './messages/scan-message.ts';
export * from './notify/index.ts';
export {
  DEFAULT_RETENTION_DAYS,
  type LocalRetention,
  MIN_RETENTION_DAYS,
  type PruneResult,
  pruneHistory,
  RetentionSettingError,
  startLocalRetention,
} from './retention/index.ts';
export * from './scan/index.ts';
export { createScanRequester, type ScanRequester, type ScanRequesterDeps } from './scan-requester.ts';
export { EventSourcePoller, type PollerOptions } from './sqs/event-source-poller.ts';
export type {
  InvocationContext,
  SqsBatchHandler,
  SqsBatchResponse,
  SqsEvent,
  SqsRecord,
} from './sqs/lambda-types.ts';
export { type LocalSqs, type QueueSpec, sqsClientFor, startLocalSqs } from './sqs/local-sqs.ts';
export { sqsNotifyNudge } from './sqs/notify-nudge.ts';
export { type ProcessBatchOptions, processBatch, type RecordHandler } from './sqs/process-batch.ts';
export {
  type OutgoingScan,
  type ScanQueue,
  type SendSummary,
  SQS_BATCH_LIMIT,
  SQS_MAX_DELAY_SECONDS,
  SqsScanQueue,
  type SqsScanQueueOptions,
} from './sqs/scan-queue.ts';
