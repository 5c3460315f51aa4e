import { getRun, recordScan } from '@vigil/db';
import { createTestCluster, makeReport, openTestDatabase, type TestDatabase } from '@vigil/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVigil } from '../testing.ts';

// `vigil prune` against a real Postgres database named by DATABASE_URL.
let handle: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  handle = await openTestDatabase('postgres');
  env = { DATABASE_URL: handle.url! };
});
afterAll(async () => {
  await handle?.dispose();
});

const DAY = 86_400_000;

async function runAged(clusterId: string, slot: string, daysAgo: number): Promise<string> {
  const at = new Date(Date.now() - daysAgo * DAY);
  const { runId } = await recordScan(handle.db, {
    clusterId,
    slot,
    trigger: 'schedule',
    report: makeReport({}),
    startedAt: at,
    finishedAt: at,
  });
  await handle.db.execute(
    sql`update scan_runs set created_at = ${at.toISOString()}::timestamptz where id = ${runId}`,
  );
  return runId;
}

describe('vigil prune', () => {
  it('deletes runs older than --days, keeps the latest, and says what it deleted', async () => {
    const cluster = await createTestCluster(handle.db);
    const old = await runAged(cluster.id, 'old', 50);
    const latest = await runAged(cluster.id, 'latest', 40);

    const res = await runVigil(['prune', '--days', '30'], { env });

    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/kept 30 days \(since .*\); deleted 1 runs, /);
    expect(res.stdout).not.toContain('postgres://');
    expect(await getRun(handle.db, old)).toBeNull();
    expect(await getRun(handle.db, latest)).not.toBeNull();
  });

  it('takes VIGIL_RETENTION_DAYS as the default and refuses less than a week', async () => {
    const fromEnv = await runVigil(['prune'], { env: { ...env, VIGIL_RETENTION_DAYS: '365' } });
    expect(fromEnv.stdout).toContain('kept 365 days');
    for (const days of ['3', '7.5', 'soon']) {
      const res = await runVigil(['prune', '--days', days], { env });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('--days must be a whole number of days, at least 7');
    }
    const badEnv = await runVigil(['prune'], { env: { ...env, VIGIL_RETENTION_DAYS: '1' } });
    expect(badEnv.stderr).toContain('VIGIL_RETENTION_DAYS must be');
  });
});
