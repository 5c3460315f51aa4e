import { recordScan } from '@vigil/db';
import { createTestCluster, makeCompliance, makeReport } from '@vigil/db/testing';
import { startLocalNotifier } from '@vigil/jobs';
import { complianceDigestDataSchema } from '@vigil/notify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NotifyHarness, startNotifyHarness } from './harness.ts';
import { type GenericReceiver, startGenericReceiver } from './receivers.ts';

// The local stack's daily digest: the notifier's timer builds each subscription's digest once the digest
// hour has come, once per UTC day (also across restarts, which the database's day key guarantees), and the
// sweep sends it like any other delivery.
describe('daily compliance digest in the local notifier', () => {
  let h: NotifyHarness;
  let receiver: GenericReceiver;
  let secret: string;

  beforeAll(async () => {
    h = await startNotifyHarness();
    receiver = await startGenericReceiver();
    const cluster = await createTestCluster(h.db, { labels: { env: 'prod' } });
    await recordScan(h.db, {
      clusterId: cluster.id,
      slot: 'digest-test',
      trigger: 'manual',
      report: makeReport({ compliance: makeCompliance({ '4.1.1': 'fail', '4.1.2': 'pass' }) }),
      startedAt: new Date(),
      finishedAt: new Date(),
    });
    const created = await h.service.create({
      name: 'compliance',
      format: 'generic',
      url: `${receiver.url}/digest`,
      eventTypes: ['compliance.digest'],
    });
    secret = created.signingSecret!;
  });

  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  const notifier = (digestHourUtc: number | null, now?: () => Date) =>
    startLocalNotifier({
      deps: now ? { ...h.deps, now } : h.deps,
      client: h.sqs.client,
      queueUrl: h.sqs.queues.notify!.url,
      sweepIntervalMs: 0,
      waitTimeSeconds: 0,
      digestHourUtc,
    });

  it('builds nothing before the digest hour, or when the digest is off', async () => {
    const fiveAm = new Date();
    fiveAm.setUTCHours(5, 59, 0, 0);
    const early = await notifier(6, () => fiveAm);
    const off = await notifier(null);
    try {
      expect(await early.digestIfDue()).toBeUndefined();
      expect(await off.digestIfDue()).toBeUndefined();
    } finally {
      await Promise.all([early.stop(), off.stop()]);
    }
  });

  it('builds one digest per day once it is due, sends it signed, and a restart builds none again', async () => {
    const first = await notifier(0);
    try {
      expect(await first.digestIfDue()).toMatchObject({ subscriptions: 1, deliveries: 1 });
      expect(await first.digestIfDue()).toBeUndefined();
    } finally {
      await first.stop();
    }
    const restarted = await notifier(0);
    try {
      expect(await restarted.digestIfDue()).toMatchObject({ subscriptions: 1, deliveries: 0 });
    } finally {
      await restarted.stop();
    }

    await h.settle();
    expect(receiver.received).toHaveLength(1);
    const request = receiver.received[0]!;
    const headers = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [
        name,
        String(request.headers[name]),
      ]),
    );
    const body = new Webhook(secret).verify(request.body, headers) as { type: string; data: unknown };
    expect(body.type).toBe('compliance.digest');
    const data = complianceDigestDataSchema.parse(body.data);
    expect(data.date).toBe(new Date().toISOString().slice(0, 10));
    expect(data.fleet.frameworks[0]).toMatchObject({ pass: 1, fail: 1 });
  });
});
