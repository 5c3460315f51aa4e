import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, getDelivery, insertOutboxEvents, listDeliveries } from '@vigil/db';
import { createTestCluster, openTestDatabase, type TestDatabase } from '@vigil/db/testing';
import {
  createHttpClient,
  type HttpClient,
  openLocalEncryptor,
  parseAllowCidrs,
  systemResolver,
} from '@vigil/notify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GenericReceiver, startGenericReceiver } from '../../../../test/notify/receivers.ts';
import { insertScanFailedDelivery, memoryQueue } from '../../../../test/notify/support.ts';
import { FullBatchFailureError } from '../errors.ts';
import { memoryLogger } from '../logger.ts';
import type { InvocationContext, SqsRecord } from '../sqs/lambda-types.ts';
import type { NotifyDeps } from './deps.ts';
import { createNotifyHandler } from './handler.ts';
import { createSubscriptionService } from './subscriptions.ts';

function record(id: string, body: string): SqsRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:vigil-notify',
    awsRegion: 'us-east-1',
  };
}

const context = (remainingMs: number): InvocationContext => ({
  getRemainingTimeInMillis: () => remainingMs,
  awsRequestId: 'req-1',
});

describe('the notify handler', () => {
  let database: TestDatabase;
  let db: Database;
  let http: HttpClient;
  let receiver: GenericReceiver;
  let keyDir: string;
  let deps: NotifyDeps;
  let queue: ReturnType<typeof memoryQueue>;

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    db = database.db;
    keyDir = await mkdtemp(join(tmpdir(), 'vigil-handler-'));
    const encryptor = await openLocalEncryptor(join(keyDir, 'secrets.key'));
    const policy = parseAllowCidrs('127.0.0.0/8');
    http = createHttpClient({ policy });
    receiver = await startGenericReceiver();
    queue = memoryQueue();
    deps = { db, queue, encryptor, http, logger: memoryLogger() };
    const service = createSubscriptionService({ db, encryptor, http, policy, resolver: systemResolver() });
    await service.create({
      name: 'hooks',
      format: 'generic',
      url: `${receiver.url}/in`,
      eventTypes: ['scan.failed'],
    });
  });
  afterAll(async () => {
    http?.close();
    await receiver?.close();
    await database?.dispose();
    await rm(keyDir, { recursive: true, force: true });
  });

  async function subscription() {
    const [row] = await db
      .execute<{ id: string; host: string }>('select id, host from notification_subscriptions limit 1')
      .then((r) => (r as unknown as { rows: { id: string; host: string }[] }).rows);
    return row!;
  }

  it('delivers, reports only the malformed message as failed, and ignores messages for finished deliveries', async () => {
    const sub = await subscription();
    const id = await insertScanFailedDelivery(db, sub, { at: new Date() });
    const handler = createNotifyHandler(deps);
    const response = await handler(
      {
        Records: [
          record('m1', JSON.stringify({ v: 1, kind: 'deliver', deliveryId: id })),
          record('m2', '{"v":1,"kind":"deliver","deliveryId":"not-a-uuid"}'),
          record('m3', JSON.stringify({ v: 1, kind: 'deliver', deliveryId: crypto.randomUUID() })),
        ],
      },
      context(60_000),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(await getDelivery(db, id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    // The same message again (SQS delivers at least once) changes nothing and sends nothing.
    const before = receiver.received.length;
    const again = await handler(
      { Records: [record('m4', JSON.stringify({ v: 1, kind: 'deliver', deliveryId: id }))] },
      context(60_000),
    );
    expect(again).toEqual({ batchItemFailures: [] });
    expect(receiver.received.length).toBe(before);
    expect(await getDelivery(db, id)).toMatchObject({ attempts: 1 });
  });

  it('leaves a delivery for a fresh invocation when too little time is left for an attempt', async () => {
    const sub = await subscription();
    const id = await insertScanFailedDelivery(db, sub, { at: new Date() });
    const handler = createNotifyHandler(deps);
    const message = JSON.stringify({ v: 1, kind: 'deliver', deliveryId: id });
    await expect(handler({ Records: [record('m1', message)] }, context(5_000))).rejects.toBeInstanceOf(
      FullBatchFailureError,
    );
    expect(await getDelivery(db, id)).toMatchObject({ status: 'pending', attempts: 0, leasedUntil: null });
  });

  it('fans the outbox out on a fanout message and queues the new deliveries', async () => {
    const cluster = await createTestCluster(db);
    await insertOutboxEvents(db, [
      {
        type: 'scan.failed',
        clusterId: cluster.id,
        runId: null,
        dedupeKey: `fanout-${cluster.id}`,
        payload: {
          clusterId: cluster.id,
          clusterName: cluster.name,
          runId: crypto.randomUUID(),
          slot: 's',
          trigger: 'manual',
          attempts: 1,
          reason: 'x',
        },
      },
    ]);
    queue.sent.length = 0;
    const response = await createNotifyHandler(deps)(
      { Records: [record('f1', '{"v":1,"kind":"fanout"}')] },
      context(60_000),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    const sub = await subscription();
    const created = (await listDeliveries(db, { subscriptionId: sub.id, limit: 500 })).items.filter(
      (d) => (d.payload as { clusterId?: string }).clusterId === cluster.id,
    );
    expect(created).toHaveLength(1);
    // The host's free slots go to its due deliveries: the new one, and the one left by the previous test.
    expect(queue.sent.map((m) => JSON.parse(m.body))).toContainEqual({
      v: 1,
      kind: 'deliver',
      deliveryId: created[0]!.id,
    });
    expect(queue.sent.every((m) => m.delaySeconds === 0)).toBe(true);
  });
});
