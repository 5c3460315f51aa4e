import { describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../database.ts';
import { createTestCluster, TEST_ENGINES, testDatabaseUrl, useTestDatabase } from '../testing/index.ts';
import type { NewOutboxEvent } from './model.ts';
import {
  claimOutboxEvents,
  insertOutboxEvents,
  listOutboxEvents,
  markOutboxDispatched,
  releaseOutboxEvent,
} from './repository.ts';

function failed(clusterId: string, key: string): NewOutboxEvent {
  return {
    type: 'scan.failed',
    clusterId,
    runId: null,
    dedupeKey: key,
    payload: {
      clusterId,
      clusterName: 'c',
      runId: 'r',
      slot: key,
      trigger: 'manual',
      attempts: 1,
      reason: 'x',
    },
  };
}

describe.each(TEST_ENGINES)('outbox on %s', (engine) => {
  const db = useTestDatabase(engine);
  const key = (name: string) => `${name}-${Math.random().toString(36).slice(2)}`;

  it('stores an event once per dedupe key', async () => {
    const cluster = await createTestCluster(db());
    const k = key('once');
    expect(await insertOutboxEvents(db(), [failed(cluster.id, k)])).toBe(1);
    expect(await insertOutboxEvents(db(), [failed(cluster.id, k), failed(cluster.id, `${k}-2`)])).toBe(1);
    const page = await listOutboxEvents(db(), { clusterIds: [cluster.id] });
    // Each event once (the two inserts may share a millisecond, so their order is not asserted).
    expect(page.items).toHaveLength(2);
    expect(page.items.map((e) => e.payload)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ slot: k }),
        expect.objectContaining({ slot: `${k}-2` }),
      ]),
    );
  });

  it('leases due events to one notifier at a time, and hands them out again when released or the lease ends', async () => {
    const cluster = await createTestCluster(db());
    await insertOutboxEvents(db(), [failed(cluster.id, key('a')), failed(cluster.id, key('b'))]);
    const mine = <T extends { clusterId: string }>(events: T[]) =>
      events.filter((e) => e.clusterId === cluster.id);

    const first = mine(await claimOutboxEvents(db(), { limit: 500, leaseSeconds: 60 }));
    expect(first).toHaveLength(2);
    expect(first.every((e) => e.attempts === 1 && e.leasedUntil !== null)).toBe(true);
    expect(mine(await claimOutboxEvents(db(), { limit: 500, leaseSeconds: 60 }))).toEqual([]);

    expect(await markOutboxDispatched(db(), [first[0]!.id])).toBe(1);
    expect(
      await releaseOutboxEvent(db(), first[1]!.id, { error: 'queue unavailable', retryAt: new Date(0) }),
    ).toBe(true);
    const again = mine(await claimOutboxEvents(db(), { limit: 500, leaseSeconds: 60 }));
    expect(again.map((e) => [e.id, e.attempts, e.lastError])).toEqual([
      [first[1]!.id, 2, 'queue unavailable'],
    ]);
    expect(await releaseOutboxEvent(db(), first[0]!.id, { error: 'x', retryAt: new Date(0) })).toBe(false);
    const pending = await listOutboxEvents(db(), { clusterIds: [cluster.id], pending: true });
    expect(pending.items.map((e) => e.id)).toEqual([first[1]!.id]);
  });

  it('gives concurrent notifiers disjoint sets of events', async () => {
    const cluster = await createTestCluster(db());
    await insertOutboxEvents(
      db(),
      Array.from({ length: 20 }, (_, i) => failed(cluster.id, key(`c${i}`))),
    );
    const other = engine === 'postgres' ? await openDatabase({ url: testDatabaseUrl(db()) }) : db();
    try {
      // Two notifiers drain the outbox side by side, five events per claim.
      const drain = async (handle: typeof other) => {
        const got: string[] = [];
        for (;;) {
          const batch = await claimOutboxEvents(handle, { limit: 5, leaseSeconds: 60 });
          if (batch.length === 0) return got;
          got.push(...batch.filter((e) => e.clusterId === cluster.id).map((e) => e.id));
        }
      };
      const [x, y] = await Promise.all([drain(db()), drain(other)]);
      const ids = [...x, ...y];
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(20);
    } finally {
      if (other !== db()) await closeDatabase(other);
    }
  });
});
