import { handleNotifyRecord } from '@vigil/jobs/notify';
import { type InvocationContext, processBatch, type RecordHandler, type SqsEvent } from '@vigil/jobs/sqs';
import { notifyDeps } from './notify-runtime.ts';

// The notify function: SQS batches from the notify queue (ReportBatchItemFailures on), one delivery attempt
// (or one fan-out) per record.

const deps = notifyDeps('notify');

const notifyOne: RecordHandler = async (record, context) => handleNotifyRecord(await deps(), record, context);

export const handler = (event: SqsEvent, context: InvocationContext) =>
  processBatch(event, notifyOne, { context });
