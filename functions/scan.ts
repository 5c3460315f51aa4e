import { SQSClient } from '@aws-sdk/client-sqs';
import { createScanRecordHandler } from '@vigil/jobs/scan';
import {
  type InvocationContext,
  processBatch,
  type RecordHandler,
  type SqsEvent,
  sqsNotifyNudge,
} from '@vigil/jobs/sqs';
import { scanConfig } from './config.ts';
import { functionLogger, lazy, openFunctionDatabase } from './runtime.ts';

// The scan function: SQS batches from the scan queue (ReportBatchItemFailures on), one scan per record.

const scanner = lazy(async () => {
  const config = scanConfig();
  const db = await openFunctionDatabase(config.database);
  return createScanRecordHandler({
    db,
    logger: functionLogger('scan'),
    // In AWS the scanner reads clusters through their EKS API only: no kubeconfig, no files.
    sources: { snapshotRoots: [], allowKubeconfig: false },
    maxReceiveCount: config.maxReceiveCount,
    reserveMs: config.reserveMs,
    trustedAccountIds: config.trustedAccountIds,
    saveSnapshots: config.saveSnapshots,
    ...(config.notifyQueueUrl
      ? { nudgeNotifications: sqsNotifyNudge({ client: new SQSClient({}), queueUrl: config.notifyQueueUrl }) }
      : {}),
  });
});

const scanOne: RecordHandler = async (record, context) => (await scanner())(record, context);

export const handler = (event: SqsEvent, context: InvocationContext) =>
  processBatch(event, scanOne, { context });
