import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from './database.ts';
import { insertDeliveries, listDeliveries } from './deliveries/index.ts';
import { getFinding } from './findings/repository.ts';
import { listOutboxEvents, markOutboxDispatched } from './outbox/repository.ts';
import { recordScan } from './record-scan.ts';
import { deleteOlderThan } from './retention.ts';
import { failRun, getRun } from './runs/repository.ts';
import { latestSnapshot } from './snapshots/repository.ts';
import { createSubscription } from './subscriptions/index.ts';
import {
  createTestCluster,
  makeFinding,
  makeReport,
  makeSnapshot,
  type ReportSpec,
  TEST_ENGINES,
  useTestDatabase,
} from './testing/index.ts';

const DAY = 86_400_000;
const NOW = new Date();
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);

describe.each(TEST_ENGINES)('retention on %s', (engine) => {
  const db = useTestDatabase(engine);
  const a = makeFinding('cluster-admin', 'a');
  const b = makeFinding('secrets-read', 'b');
  const c = makeFinding('wildcards', 'c');

  /** Records a run as if it had happened `age` days ago. */
  async function recordAt(
    database: Database,
    clusterId: string,
    age: number,
    spec: ReportSpec,
    withSnapshot = false,
  ): Promise<string> {
    const at = daysAgo(age);
    const result = await recordScan(
      database,
      {
        clusterId,
        slot: at.toISOString(),
        trigger: 'schedule',
        report: makeReport(spec),
        startedAt: at,
        finishedAt: at,
        ...(withSnapshot ? { snapshot: makeSnapshot(`age-${age}`) } : {}),
      },
      { now: at },
    );
    await backdate(database, result.runId, at);
    return result.runId;
  }

  async function backdate(database: Database, runId: string, at: Date): Promise<void> {
    await database.execute(
      sql`update scan_runs set created_at = ${at.toISOString()}::timestamptz where id = ${runId}`,
    );
    await database.execute(
      sql`update outbox_events set created_at = ${at.toISOString()}::timestamptz where run_id = ${runId}`,
    );
  }

  it('deletes old runs with their findings, keeping current results, open evidence and undelivered events', async () => {
    const x = await createTestCluster(db());
    const y = await createTestCluster(db());
    const r1 = await recordAt(db(), x.id, 100, { findings: [a, b, c] }, true);
    const r2 = await recordAt(db(), x.id, 90, { findings: [a, b], checks: { wildcards: 'pass' } }, true);
    const r3 = (
      await failRun(db(), { clusterId: x.id, slot: 'failed-80', trigger: 'schedule', reason: 'boom' })
    ).run.id;
    await backdate(db(), r3, daysAgo(80));
    const partial = {
      status: 'partial' as const,
      findings: [b],
      checks: { 'cluster-admin': 'not_evaluated' as const },
    };
    const r4 = await recordAt(db(), x.id, 70, partial, true);
    const r5 = await recordAt(db(), x.id, 1, partial);
    const ry = await recordAt(db(), y.id, 100, { findings: [a] });
    const r1Events = (await listOutboxEvents(db(), { runId: r1 })).items.map((e) => e.id);
    await markOutboxDispatched(db(), r1Events);

    const result = await deleteOlderThan(db(), { before: daysAgo(30), now: NOW });

    expect(result).toEqual({
      runs: 3,
      findings: 4,
      snapshots: 1,
      lifecycles: 1,
      outboxEvents: 3,
      deliveries: 0,
    });
    for (const gone of [r1, r3, r4]) expect(await getRun(db(), gone)).toBeNull();
    // r2 is the latest complete run and holds the evidence of the still-open `a`; r5 is recent; ry is y's only
    // result.
    for (const kept of [r2, r5, ry]) expect(await getRun(db(), kept)).not.toBeNull();
    expect(await getFinding(db(), x.id, a.fingerprint)).toMatchObject({
      state: 'open',
      lastRunId: r2,
      evidence: a.evidence,
    });
    expect((await getFinding(db(), x.id, b.fingerprint))?.state).toBe('open');
    expect(await getFinding(db(), x.id, c.fingerprint)).toBeNull();
    expect((await getFinding(db(), y.id, a.fingerprint))?.state).toBe('open');
    expect((await latestSnapshot(db(), x.id))?.runId).toBe(r2);
    const failedEvents = await listOutboxEvents(db(), { runId: r3 });
    expect(failedEvents.items).toHaveLength(1);

    expect(await deleteOlderThan(db(), { before: daysAgo(30), now: NOW })).toEqual({
      runs: 0,
      findings: 0,
      snapshots: 0,
      lifecycles: 0,
      outboxEvents: 0,
      deliveries: 0,
    });
  });

  it('deletes notification deliveries that ended before the cut-off, never pending ones', async () => {
    const subscription = await createSubscription(db(), {
      format: 'generic',
      url: 'https://hooks.example/vigil',
      host: 'hooks.example',
      name: `retention-${Math.random()}`,
      eventTypes: ['compliance.digest'],
    });
    const delivery = (day: string) => ({
      subscriptionId: subscription.id,
      eventKey: `compliance.digest:${day}`,
      webhookId: `msg_${day}`,
      eventType: 'compliance.digest',
      eventTimestamp: NOW,
      payload: {},
      clusterId: null,
      ticketKey: null,
      host: 'hooks.example',
    });
    await insertDeliveries(db(), ['old-ok', 'old-failed', 'old-pending', 'recent-ok'].map(delivery));
    const set = (key: string, status: string, completedAt: Date | null) =>
      db().execute(sql`
        update notification_deliveries set status = ${status},
          completed_at = ${completedAt?.toISOString() ?? null}::timestamptz,
          created_at = ${daysAgo(60).toISOString()}::timestamptz
        where event_key = ${`compliance.digest:${key}`}`);
    await set('old-ok', 'succeeded', daysAgo(40));
    await set('old-failed', 'failed', daysAgo(35));
    await set('old-pending', 'pending', null);
    await set('recent-ok', 'succeeded', daysAgo(2));

    const result = await deleteOlderThan(db(), { before: daysAgo(30), now: NOW });

    expect(result.deliveries).toBe(2);
    const left = (await listDeliveries(db(), { subscriptionId: subscription.id })).items.map(
      (d) => d.eventKey,
    );
    expect(left.sort()).toEqual(['compliance.digest:old-pending', 'compliance.digest:recent-ok']);
  });

  it('refuses a cut-off after its own clock', async () => {
    await expect(
      deleteOlderThan(db(), { before: new Date(NOW.getTime() + DAY), now: NOW }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
