import { createSubscription, listDeliveries, recordScan } from '@vigil/db';
import {
  createTestCluster,
  makeCompliance,
  makeReport,
  openTestDatabase,
  type TestDatabase,
} from '@vigil/db/testing';
import { complianceDigestDataSchema, webhookIdFor } from '@vigil/notify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDailyDigest, controlChanges, digestData } from './digest.ts';

describe('controlChanges', () => {
  it('lists controls whose status moved, and new controls with no previous status', () => {
    const before = makeCompliance({ '1.1': 'pass', '1.2': 'fail', '1.3': 'not_evaluated' });
    const after = makeCompliance({ '1.1': 'fail', '1.2': 'pass', '1.3': 'not_evaluated', '1.4': 'fail' });
    expect(controlChanges(before, after).map((c) => [c.qualifiedId, c.from, c.to])).toEqual([
      ['cis-eks-1.8.0:1.1', 'pass', 'fail'],
      ['cis-eks-1.8.0:1.2', 'fail', 'pass'],
      ['cis-eks-1.8.0:1.4', null, 'fail'],
    ]);
  });
});

describe('digestData', () => {
  const now = new Date('2026-04-02T06:00:00.000Z');
  const row = (
    clusterId: string,
    runId: string,
    controls: Record<string, 'pass' | 'fail' | 'not_evaluated'>,
  ) => ({
    clusterId,
    clusterName: `name-${clusterId}`,
    clusterLabels: {},
    runId,
    status: 'complete' as const,
    recordedAt: now,
    compliance: makeCompliance(controls),
  });

  it('counts per cluster and fleet-wide, and what changed since the result a day earlier', () => {
    const data = digestData({
      now,
      current: [
        row('a', 'a2', { '1.1': 'fail', '1.2': 'pass' }),
        row('b', 'b1', { '1.1': 'pass', '1.2': 'pass' }),
      ],
      previous: [
        row('a', 'a1', { '1.1': 'pass', '1.2': 'fail' }),
        row('b', 'b1', { '1.1': 'pass', '1.2': 'pass' }),
      ],
      unscanned: [{ clusterId: 'c', clusterName: 'name-c' }],
    });
    expect(complianceDigestDataSchema.parse(data)).toEqual(data);
    expect(data).toMatchObject({ date: '2026-04-02', since: '2026-04-01T06:00:00.000Z' });
    expect(
      data.clusters.map((c) => [
        c.clusterId,
        c.previousRunId,
        c.frameworks[0]?.pass,
        c.frameworks[0]?.fail,
        c.changes.length,
      ]),
    ).toEqual([
      ['a', 'a1', 1, 1, 2],
      // Not rescanned since yesterday: same run, nothing changed.
      ['b', 'b1', 2, 0, 0],
    ]);
    expect(data.fleet).toEqual({
      clusters: 2,
      frameworks: [
        expect.objectContaining({ framework: 'cis-eks-1.8.0', pass: 3, fail: 1, notEvaluated: 0 }),
      ],
      changes: { regressed: 1, improved: 1, other: 0 },
    });
    expect(data.unscanned).toEqual([{ clusterId: 'c', clusterName: 'name-c' }]);
  });

  it('lists no changes for a cluster without a result a day ago', () => {
    const data = digestData({
      now,
      current: [row('a', 'a1', { '1.1': 'fail' })],
      previous: [],
      unscanned: [],
    });
    expect(data.clusters[0]).toMatchObject({ previousRunId: null, changes: [] });
  });
});

describe('buildDailyDigest', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it('creates one digest per subscribing subscription per day, for the clusters its selector picks', async () => {
    const db = database.db;
    const prod = await createTestCluster(db, { labels: { env: 'prod' } });
    const dev = await createTestCluster(db, { labels: { env: 'dev' } });
    await createTestCluster(db, { labels: { env: 'prod' } });
    for (const cluster of [prod, dev]) {
      await recordScan(db, {
        clusterId: cluster.id,
        slot: 'first',
        trigger: 'manual',
        report: makeReport({ compliance: makeCompliance({ '1.1': 'pass' }) }),
        startedAt: new Date('2026-01-01T00:00:00Z'),
        finishedAt: new Date('2026-01-01T00:00:00Z'),
      });
    }
    const now = new Date(Date.now() + 25 * 3600 * 1000);
    await recordScan(db, {
      clusterId: prod.id,
      slot: 'second',
      trigger: 'manual',
      report: makeReport({ compliance: makeCompliance({ '1.1': 'fail' }) }),
      startedAt: new Date('2026-01-02T00:00:00Z'),
      finishedAt: new Date('2026-01-02T00:00:00Z'),
    });
    const base = { format: 'generic' as const, url: 'https://h.example/', host: 'h.example' };
    const subscriber = await createSubscription(db, {
      ...base,
      name: 'prod digest',
      eventTypes: ['compliance.digest'],
      clusterSelector: { matchLabels: { env: 'prod' } },
    });
    await createSubscription(db, { ...base, name: 'findings only', eventTypes: ['finding.opened'] });

    // Runs are recorded at the database's clock, over a day before this "now": the newest result is both
    // today's and the baseline (what changed is covered by digestData's tests).
    const result = await buildDailyDigest(db, now);
    expect(result).toEqual({ date: now.toISOString().slice(0, 10), subscriptions: 1, deliveries: 1 });
    expect(await buildDailyDigest(db, now)).toMatchObject({ deliveries: 0 });

    const [delivery] = (await listDeliveries(db, { subscriptionId: subscriber.id })).items;
    expect(delivery).toMatchObject({
      eventType: 'compliance.digest',
      eventKey: `compliance.digest:${result.date}`,
      webhookId: webhookIdFor(subscriber.id, `compliance.digest:${result.date}`),
    });
    const data = complianceDigestDataSchema.parse(delivery!.payload);
    expect(data.clusters.map((c) => c.clusterId)).toEqual([prod.id]);
    expect(data.clusters[0]).toMatchObject({ previousRunId: data.clusters[0]?.runId, changes: [] });
    expect(data.clusters[0]?.frameworks[0]).toMatchObject({ pass: 0, fail: 1 });
    expect(data.unscanned).toHaveLength(1);
    expect(data.unscanned.some((c) => c.clusterId === dev.id)).toBe(false);
  });
});
