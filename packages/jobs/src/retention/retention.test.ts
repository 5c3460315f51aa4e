import { getRun, recordScan } from '@vigil/db';
import { createTestCluster, makeFinding, makeReport, useTestDatabase } from '@vigil/db/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { memoryLogger } from '../logger.ts';
import { startLocalRetention } from './local.ts';
import { pruneHistory } from './retention.ts';

const DAY = 86_400_000;

describe('pruneHistory', () => {
  const db = useTestDatabase('pglite');

  it('deletes runs older than the retention, keeps the current result, and logs what it did', async () => {
    const cluster = await createTestCluster(db());
    const record = async (slot: string, daysAgo: number, findings = [makeFinding('wildcards', slot)]) => {
      const at = new Date(Date.now() - daysAgo * DAY);
      const { runId } = await recordScan(db(), {
        clusterId: cluster.id,
        slot,
        trigger: 'schedule',
        report: makeReport({ findings, checks: { wildcards: 'pass' } }),
        startedAt: at,
        finishedAt: at,
      });
      await db().execute(
        sql`update scan_runs set created_at = ${at.toISOString()}::timestamptz where id = ${runId}`,
      );
      return runId;
    };
    const old = await record('old', 30, []);
    const current = await record('current', 20, []);
    const logger = memoryLogger();

    const result = await pruneHistory({ db: db(), logger }, { retentionDays: 10 });

    expect(result).toMatchObject({ retentionDays: 10, runs: 1 });
    expect(Date.parse(result.before)).toBeLessThan(Date.now() - 10 * DAY + 60_000);
    expect(await getRun(db(), old)).toBeNull();
    expect(await getRun(db(), current)).not.toBeNull();
    expect(logger.entries).toContainEqual(expect.objectContaining({ msg: 'history pruned', runs: 1 }));
  });

  it('refuses a retention shorter than a week or not in whole days', async () => {
    for (const retentionDays of [0, 6, 7.5, -1, Number.NaN]) {
      await expect(pruneHistory({ db: db() }, { retentionDays })).rejects.toThrow(/at least 7/);
    }
  });

  it("runs on the local stack's timer soon after start, and on demand", async () => {
    const logger = memoryLogger();
    const retention = startLocalRetention({ db: db(), logger, retentionDays: 30, firstDelayMs: 5 });
    try {
      await vi.waitFor(() => expect(logger.entries.some((e) => e.msg === 'history pruned')).toBe(true));
      expect(await retention.pruneNow()).toMatchObject({ retentionDays: 30 });
    } finally {
      await retention.stop();
    }
  });
});
