import { gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { closeDatabase, type Database, openDatabase } from './database.ts';
import { getFinding, listFindings, listRunFindings } from './findings/repository.ts';
import type { FindingEventPayload } from './outbox/model.ts';
import { listOutboxEvents } from './outbox/repository.ts';
import { type RecordScanInput, recordScan } from './record-scan.ts';
import { claimRun, failRun, getRun } from './runs/repository.ts';
import { latestSnapshot } from './snapshots/repository.ts';
import { rowsOf } from './sql.ts';
import {
  createTestCluster,
  makeCompliance,
  makeFinding,
  makeReport,
  makeSnapshot,
  type ReportSpec,
  suppress,
  TEST_ENGINES,
  testDatabaseUrl,
  useTestDatabase,
} from './testing/index.ts';

const T0 = new Date('2026-03-01T00:00:00.000Z');
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);

async function count(db: Database, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = rowsOf<{ n: number }>(await db.execute(query));
  return Number(row?.n);
}

function scan(clusterId: string, slot: number, spec: ReportSpec): RecordScanInput {
  return {
    clusterId,
    slot: hours(slot).toISOString(),
    trigger: 'schedule',
    report: makeReport(spec),
    startedAt: hours(slot),
    finishedAt: new Date(hours(slot).getTime() + 60_000),
  };
}

async function eventsOf(db: Database, runId: string) {
  const page = await listOutboxEvents(db, { runId, limit: 500 });
  return page.items.map((e) => ({
    type: e.type,
    fingerprint: (e.payload as FindingEventPayload).fingerprint,
  }));
}

async function lifecycleOf(db: Database, clusterId: string, fingerprint: string) {
  const finding = await getFinding(db, clusterId, fingerprint);
  if (!finding) throw new Error(`no lifecycle for ${fingerprint}`);
  return finding;
}

describe.each(TEST_ENGINES)('recordScan on %s', (engine) => {
  const db = useTestDatabase(engine);
  const a = makeFinding('cluster-admin', 'alice-admin', { severity: 'critical' });
  const b = makeFinding('secrets-read', 'bob-reader');
  const c = makeFinding('wildcards', 'carol-wild', { severity: 'medium' });

  it('records findings, opens their lifecycle and writes one finding.opened event each on a first run', async () => {
    const cluster = await createTestCluster(db());
    const result = await recordScan(db(), scan(cluster.id, 0, { findings: [a, b] }));

    expect(result).toMatchObject({
      status: 'complete',
      alreadyRecorded: false,
      findings: { fail: 2, suppressed: 0 },
      transitions: { opened: 2, reopened: 0, resolved: 0, suppressed: 0, appliedToLifecycle: true },
      openBySeverity: { critical: 1, high: 1, medium: 0, low: 0, info: 0 },
    });
    const stored = await listRunFindings(db(), result.runId);
    expect(stored.items.map((f) => f.fingerprint).sort()).toEqual([a.fingerprint, b.fingerprint].sort());
    expect(stored.items.find((f) => f.fingerprint === a.fingerprint)).toMatchObject({
      checkId: 'cluster-admin',
      severity: 'critical',
      status: 'fail',
      resource: a.resource,
      subject: a.subject,
      evidence: a.evidence,
      controls: a.controls,
    });
    const lifecycle = await lifecycleOf(db(), cluster.id, a.fingerprint);
    expect(lifecycle).toMatchObject({
      state: 'open',
      firstSeenAt: new Date(hours(0).getTime() + 60_000),
      openedAt: new Date(hours(0).getTime() + 60_000),
      firstRunId: result.runId,
      lastRunId: result.runId,
      reopenedCount: 0,
      resolvedAt: null,
      evidence: a.evidence,
    });
    expect(
      (await eventsOf(db(), result.runId)).sort((x, y) => x.fingerprint.localeCompare(y.fingerprint)),
    ).toEqual(
      [
        { type: 'finding.opened', fingerprint: a.fingerprint },
        { type: 'finding.opened', fingerprint: b.fingerprint },
      ].sort((x, y) => x.fingerprint.localeCompare(y.fingerprint)),
    );
    const opened = (await listOutboxEvents(db(), { runId: result.runId })).items.find(
      (e) => (e.payload as FindingEventPayload).fingerprint === a.fingerprint,
    );
    const seen = new Date(hours(0).getTime() + 60_000).toISOString();
    expect(opened?.payload).toEqual({
      clusterId: cluster.id,
      clusterName: cluster.name,
      runId: result.runId,
      fingerprint: a.fingerprint,
      checkId: 'cluster-admin',
      title: a.title,
      severity: 'critical',
      resource: a.resource,
      subject: a.subject,
      message: a.message,
      controls: a.controls,
      firstSeenAt: seen,
      lastSeenAt: seen,
      reopenedCount: 0,
    });
    const run = await getRun(db(), result.runId);
    expect(run).toMatchObject({ status: 'complete', findingsFailed: 2, checks: expect.any(Array) });
  });

  it('returns the same result and writes nothing when the run was recorded already', async () => {
    const cluster = await createTestCluster(db());
    const input = scan(cluster.id, 0, { findings: [a, b] });
    const first = await recordScan(db(), input);
    const second = await recordScan(db(), { ...input, report: makeReport({ findings: [c] }) });

    expect(second).toEqual({ ...first, alreadyRecorded: true });
    expect(await count(db(), sql`select count(*) as n from findings where run_id = ${first.runId}`)).toBe(2);
    expect(
      await count(db(), sql`select count(*) as n from outbox_events where run_id = ${first.runId}`),
    ).toBe(2);
    expect(await count(db(), sql`select count(*) as n from scan_runs where cluster_id = ${cluster.id}`)).toBe(
      1,
    );
  });

  it('resolves an open finding that a complete run no longer reports and notifies finding.resolved', async () => {
    const cluster = await createTestCluster(db());
    await recordScan(db(), scan(cluster.id, 0, { findings: [a, b] }));
    const second = await recordScan(
      db(),
      scan(cluster.id, 24, { findings: [a], checks: { 'secrets-read': 'pass' } }),
    );

    expect(second.transitions).toMatchObject({ opened: 0, resolved: 1 });
    expect(await lifecycleOf(db(), cluster.id, b.fingerprint)).toMatchObject({
      state: 'resolved',
      resolvedAt: new Date(hours(24).getTime() + 60_000),
    });
    expect(await lifecycleOf(db(), cluster.id, a.fingerprint)).toMatchObject({
      state: 'open',
      lastRunId: second.runId,
      lastSeenAt: new Date(hours(24).getTime() + 60_000),
    });
    const events = await listOutboxEvents(db(), { runId: second.runId });
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({
      type: 'finding.resolved',
      clusterId: cluster.id,
      payload: {
        fingerprint: b.fingerprint,
        checkId: 'secrets-read',
        reason: 'absent',
        clusterName: cluster.name,
        resource: b.resource,
        subject: b.subject,
      },
    });
  });

  it('reopens a resolved finding, counting the reopen and notifying finding.reopened', async () => {
    const cluster = await createTestCluster(db());
    await recordScan(db(), scan(cluster.id, 0, { findings: [a] }));
    await recordScan(db(), scan(cluster.id, 24, { checks: { 'cluster-admin': 'pass' } }));
    const third = await recordScan(db(), scan(cluster.id, 48, { findings: [a] }));

    expect(third.transitions).toMatchObject({ opened: 0, reopened: 1 });
    expect(await lifecycleOf(db(), cluster.id, a.fingerprint)).toMatchObject({
      state: 'open',
      reopenedCount: 1,
      resolvedAt: null,
      firstSeenAt: new Date(hours(0).getTime() + 60_000),
    });
    expect(await eventsOf(db(), third.runId)).toEqual([
      { type: 'finding.reopened', fingerprint: a.fingerprint },
    ]);
    const [reopened] = (await listOutboxEvents(db(), { runId: third.runId })).items;
    expect(reopened?.payload).toMatchObject({
      reopenedCount: 1,
      firstSeenAt: new Date(hours(0).getTime() + 60_000).toISOString(),
      lastSeenAt: new Date(hours(48).getTime() + 60_000).toISOString(),
    });
  });

  it('in a partial run resolves only findings whose check was evaluated', async () => {
    const cluster = await createTestCluster(db());
    await recordScan(db(), scan(cluster.id, 0, { findings: [a, b] }));
    const partial = await recordScan(
      db(),
      scan(cluster.id, 24, {
        status: 'partial',
        checks: { 'cluster-admin': 'not_evaluated', 'secrets-read': 'pass' },
      }),
    );

    expect(partial.status).toBe('partial');
    expect(partial.transitions.resolved).toBe(1);
    expect((await lifecycleOf(db(), cluster.id, a.fingerprint)).state).toBe('open');
    expect((await lifecycleOf(db(), cluster.id, b.fingerprint)).state).toBe('resolved');
    expect(partial.openBySeverity.critical).toBe(1);
  });

  it('never resolves findings of a check that could not run, even in a complete run', async () => {
    const cluster = await createTestCluster(db());
    await recordScan(db(), scan(cluster.id, 0, { findings: [a] }));
    const next = await recordScan(
      db(),
      scan(cluster.id, 24, { checks: { 'cluster-admin': 'not_evaluated' } }),
    );

    expect(next.transitions.resolved).toBe(0);
    expect((await lifecycleOf(db(), cluster.id, a.fingerprint)).state).toBe('open');
  });

  it('resolves findings of a check the audit no longer has, in a complete run only', async () => {
    const cluster = await createTestCluster(db());
    await recordScan(db(), scan(cluster.id, 0, { findings: [a, c] }));
    const partial = await recordScan(db(), scan(cluster.id, 24, { status: 'partial', findings: [a] }));
    expect((await lifecycleOf(db(), cluster.id, c.fingerprint)).state).toBe('open');
    expect(partial.transitions.resolved).toBe(0);

    const complete = await recordScan(db(), scan(cluster.id, 48, { findings: [a] }));
    expect(complete.transitions.resolved).toBe(1);
    expect((await lifecycleOf(db(), cluster.id, c.fingerprint)).state).toBe('resolved');
  });

  it('closes an open finding as resolved (reason suppressed) when an exception covers it, and reopens it when the exception is gone', async () => {
    const cluster = await createTestCluster(db());
    await recordScan(db(), scan(cluster.id, 0, { findings: [a] }));
    const suppressed = await recordScan(db(), scan(cluster.id, 24, { findings: [suppress(a, 'exc-7')] }));

    expect(suppressed.transitions).toMatchObject({ suppressed: 1, resolved: 0, opened: 0 });
    expect(suppressed.findings).toEqual({ fail: 0, suppressed: 1 });
    expect(await lifecycleOf(db(), cluster.id, a.fingerprint)).toMatchObject({
      state: 'suppressed',
      suppression: { exceptionId: 'exc-7', reason: 'accepted', source: 'user' },
    });
    const [event] = (await listOutboxEvents(db(), { runId: suppressed.runId })).items;
    expect(event).toMatchObject({
      type: 'finding.resolved',
      payload: { reason: 'suppressed', suppression: { exceptionId: 'exc-7' } },
    });

    const again = await recordScan(db(), scan(cluster.id, 48, { findings: [a] }));
    expect(again.transitions.reopened).toBe(1);
    expect(await eventsOf(db(), again.runId)).toEqual([
      { type: 'finding.reopened', fingerprint: a.fingerprint },
    ]);
    expect((await lifecycleOf(db(), cluster.id, a.fingerprint)).reopenedCount).toBe(1);
  });

  it('notifies nothing for a finding first seen suppressed, and opens (not reopens) it once the exception expires', async () => {
    const cluster = await createTestCluster(db());
    const first = await recordScan(db(), scan(cluster.id, 0, { findings: [suppress(b)] }));
    expect(first.transitions).toMatchObject({ opened: 0, suppressed: 1 });
    expect(await eventsOf(db(), first.runId)).toEqual([]);
    expect((await lifecycleOf(db(), cluster.id, b.fingerprint)).openedAt).toBeNull();

    const second = await recordScan(db(), scan(cluster.id, 24, { findings: [b] }));
    expect(second.transitions).toMatchObject({ opened: 1, reopened: 0 });
    expect(await eventsOf(db(), second.runId)).toEqual([
      { type: 'finding.opened', fingerprint: b.fingerprint },
    ]);
  });

  it('resolves a suppressed finding that disappears without notifying', async () => {
    const cluster = await createTestCluster(db());
    await recordScan(db(), scan(cluster.id, 0, { findings: [suppress(b)] }));
    const second = await recordScan(db(), scan(cluster.id, 24, { checks: { 'secrets-read': 'pass' } }));
    expect(second.transitions.resolved).toBe(1);
    expect(await eventsOf(db(), second.runId)).toEqual([]);
    expect((await lifecycleOf(db(), cluster.id, b.fingerprint)).state).toBe('resolved');
  });

  it('follows a finding seen again with new severity and text without notifying, and never changes the earlier run', async () => {
    const cluster = await createTestCluster(db());
    const first = await recordScan(db(), scan(cluster.id, 0, { findings: [a] }));
    const changed = { ...a, severity: 'low' as const, message: 'narrowed', evidence: { now: 'less' } };
    const second = await recordScan(db(), scan(cluster.id, 24, { findings: [changed] }));

    expect(await eventsOf(db(), second.runId)).toEqual([]);
    expect(await lifecycleOf(db(), cluster.id, a.fingerprint)).toMatchObject({
      severity: 'low',
      message: 'narrowed',
      evidence: { now: 'less' },
      firstRunId: first.runId,
      lastRunId: second.runId,
    });
    const earlier = await listRunFindings(db(), first.runId);
    expect(earlier.items[0]).toMatchObject({
      severity: 'critical',
      message: a.message,
      evidence: a.evidence,
    });
    expect(second.openBySeverity).toMatchObject({ critical: 0, low: 1 });
  });

  it('notifies compliance.control_regressed for controls that passed in the previous run and fail now', async () => {
    const cluster = await createTestCluster(db());
    await recordScan(
      db(),
      scan(cluster.id, 0, {
        compliance: makeCompliance({ '4.1.1': 'pass', '4.1.2': 'fail', '4.1.3': 'pass' }),
      }),
    );
    const second = await recordScan(
      db(),
      scan(cluster.id, 24, {
        compliance: makeCompliance({ '4.1.1': 'fail', '4.1.2': 'fail', '4.1.3': 'not_evaluated' }),
      }),
    );
    expect(second.transitions.regressed).toBe(1);
    const events = await listOutboxEvents(db(), {
      runId: second.runId,
      types: ['compliance.control_regressed'],
    });
    expect(events.items.map((e) => e.payload)).toEqual([
      expect.objectContaining({
        qualifiedId: 'cis-eks-1.8.0:4.1.1',
        framework: 'cis-eks-1.8.0',
        frameworkVersion: '1.8.0',
        controlId: '4.1.1',
        checks: ['4.1.1'],
      }),
    ]);
  });

  it('keeps the findings of a late, older run but does not rewind the lifecycle or notify', async () => {
    const cluster = await createTestCluster(db());
    await recordScan(db(), scan(cluster.id, 24, { findings: [a] }));
    const late = await recordScan(
      db(),
      scan(cluster.id, 0, { findings: [b], checks: { 'cluster-admin': 'pass' } }),
    );

    expect(late.transitions.appliedToLifecycle).toBe(false);
    expect((await listRunFindings(db(), late.runId)).items).toHaveLength(1);
    expect((await lifecycleOf(db(), cluster.id, a.fingerprint)).state).toBe('open');
    expect(await getFinding(db(), cluster.id, b.fingerprint)).toBeNull();
    expect(await eventsOf(db(), late.runId)).toEqual([]);
  });

  it('stores the snapshot compressed and keeps the latest complete one per cluster', async () => {
    const cluster = await createTestCluster(db());
    const snapshot = (name: string) =>
      makeSnapshot(name, {
        kubernetes: { namespaces: [{ kind: 'Namespace', name: 'default', labels: {}, annotations: {} }] },
      });
    const first = await recordScan(db(), { ...scan(cluster.id, 0, {}), snapshot: snapshot('one') });
    expect((await latestSnapshot(db(), cluster.id))?.snapshot.cluster.name).toBe('one');
    await recordScan(db(), { ...scan(cluster.id, 24, { status: 'partial' }), snapshot: snapshot('partial') });
    expect((await latestSnapshot(db(), cluster.id))?.snapshot.cluster.name).toBe('one');
    expect((await latestSnapshot(db(), cluster.id, { statuses: ['partial'] }))?.snapshot.cluster.name).toBe(
      'partial',
    );
    const third = await recordScan(db(), { ...scan(cluster.id, 48, {}), snapshot: snapshot('three') });
    const latest = await latestSnapshot(db(), cluster.id);
    expect(latest).toMatchObject({ runId: third.runId, snapshot: { cluster: { name: 'three' } } });
    expect(latest!.compressedBytes).toBeLessThan(latest!.sizeBytes);
    expect(await count(db(), sql`select count(*) as n from snapshots where cluster_id = ${cluster.id}`)).toBe(
      1,
    );
    expect(await count(db(), sql`select count(*) as n from snapshots where run_id = ${first.runId}`)).toBe(0);
  });

  it('keeps no credential-like string of the snapshot at rest (a key or password pasted into aws-auth)', async () => {
    const cluster = await createTestCluster(db());
    const accessKey = 'AKIAIOSFODNN7EXAMPLE';
    const mapUsers = [
      '- userarn: arn:aws:iam::111122223333:user/ci',
      `  username: ci # ${accessKey}`,
      '  groups: [system:masters]',
      '# password: hunter2-very-secret',
    ].join('\n');
    const snapshot = makeSnapshot('pasted', {
      cluster: { platform: 'eks' },
      kubernetes: { awsAuth: { mapUsers } },
    });
    await recordScan(db(), { ...scan(cluster.id, 0, {}), snapshot });
    const rows = rowsOf<{ data: Uint8Array }>(
      await db().execute(sql`select data from snapshots where cluster_id = ${cluster.id}`),
    );
    expect(rows).toHaveLength(1);
    const stored = gunzipSync(rows[0]!.data).toString('utf8');
    expect(stored).not.toContain(accessKey);
    expect(stored).not.toContain('hunter2-very-secret');
    // The mapping itself is kept: who-can over the stored snapshot still names the IAM user.
    const latest = await latestSnapshot(db(), cluster.id);
    expect(latest?.snapshot.kubernetes.awsAuth?.mapUsers).toContain('arn:aws:iam::111122223333:user/ci');
    expect(latest?.snapshot.kubernetes.awsAuth?.mapUsers).toContain('[REDACTED');
    // The caller's object is not changed.
    expect(snapshot.kubernetes.awsAuth?.mapUsers).toContain(accessKey);
  });

  it.each(['afterFindings', 'afterLifecycle', 'beforeFinalise'] as const)(
    'leaves no trace of a run that crashes at %s, and a retry records it completely',
    async (point) => {
      const cluster = await createTestCluster(db());
      await recordScan(db(), scan(cluster.id, 0, { findings: [a] }));
      const claimed = await claimRun(db(), {
        clusterId: cluster.id,
        slot: hours(24).toISOString(),
        trigger: 'schedule',
      });
      const input = scan(cluster.id, 24, { findings: [b], checks: { 'cluster-admin': 'pass' } });
      const crash = new Error(`crash at ${point}`);

      await expect(
        recordScan(db(), input, { faults: { [point]: () => Promise.reject(crash) } }),
      ).rejects.toBe(crash);
      expect(await getRun(db(), claimed.run.id)).toMatchObject({ status: 'running', findingsFailed: null });
      expect(
        await count(db(), sql`select count(*) as n from findings where run_id = ${claimed.run.id}`),
      ).toBe(0);
      expect(
        await count(db(), sql`select count(*) as n from outbox_events where run_id = ${claimed.run.id}`),
      ).toBe(0);
      expect((await lifecycleOf(db(), cluster.id, a.fingerprint)).state).toBe('open');
      expect(await getFinding(db(), cluster.id, b.fingerprint)).toBeNull();

      const retry = await recordScan(db(), input);
      expect(retry).toMatchObject({ runId: claimed.run.id, status: 'complete', alreadyRecorded: false });
      expect(retry.transitions).toMatchObject({ opened: 1, resolved: 1 });
      expect(
        await count(db(), sql`select count(*) as n from findings where run_id = ${claimed.run.id}`),
      ).toBe(1);
      expect(
        await count(db(), sql`select count(*) as n from outbox_events where run_id = ${claimed.run.id}`),
      ).toBe(2);
    },
  );

  it('records nothing over a failed run: status only moves forward', async () => {
    const cluster = await createTestCluster(db());
    const key = { clusterId: cluster.id, slot: hours(0).toISOString(), trigger: 'schedule' as const };
    await failRun(db(), { ...key, reason: 'timed out' });
    const result = await recordScan(db(), scan(cluster.id, 0, { findings: [a] }));

    expect(result).toMatchObject({ status: 'failed', alreadyRecorded: true, findings: { fail: 0 } });
    expect(await getFinding(db(), cluster.id, a.fingerprint)).toBeNull();
  });

  it('writes the same rows with COPY, multi-row VALUES and jsonb_to_recordset, in chunks', async () => {
    const awkward = 'tab\there, new\nline, return\r, back\\slash \\N, quote " and \' {braces}, comma';
    const many = Array.from({ length: 25 }, (_, i) => {
      const finding = makeFinding('wildcards', `binding-${i}`, {
        evidence: { i, text: `quote " and \\ and ' ${i}`, awkward },
        ...(i % 3 === 0
          ? {
              message: `${awkward} ${i}`,
              title: awkward,
              controls: [awkward, 'with "quotes"', 'back\\slash', 'NULL', ''],
              resource: { kind: 'RoleBinding', name: `binding-${i}`, namespace: `ns\t${i}` },
              subject: { kind: 'ServiceAccount' as const, name: `sa-${i}`, namespace: 'kube\\system' },
            }
          : {}),
      });
      return i % 4 === 0 ? suppress(finding) : finding;
    });
    const rowsWith = async (strategy: 'copy' | 'json' | 'values') => {
      const cluster = await createTestCluster(db());
      const result = await recordScan(db(), scan(cluster.id, 0, { findings: many }), {
        insertStrategy: strategy,
        chunkSize: 7,
      });
      const page = await listRunFindings(db(), result.runId, { limit: 100 });
      return page.items.map(({ runId: _runId, ...rest }) => rest);
    };
    const json = await rowsWith('json');
    expect(json).toHaveLength(25);
    expect(json.find((f) => f.title === awkward)?.controls).toContain('with "quotes"');
    expect(await rowsWith('values')).toEqual(json);
    expect(await rowsWith('copy')).toEqual(json);
  });

  it('records a fingerprint reported twice as one finding, one lifecycle and one event', async () => {
    const cluster = await createTestCluster(db());
    const result = await recordScan(db(), scan(cluster.id, 0, { findings: [a, { ...a, message: 'again' }] }));
    expect(result.transitions.opened).toBe(1);
    expect((await listRunFindings(db(), result.runId)).items).toHaveLength(1);
    expect(await eventsOf(db(), result.runId)).toEqual([
      { type: 'finding.opened', fingerprint: a.fingerprint },
    ]);
  });

  it('refuses a cluster that does not exist and a malformed slot', async () => {
    const cluster = await createTestCluster(db());
    await expect(
      recordScan(db(), { ...scan(cluster.id, 0, {}), clusterId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(recordScan(db(), { ...scan(cluster.id, 0, {}), slot: 'a b' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('two concurrent recorders of one run write one run, one set of findings and one set of events', async () => {
    const cluster = await createTestCluster(db());
    const input = scan(cluster.id, 0, { findings: [a, b, c] });
    // On Postgres the second recorder uses its own pool, as a second Lambda would.
    const url = engine === 'postgres' ? testDatabaseUrl(db()) : undefined;
    const other = url ? await openDatabase({ url, poolSize: 2 }) : db();
    try {
      const results = await Promise.all([recordScan(db(), input), recordScan(other, input)]);
      expect(results.map((r) => r.alreadyRecorded).sort()).toEqual([false, true]);
      expect(results[0].runId).toBe(results[1].runId);
      expect(
        await count(db(), sql`select count(*) as n from scan_runs where cluster_id = ${cluster.id}`),
      ).toBe(1);
      expect(
        await count(db(), sql`select count(*) as n from findings where run_id = ${results[0].runId}`),
      ).toBe(3);
      expect(
        await count(db(), sql`select count(*) as n from outbox_events where run_id = ${results[0].runId}`),
      ).toBe(3);
      expect(
        await count(db(), sql`select count(*) as n from finding_lifecycles where cluster_id = ${cluster.id}`),
      ).toBe(3);
    } finally {
      if (other !== db()) await closeDatabase(other);
    }
  });

  it('serialises concurrent recorders of different runs of one cluster so the lifecycle stays consistent', async () => {
    const cluster = await createTestCluster(db());
    const url = engine === 'postgres' ? testDatabaseUrl(db()) : undefined;
    const other = url ? await openDatabase({ url, poolSize: 2 }) : db();
    try {
      await Promise.all([
        recordScan(db(), scan(cluster.id, 0, { findings: [a, b] })),
        recordScan(other, scan(cluster.id, 24, { findings: [a, c], checks: { 'secrets-read': 'pass' } })),
      ]);
      const open = await listFindings(db(), { clusterIds: [cluster.id] });
      expect(open.items.map((f) => f.fingerprint).sort()).toEqual([a.fingerprint, c.fingerprint].sort());
      const opened = await listOutboxEvents(db(), { clusterIds: [cluster.id], types: ['finding.opened'] });
      expect(
        opened.items.filter((e) => (e.payload as FindingEventPayload).fingerprint === a.fingerprint),
      ).toHaveLength(1);
    } finally {
      if (other !== db()) await closeDatabase(other);
    }
  });
});
