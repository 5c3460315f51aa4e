/**
 * Dispatch for a large fleet through the local SQS server: N scheduled clusters in the database, one
 * dispatcher run, then the queue drained and every message checked. Reports the dispatcher's wall time,
 * its SendMessageBatch calls and the duplicates found (there must be none).
 *
 *   node bench/pipeline/dispatch.ts [--clusters 10000] [--engine postgres|pglite]
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { closeDatabase, type Database, migrate, openDatabase, schema } from '@vigil/db';
import {
  dispatchDueScans,
  parseScanMessage,
  type SendSummary,
  SqsScanQueue,
  silentLogger,
  startLocalSqs,
} from '@vigil/jobs';
import { formatMs, machine, markdownTable } from '../lib/stats.ts';
import { benchDatabase, numberOption, stringOption } from './support.ts';

const NOW = new Date('2026-03-05T10:30:00.000Z');

async function seed(db: Database, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({
      name: `cluster-${String(i + j).padStart(5, '0')}`,
      source: {
        type: 'eks' as const,
        arn: `arn:aws:eks:eu-west-1:111122223333:cluster/c${i + j}`,
        region: 'eu-west-1',
      },
      labels: { team: `team-${(i + j) % 40}` },
      scheduleIntervalSeconds: (i + j) % 10 === 0 ? 3_600 : 86_400,
    }));
    await db.insert(schema.clusters).values(rows);
  }
}

export async function main(argv: string[] = []) {
  const clusters = numberOption(argv, 'clusters', 10_000);
  const engine = stringOption(argv, 'engine', ['postgres', 'pglite'] as const, 'postgres');
  let db: Database;
  let drop: () => Promise<void>;
  if (engine === 'postgres') {
    ({ db, drop } = await benchDatabase());
  } else {
    db = await openDatabase({ dataDir: 'memory://' });
    await migrate(db);
    drop = () => closeDatabase(db);
  }
  const sqs = await startLocalSqs([{ name: 'scan', visibilityTimeoutSeconds: 1800, maxReceiveCount: 5 }]);
  try {
    await seed(db, clusters);
    const queueUrl = sqs.queues.scan!.url;
    const queue = new SqsScanQueue({ client: sqs.client, queueUrl });
    const started = performance.now();
    const result = await dispatchDueScans(
      { db, queue, logger: silentLogger, now: () => NOW },
      { spreadSeconds: 0 },
    );
    const dispatchMs = performance.now() - started;

    // Drain and check: every due cluster exactly once, for the slot its schedule puts NOW in.
    const seen = new Map<string, number>();
    let received = 0;
    for (;;) {
      const batch = await sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
      );
      if (!batch.Messages?.length) {
        // An empty answer is not proof of an empty queue under load: ask for the count before stopping.
        const attributes = await sqs.client.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        );
        if (Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) === 0) break;
        continue;
      }
      for (const message of batch.Messages) {
        const scan = parseScanMessage(message.Body!);
        const key = `${scan.clusterId} ${scan.slot}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        received++;
      }
      await sqs.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    const duplicates = received - seen.size;
    const summary: SendSummary & { due: number } = result;
    if (summary.failed.length > 0 || duplicates > 0 || seen.size !== clusters) {
      throw new Error(
        `dispatch check failed: ${summary.failed.length} unsent, ${duplicates} duplicates, ${seen.size}/${clusters} clusters`,
      );
    }
    const m = machine();
    return {
      clusters,
      dispatchMs,
      batchCalls: result.batchCalls,
      received,
      duplicates,
      markdown: [
        markdownTable(
          ['engine', 'clusters', 'dispatch time', 'SendMessageBatch calls', 'messages drained', 'duplicates'],
          [
            [
              engine,
              String(clusters),
              formatMs(dispatchMs),
              String(result.batchCalls),
              String(received),
              String(duplicates),
            ],
          ],
        ),
        '',
        `Machine: ${m.cpus} × ${m.cpuModel}, Node ${m.node}, load ${m.loadAverage}. One dispatcher run, spread 0,`,
        'messages sent to the local SQS server over its wire protocol with the real SQS client; the queue is then',
        'drained and every (cluster, slot) counted.',
      ].join('\n'),
    };
  } finally {
    await sqs.close();
    await drop();
  }
}

if (import.meta.main) {
  const result = await main(process.argv.slice(2));
  process.stdout.write(`${result.markdown}\n`);
}
