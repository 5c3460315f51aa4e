// A scan worker in its own process, for the test that kills one mid-scan (kill -9, as when a Lambda
// sandbox is torn down): it polls the queue named on the command line with the real scan handler until it
// is killed. Arguments: DATABASE_URL SQS_ENDPOINT QUEUE_URL.
import { closeDatabase, openDatabase } from '@vigil/db';
import { createJsonLogger, createScanHandler, EventSourcePoller, sqsClientFor } from '@vigil/jobs';

const [databaseUrl, endpoint, queueUrl] = process.argv.slice(2);
if (!databaseUrl || !endpoint || !queueUrl)
  throw new Error('usage: crash-worker DATABASE_URL SQS_ENDPOINT QUEUE_URL');

const db = await openDatabase({ url: databaseUrl, poolSize: 2 });
const logger = createJsonLogger((line) => process.stdout.write(line));
const poller = new EventSourcePoller({
  client: sqsClientFor(endpoint),
  queueUrl,
  waitTimeSeconds: 0,
  functionTimeoutMs: 60_000,
  handler: createScanHandler({
    db,
    logger,
    sources: { snapshotRoots: [], allowKubeconfig: true },
    maxReceiveCount: 5,
    reserveMs: 500,
    minCollectMs: 100,
  }),
});
await poller.start();
process.stdout.write('{"msg":"worker ready"}\n');
process.on('SIGTERM', () => {
  void poller.stop().then(() => closeDatabase(db));
});
