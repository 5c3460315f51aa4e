import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { deleteCluster, getRun, listRuns } from '@vigil/db';
import { createTestCluster, TEST_ENGINES, useTestDatabase } from '@vigil/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueSendError } from './errors.ts';
import { memoryLogger, silentLogger } from './logger.ts';
import { parseScanMessage } from './messages/scan-message.ts';
import { createScanRequester } from './scan-requester.ts';
import { type LocalSqs, startLocalSqs } from './sqs/local-sqs.ts';
import { type ScanQueue, SqsScanQueue } from './sqs/scan-queue.ts';

describe.each(TEST_ENGINES)('createScanRequester on %s', (engine) => {
  const db = useTestDatabase(engine);
  let sqs: LocalSqs;
  let queueUrl: string;

  beforeAll(async () => {
    sqs = await startLocalSqs([{ name: 'scan', visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }]);
    queueUrl = sqs.queues.scan!.url;
  });
  afterAll(async () => {
    await sqs.close();
  });

  it('queues a run for a fresh manual slot and sends its message through the scan queue', async () => {
    const cluster = await createTestCluster(db());
    let n = 0;
    const requester = createScanRequester({
      db: db(),
      queue: new SqsScanQueue({ client: sqs.client, queueUrl }),
      logger: silentLogger,
      newId: () => `id-${++n}`,
    });
    const first = await requester.requestScan({ clusterId: cluster.id, requestedBy: 'key:ops' });
    const second = await requester.requestScan({ clusterId: cluster.id, requestedBy: 'key:ops' });
    expect(first.slot).toBe('manual:id-1');
    expect(second.slot).toBe('manual:id-2');
    expect(second.runId).not.toBe(first.runId);
    expect(await getRun(db(), first.runId)).toMatchObject({
      status: 'queued',
      trigger: 'manual',
      slot: 'manual:id-1',
    });
    const received = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(
      received.Messages?.map((m) => parseScanMessage(m.Body!)).sort((a, b) => a.slot.localeCompare(b.slot)),
    ).toEqual([
      { v: 1, clusterId: cluster.id, slot: 'manual:id-1', trigger: 'manual' },
      { v: 1, clusterId: cluster.id, slot: 'manual:id-2', trigger: 'manual' },
    ]);
  });

  it('refuses a deleted cluster with the store NotFoundError and sends nothing', async () => {
    const cluster = await createTestCluster(db());
    await deleteCluster(db(), cluster.id);
    const sent: unknown[] = [];
    const queue: ScanQueue = {
      send: async (scans) => {
        sent.push(...scans);
        return { sent: scans.length, batchCalls: 1, retried: 0, failed: [] };
      },
    };
    const requester = createScanRequester({ db: db(), queue, logger: silentLogger });
    await expect(
      requester.requestScan({ clusterId: cluster.id, requestedBy: 'key:ops' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(sent).toEqual([]);
  });

  it('fails the run at once when the message cannot be sent, so it never waits queued for nothing', async () => {
    const cluster = await createTestCluster(db());
    const queue: ScanQueue = {
      send: async (scans) => ({
        sent: 0,
        batchCalls: 4,
        retried: 3,
        failed: scans.map((s) => ({ ...s.message, reason: 'ServiceUnavailable: try later' })),
      }),
    };
    const logger = memoryLogger();
    const requester = createScanRequester({ db: db(), queue, logger });
    await expect(
      requester.requestScan({ clusterId: cluster.id, requestedBy: 'key:ops' }),
    ).rejects.toBeInstanceOf(QueueSendError);
    const runs = await listRuns(db(), { clusterIds: [cluster.id] });
    expect(runs.items).toHaveLength(1);
    expect(runs.items[0]).toMatchObject({
      status: 'failed',
      error: 'the scan could not be queued: ServiceUnavailable: try later',
    });
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'manual scan not queued' }),
    );
  });
});
