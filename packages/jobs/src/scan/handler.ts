import { failRun } from '@vigil/db';
import { parseScanMessage } from '../messages/scan-message.ts';
import type { SqsBatchHandler } from '../sqs/lambda-types.ts';
import { processBatch, type RecordHandler } from '../sqs/process-batch.ts';
import { classifyScanError, describeScanError } from './classify.ts';
import { nudgeNotifier, type ScanDeps, scanCluster } from './scan-cluster.ts';

export interface ScanHandlerDeps extends ScanDeps {
  /**
   * The queue's maxReceiveCount. On that delivery a transient failure is recorded as the run's failure
   * (the message then goes, so the run never stays `running`); the dead-letter queue keeps only messages
   * whose outcome could not be recorded at all (malformed ones, or a database that stayed down).
   */
  maxReceiveCount: number;
  /** Records scanned at once within one batch (default: the whole batch). */
  concurrency?: number;
}

/**
 * The per-record half of the scan function: validate the message, scan, and decide what a failure means.
 * Permanent failures (cluster deleted or disabled, unusable source, refused credentials) fail the run and
 * succeed the record, so SQS does not retry them; transient ones fail the record and come back.
 */
export function createScanRecordHandler(deps: ScanHandlerDeps): RecordHandler {
  const now = deps.now ?? (() => new Date());
  return async (record, context) => {
    const deadlineAt = Date.now() + context.getRemainingTimeInMillis();
    const attempt = Number(record.attributes?.ApproximateReceiveCount) || 1;
    const base = { messageId: record.messageId, attempt, requestId: context.awsRequestId };
    let message: ReturnType<typeof parseScanMessage>;
    try {
      message = parseScanMessage(record.body);
    } catch (error) {
      // Nothing in it can be trusted to name a run: fail the record until it lands in the DLQ.
      deps.logger.error({ msg: 'malformed scan message', ...base, error });
      throw error;
    }
    const ids = { ...base, clusterId: message.clusterId, slot: message.slot, trigger: message.trigger };
    try {
      const outcome = await scanCluster(deps, message, { deadlineAt, attempt });
      if (outcome.kind === 'already-final') {
        deps.logger.info({ msg: 'run already final; nothing to do', ...ids, ...outcome });
      }
    } catch (error) {
      const kind = classifyScanError(error);
      const lastAttempt = attempt >= deps.maxReceiveCount;
      if (kind === 'transient' && !lastAttempt) {
        deps.logger.warn({ msg: 'scan failed; the message will be retried', ...ids, error });
        throw error;
      }
      const reason =
        kind === 'transient'
          ? `gave up after ${attempt} deliveries: ${describeScanError(error)}`
          : describeScanError(error);
      try {
        const failed = await failRun(deps.db, {
          clusterId: message.clusterId,
          slot: message.slot,
          trigger: message.trigger,
          reason,
          at: now(),
        });
        if (failed.failed) await nudgeNotifier(deps, failed.run.id);
        deps.logger.warn({
          msg: failed.failed ? 'scan failed; run recorded as failed' : 'scan failed; run was already final',
          ...ids,
          runId: failed.run.id,
          reason,
        });
      } catch (recordError) {
        // A cluster that never existed has no run to fail: drop the message, there is nothing to retry.
        if ((recordError as { code?: unknown })?.code === 'NOT_FOUND') {
          deps.logger.warn({ msg: 'scan message for an unknown cluster dropped', ...ids, reason });
          return;
        }
        deps.logger.error({ msg: 'could not record the failed run', ...ids, reason, error: recordError });
        throw recordError;
      }
    }
  };
}

/**
 * The scan function's handler: `processBatch` over the record handler, with ReportBatchItemFailures
 * semantics. The same function runs under Lambda and under the local stack's poller.
 */
export function createScanHandler(deps: ScanHandlerDeps): SqsBatchHandler {
  const scanOne = createScanRecordHandler(deps);
  return (event, context) =>
    processBatch(event, scanOne, {
      context,
      ...(deps.concurrency ? { concurrency: deps.concurrency } : {}),
    });
}
