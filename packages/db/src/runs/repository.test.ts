import { describe, expect, it } from 'vitest';
import { deleteCluster } from '../clusters/repository.ts';
import { listOutboxEvents } from '../outbox/repository.ts';
import { recordScan } from '../record-scan.ts';
import { createTestCluster, makeReport, TEST_ENGINES, useTestDatabase } from '../testing/index.ts';
import {
  claimRun,
  ensureRun,
  failRun,
  getRun,
  latestRuns,
  listRuns,
  listStaleClusters,
} from './repository.ts';
import { scheduleSlot } from './slots.ts';

const DAY = 86_400_000;
const T0 = new Date('2026-03-01T00:00:00.000Z');

describe('scheduleSlot', () => {
  it('gives every instant of one interval the same slot, and the next interval the next slot', () => {
    const interval = 86_400;
    expect(scheduleSlot(new Date('2026-03-01T00:00:00Z'), interval)).toBe('2026-03-01T00:00:00.000Z');
    expect(scheduleSlot(new Date('2026-03-01T23:59:59.999Z'), interval)).toBe('2026-03-01T00:00:00.000Z');
    expect(scheduleSlot(new Date('2026-03-02T00:00:00Z'), interval)).toBe('2026-03-02T00:00:00.000Z');
    expect(scheduleSlot(new Date('2026-03-01T10:07:00Z'), 900)).toBe('2026-03-01T10:00:00.000Z');
  });

  it('refuses an interval that is not a positive integer', () => {
    expect(() => scheduleSlot(T0, 0)).toThrow(/positive integer/);
    expect(() => scheduleSlot(T0, 1.5)).toThrow(/positive integer/);
  });
});

describe.each(TEST_ENGINES)('runs on %s', (engine) => {
  const db = useTestDatabase(engine);

  it('creates one queued run per (cluster, slot): a second dispatch for the slot gets the same run', async () => {
    const cluster = await createTestCluster(db());
    const key = { clusterId: cluster.id, slot: scheduleSlot(T0, 86_400), trigger: 'schedule' as const };
    const first = await ensureRun(db(), key);
    const second = await ensureRun(db(), key);

    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.run.id).toBe(first.run.id);
    expect(first.run).toMatchObject({ status: 'queued', attempts: 0, trigger: 'schedule', startedAt: null });
  });

  it('claims a queued run as running, and counts a redelivery as another attempt', async () => {
    const cluster = await createTestCluster(db());
    const key = { clusterId: cluster.id, slot: 'manual-1', trigger: 'manual' as const };
    await ensureRun(db(), key);
    const first = await claimRun(db(), { ...key, at: T0 });
    const again = await claimRun(db(), { ...key, at: new Date(T0.getTime() + 1000) });

    expect(first).toMatchObject({ claimed: true, run: { status: 'running', attempts: 1, startedAt: T0 } });
    expect(again).toMatchObject({ claimed: true, run: { id: first.run.id, attempts: 2, startedAt: T0 } });
  });

  it('does not claim a finished run: status never moves back from complete, partial or failed', async () => {
    const cluster = await createTestCluster(db());
    const key = { clusterId: cluster.id, slot: 'manual-2', trigger: 'manual' as const };
    await recordScan(db(), { ...key, report: makeReport(), startedAt: T0, finishedAt: T0 });
    const claim = await claimRun(db(), key);
    expect(claim).toMatchObject({ claimed: false, run: { status: 'complete' } });

    const failed = await failRun(db(), { ...key, reason: 'late timeout' });
    expect(failed).toMatchObject({ failed: false, run: { status: 'complete', error: null } });
    expect((await getRun(db(), claim.run.id))?.status).toBe('complete');
  });

  it('fails a run with its reason and one scan.failed outbox row, once', async () => {
    const cluster = await createTestCluster(db());
    const key = { clusterId: cluster.id, slot: 'manual-3', trigger: 'manual' as const };
    await claimRun(db(), key);
    const failed = await failRun(db(), { ...key, reason: 'AssumeRole denied: external id mismatch', at: T0 });
    const twice = await failRun(db(), { ...key, reason: 'another reason' });

    expect(failed).toMatchObject({
      failed: true,
      run: { status: 'failed', error: 'AssumeRole denied: external id mismatch', finishedAt: T0 },
    });
    expect(twice).toMatchObject({ failed: false, run: { error: 'AssumeRole denied: external id mismatch' } });
    const events = await listOutboxEvents(db(), { runId: failed.run.id });
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({
      type: 'scan.failed',
      payload: {
        clusterName: cluster.name,
        slot: 'manual-3',
        reason: 'AssumeRole denied: external id mismatch',
      },
    });
  });

  it('fails a run that was never claimed (the scan broke before starting)', async () => {
    const cluster = await createTestCluster(db());
    const result = await failRun(db(), {
      clusterId: cluster.id,
      slot: '2026-03-01T00:00:00.000Z',
      trigger: 'schedule',
      reason: 'cluster unreachable',
    });
    expect(result).toMatchObject({ failed: true, run: { status: 'failed', attempts: 0 } });
  });

  it('refuses to queue or claim a run for a deleted or unknown cluster', async () => {
    const cluster = await createTestCluster(db());
    await deleteCluster(db(), cluster.id);
    const key = { clusterId: cluster.id, slot: 's', trigger: 'schedule' as const };
    await expect(ensureRun(db(), key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(claimRun(db(), key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(claimRun(db(), { ...key, clusterId: 'not-a-uuid' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('lists runs newest first with filters and a cursor that resumes where the page ended', async () => {
    const cluster = await createTestCluster(db());
    const other = await createTestCluster(db());
    const made: { slot: string; createdAt: Date; id: string }[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(
        (await ensureRun(db(), { clusterId: cluster.id, slot: `slot-${i}`, trigger: 'schedule' })).run,
      );
    }
    await ensureRun(db(), { clusterId: other.id, slot: 'slot-x', trigger: 'manual' });
    await failRun(db(), { clusterId: cluster.id, slot: 'slot-1', trigger: 'schedule', reason: 'x' });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listRuns(db(), {
        clusterIds: [cluster.id],
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((r) => r.slot));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    // Newest first; runs created within one millisecond are ordered by id, as the cursor pages them.
    const newestFirst = [...made].sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1),
    );
    expect(seen).toEqual(newestFirst.map((r) => r.slot));
    expect(new Set(seen)).toEqual(new Set(['slot-0', 'slot-1', 'slot-2', 'slot-3', 'slot-4']));

    const failed = await listRuns(db(), { clusterIds: [cluster.id, other.id], statuses: ['failed'] });
    expect(failed.items.map((r) => r.slot)).toEqual(['slot-1']);
    const manual = await listRuns(db(), { clusterIds: [cluster.id, other.id], trigger: 'manual' });
    expect(manual.items.map((r) => r.slot)).toEqual(['slot-x']);
    expect(manual.items[0]).not.toHaveProperty('checks');
  });

  it('refuses a cursor from another listing and a limit above the maximum', async () => {
    await expect(listRuns(db(), { cursor: 'WyJjbHVzdGVycyIsImEiLCJiIl0' })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
    await expect(listRuns(db(), { limit: 501 })).rejects.toMatchObject({ code: 'INVALID_LIMIT' });
  });

  it('answers the latest run of each cluster, optionally of given statuses', async () => {
    const one = await createTestCluster(db());
    const two = await createTestCluster(db());
    await recordScan(db(), {
      clusterId: one.id,
      slot: 'a',
      trigger: 'manual',
      report: makeReport(),
      startedAt: T0,
      finishedAt: T0,
    });
    await failRun(db(), { clusterId: one.id, slot: 'b', trigger: 'manual', reason: 'boom' });
    await ensureRun(db(), { clusterId: two.id, slot: 'c', trigger: 'manual' });

    const latest = (await latestRuns(db(), { clusterIds: [one.id, two.id] })).items;
    expect(new Map(latest.map((r) => [r.clusterId, r.slot]))).toEqual(
      new Map([
        [one.id, 'b'],
        [two.id, 'c'],
      ]),
    );
    const recorded = await latestRuns(db(), {
      clusterIds: [one.id, two.id],
      statuses: ['complete', 'partial'],
    });
    expect(recorded.items.map((r) => r.slot)).toEqual(['a']);
    const first = await latestRuns(db(), { clusterIds: [one.id, two.id], limit: 1 });
    const second = await latestRuns(db(), {
      clusterIds: [one.id, two.id],
      limit: 1,
      cursor: first.nextCursor!,
    });
    expect([...first.items, ...second.items].map((r) => r.id).sort()).toEqual(latest.map((r) => r.id).sort());
    expect(second.nextCursor).toBeNull();
  });

  it('reports scheduled clusters whose last successful scan is older than their schedule allows', async () => {
    const now = new Date();
    const fresh = await createTestCluster(db(), { scheduleIntervalSeconds: 86_400 });
    const overdue = await createTestCluster(db(), { scheduleIntervalSeconds: 3_600 });
    const failing = await createTestCluster(db(), { scheduleIntervalSeconds: 3_600 });
    const manual = await createTestCluster(db(), { scheduleIntervalSeconds: null });
    const disabled = await createTestCluster(db(), { scheduleIntervalSeconds: 3_600, enabled: false });
    const success = (clusterId: string, hoursAgo: number) =>
      recordScan(db(), {
        clusterId,
        slot: `ok-${hoursAgo}`,
        trigger: 'schedule',
        report: makeReport(),
        startedAt: new Date(now.getTime() - hoursAgo * 3_600_000),
        finishedAt: new Date(now.getTime() - hoursAgo * 3_600_000),
      });
    await success(fresh.id, 2);
    await success(overdue.id, 3);
    await success(failing.id, 5);
    await failRun(db(), { clusterId: failing.id, slot: 'later', trigger: 'schedule', reason: 'x' });

    const ids = new Set([fresh.id, overdue.id, failing.id, manual.id, disabled.id]);
    const stale = (await listStaleClusters(db(), { now, graceSeconds: 1_800 })).filter((s) =>
      ids.has(s.cluster.id),
    );
    expect(stale.map((s) => s.cluster.id).sort()).toEqual([overdue.id, failing.id].sort());
    const entry = stale.find((s) => s.cluster.id === overdue.id)!;
    expect(entry.lastSuccessAt?.getTime()).toBe(now.getTime() - 3 * 3_600_000);
    expect(entry.dueBy.getTime()).toBe(now.getTime() - 3 * 3_600_000 + 5_400_000);

    const later = await listStaleClusters(db(), { now: new Date(now.getTime() + 2 * DAY) });
    expect(later.map((s) => s.cluster.id)).toContain(fresh.id);
  });
});
