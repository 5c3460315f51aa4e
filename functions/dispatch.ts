import { SQSClient } from '@aws-sdk/client-sqs';
import { dispatchDueScans } from '@vigil/jobs/dispatch';
import { QueueSendError } from '@vigil/jobs/errors';
import { SqsScanQueue } from '@vigil/jobs/sqs';
import { z } from 'zod';
import { dispatchConfig } from './config.ts';
import { functionLogger, lazy, openFunctionDatabase } from './runtime.ts';

// The dispatch function: invoked by EventBridge Scheduler (infra/scheduler.ts), it sends one scan message
// per due cluster. Failing when messages could not be sent lets the scheduler's retry policy run it again;
// clusters already sent for are then sent for again, which the scanner's (cluster, slot) key absorbs.

const eventSchema = z.looseObject({
  /** Overrides the configured spread for one run (e.g. a manual invocation after an outage). */
  spreadSeconds: z.number().int().min(0).max(900).optional(),
});

const logger = functionLogger('dispatch');

const deps = lazy(async () => {
  const config = dispatchConfig();
  const db = await openFunctionDatabase(config.database);
  const queue = new SqsScanQueue({ client: new SQSClient({}), queueUrl: config.scanQueueUrl });
  return { db, queue, spreadSeconds: config.spreadSeconds };
});

export async function handler(event: unknown) {
  const input = eventSchema.safeParse(event ?? {});
  if (!input.success) throw new TypeError(`not a dispatch event: ${input.error.issues[0]?.message}`);
  const { db, queue, spreadSeconds } = await deps();
  const result = await dispatchDueScans(
    { db, queue, logger },
    { spreadSeconds: input.data.spreadSeconds ?? spreadSeconds },
  );
  if (result.failed.length > 0) {
    throw new QueueSendError(`${result.failed.length} scan messages could not be sent`, result.failed);
  }
  return {
    at: result.at,
    considered: result.considered,
    due: result.due,
    sent: result.sent,
    batchCalls: result.batchCalls,
  };
}
