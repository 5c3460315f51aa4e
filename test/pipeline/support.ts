import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { buildSnapshotFromFiles, CHECKS, runAudit } from '@vigil/core';
import {
  type Cluster,
  createCluster,
  type Database,
  exceptionsForCluster,
  listRunFindings,
  type NewCluster,
} from '@vigil/db';
import {
  createScanHandler,
  EventSourcePoller,
  encodeScanMessage,
  type LocalSqs,
  memoryLogger,
  type ScanHandlerDeps,
  type ScanMessage,
  type SqsBatchHandler,
  startLocalSqs,
} from '@vigil/jobs';
import type { FakeKube } from '../fake-kube/server.ts';

/** The bundled demo fleet: real manifests, scanned as `snapshot` sources. */
export const DEMO_DIR = fileURLToPath(new URL('../../demo/clusters/', import.meta.url));
export const QUEUE = 'scan';

let counter = 0;

/**
 * One pipeline under test: the local SQS server (real wire protocol, DLQ with redrive), the scan handler the
 * Lambda function exports, and pollers standing in for the event source mapping. Short visibility timeout
 * and maxReceiveCount so redelivery and the DLQ can be watched within a test.
 */
export async function startHarness(db: Database, options: { maxReceiveCount?: number } = {}) {
  const maxReceiveCount = options.maxReceiveCount ?? 3;
  const sqs: LocalSqs = await startLocalSqs([{ name: QUEUE, visibilityTimeoutSeconds: 1, maxReceiveCount }]);
  const { url: queueUrl, dlqUrl } = sqs.queues[QUEUE]!;
  const tmp = await mkdtemp(join(tmpdir(), 'vigil-pipeline-'));
  const logger = memoryLogger();

  const deps = (overrides: Partial<ScanHandlerDeps> = {}): ScanHandlerDeps => ({
    db,
    logger,
    sources: { snapshotRoots: [DEMO_DIR], allowKubeconfig: true },
    maxReceiveCount,
    reserveMs: 500,
    minCollectMs: 100,
    collect: { retry: { maxAttempts: 2, baseMs: 1, capMs: 5 }, requestTimeoutMs: 5_000 },
    ...overrides,
  });

  const harness = {
    db,
    sqs,
    queueUrl,
    dlqUrl,
    logger,
    maxReceiveCount,
    deps,
    handler: (overrides: Partial<ScanHandlerDeps> = {}): SqsBatchHandler =>
      createScanHandler(deps(overrides)),
    poller(handler: SqsBatchHandler, options: { batchSize?: number; functionTimeoutMs?: number } = {}) {
      return new EventSourcePoller({
        client: sqs.client,
        queueUrl,
        handler,
        batchSize: options.batchSize ?? 10,
        functionTimeoutMs: options.functionTimeoutMs ?? 60_000,
        waitTimeSeconds: 0,
      });
    },
    async sendRaw(bodies: string[]): Promise<void> {
      for (let i = 0; i < bodies.length; i += 10) {
        await sqs.client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
          }),
        );
      }
    },
    send(messages: Omit<ScanMessage, 'v'>[]): Promise<void> {
      return harness.sendRaw(messages.map((m) => encodeScanMessage(m)));
    },
    /** Messages on a queue, visible or in flight (the local server counts both in this attribute). */
    /**
     * Messages on the queue, delayed ones included: the local server holds a message just sent as delayed
     * until its next timer tick (even with no delay), and a depth read in that instant must not say 0.
     */
    async depth(url: string): Promise<number> {
      const attributes = await sqs.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      return (
        Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(attributes.Attributes?.ApproximateNumberOfMessagesDelayed ?? 0)
      );
    },
    /** Takes every message off the dead-letter queue and returns the bodies. */
    async deadLetters(): Promise<string[]> {
      const bodies: string[] = [];
      for (;;) {
        const received = await sqs.client.send(
          new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
        );
        if (!received.Messages?.length) return bodies;
        for (const message of received.Messages) {
          bodies.push(message.Body!);
          await sqs.client.send(
            new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle! }),
          );
        }
      }
    },
    /** Polls (waiting out visibility timeouts) until the queue is empty. */
    async pollUntilEmpty(poller: EventSourcePoller, timeoutMs = 20_000): Promise<void> {
      const end = Date.now() + timeoutMs;
      while ((await harness.depth(queueUrl)) > 0) {
        if (Date.now() > end) throw new Error('the queue did not drain in time');
        if ((await poller.pollOnce()) === 0) await sleep(100);
      }
    },
    /** A cluster read from a demo directory. */
    demoCluster(name: 'prod-eu' | 'prod-us' | 'staging-onprem', overrides: Partial<NewCluster> = {}) {
      return createCluster(db, {
        name: `${name}-${process.pid}-${++counter}`,
        source: { type: 'snapshot', path: join(DEMO_DIR, name) },
        scheduleIntervalSeconds: 86_400,
        ...overrides,
      });
    },
    /** A cluster read live through a kubeconfig file pointing at `fake` (or at `server`). */
    async kubeCluster(
      fake: FakeKube | null,
      options: { server?: string; overrides?: Partial<NewCluster> } = {},
    ) {
      const path = join(tmp, `kubeconfig-${++counter}.yaml`);
      const text =
        fake?.kubeconfig(options.server ? { server: options.server } : {}) ??
        unreachableKubeconfig(options.server!);
      await writeFile(path, text);
      return createCluster(db, {
        name: `kube-${process.pid}-${counter}`,
        source: { type: 'kubeconfig', context: fake ? 'fake' : 'nowhere', kubeconfigPath: path },
        scheduleIntervalSeconds: 86_400,
        ...options.overrides,
      });
    },
    async close() {
      await sqs.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
  return harness;
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

function unreachableKubeconfig(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: nowhere, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]`,
    'users: [{name: nowhere, user: {token: not-a-real-token}}]',
    'contexts: [{name: nowhere, context: {cluster: nowhere, user: nowhere}}]',
    'current-context: nowhere',
    '',
  ].join('\n');
}

/** Every finding fingerprint a run stored, failing and suppressed. */
export async function storedFingerprints(db: Database, runId: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listRunFindings(db, runId, { limit: 500, ...(cursor ? { cursor } : {}) });
    out.push(...page.items.map((f) => f.fingerprint));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** What one clean audit of a demo cluster finds, computed without the pipeline, for comparison. */
export async function referenceFingerprints(db: Database, cluster: Cluster): Promise<string[]> {
  if (cluster.source.type !== 'snapshot') throw new Error('only demo clusters have a reference');
  const dir = cluster.source.path;
  let eks: { name: string; text: string } | undefined;
  try {
    eks = { name: 'eks.json', text: readFileSync(join(dir, 'eks.json'), 'utf8') };
  } catch {
    eks = undefined;
  }
  const snapshot = buildSnapshotFromFiles({
    manifests: [{ name: 'manifests.yaml', text: readFileSync(join(dir, 'manifests.yaml'), 'utf8') }],
    ...(eks ? { eks } : {}),
    clusterName: cluster.name,
  });
  const now = new Date();
  const report = runAudit({
    snapshot,
    checks: CHECKS,
    options: { now: now.toISOString(), trustedAccountIds: [] },
    exceptions: await exceptionsForCluster(db, cluster.id, now),
  });
  return report.findings.map((f) => f.fingerprint);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
