import { SQSClient } from '@aws-sdk/client-sqs';
import { createApp, createJsonLogger } from '@vigil/api';
import { createSubscriptionService, SqsNotifyQueue } from '@vigil/jobs/notify';
import { createScanRequester } from '@vigil/jobs/scan-requester';
import { SqsScanQueue } from '@vigil/jobs/sqs';
import { systemResolver } from '@vigil/notify';
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { apiConfig } from './config.ts';
import { notifyAdapters } from './notify-runtime.ts';
import { functionLogger, lazy, openFunctionDatabase } from './runtime.ts';

// The API function: the Hono app behind API Gateway (HTTP API). On-demand scans go through the scan queue.

const lambda = lazy(async () => {
  const config = apiConfig();
  const db = await openFunctionDatabase(config.database);
  const queue = new SqsScanQueue({ client: new SQSClient({}), queueUrl: config.scanQueueUrl });
  const logger = functionLogger('api');
  const notifications = config.notify
    ? (() => {
        const { encryptor, http, policy } = notifyAdapters(config.notify);
        return createSubscriptionService({
          db,
          encryptor,
          http,
          policy,
          resolver: systemResolver(),
          queue: new SqsNotifyQueue({ client: new SQSClient({}), queueUrl: config.notify.notifyQueueUrl }),
          logger,
        });
      })()
    : undefined;
  const app = createApp({
    db,
    scans: createScanRequester({ db, queue, logger }),
    ...(notifications ? { notifications } : {}),
    config: config.api,
    logger: createJsonLogger((line) => process.stdout.write(line)),
  });
  return handle(app);
});

export async function handler(event: LambdaEvent, context: LambdaContext) {
  return (await lambda())(event, context);
}
