import { settings } from './settings.ts';

/**
 * Visibility must outlast the consumer many times over: a message becomes visible again only after it, so
 * a crashed or timed-out scan is retried once it has passed. AWS recommends at least six times the
 * function's timeout when the event source mapping batches.
 */
export const SCAN_VISIBILITY_SECONDS = 6 * settings.scan.timeoutSeconds;
export const NOTIFY_TIMEOUT_SECONDS = 60;
export const NOTIFY_VISIBILITY_SECONDS = 6 * NOTIFY_TIMEOUT_SECONDS;
export const NOTIFY_MAX_RECEIVE_COUNT = 8;

export const scanDeadLetterQueue = new sst.aws.Queue('ScanDeadLetterQueue');
export const scanQueue = new sst.aws.Queue('ScanQueue', {
  visibilityTimeout: `${SCAN_VISIBILITY_SECONDS} seconds`,
  dlq: { queue: scanDeadLetterQueue.arn, retry: settings.scan.maxReceiveCount },
});

export const notifyDeadLetterQueue = new sst.aws.Queue('NotifyDeadLetterQueue');
export const notifyQueue = new sst.aws.Queue('NotifyQueue', {
  visibilityTimeout: `${NOTIFY_VISIBILITY_SECONDS} seconds`,
  dlq: { queue: notifyDeadLetterQueue.arn, retry: NOTIFY_MAX_RECEIVE_COUNT },
});
