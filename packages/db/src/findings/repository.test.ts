import { beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../clusters/model.ts';
import { deleteCluster } from '../clusters/repository.ts';
import { recordScan } from '../record-scan.ts';
import { latestRuns, listRuns } from '../runs/repository.ts';
import {
  createTestCluster,
  makeFinding,
  makeReport,
  suppress,
  TEST_ENGINES,
  useTestDatabase,
} from '../testing/index.ts';
import {
  getFinding,
  listFindings,
  listFindingsIso,
  listLifecycleChanges,
  listRunFindings,
  summarizeFleet,
} from './repository.ts';

const T0 = new Date('2026-03-01T00:00:00.000Z');
const at = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);

describe.each(TEST_ENGINES)('finding queries on %s', (engine) => {
  const db = useTestDatabase(engine);
  let east: Cluster;
  let west: Cluster;
  let firstRunEast: string;
  const admin = makeFinding('cluster-admin', 'admins', {
    severity: 'critical',
    controls: ['cis-eks-1.8.0:4.1.1', 'nist-800-53-r5:AC-6'],
  });
  const reader = makeFinding('secrets-read', 'readers', {
    controls: ['cis-eks-1.8.0:4.1.2'],
    resource: { kind: 'RoleBinding', name: 'readers', namespace: 'payments' },
    subject: { kind: 'ServiceAccount', name: 'ci', namespace: 'payments' },
  });
  const wild = makeFinding('wildcards', 'wild', { severity: 'medium', controls: ['cis-eks-1.8.0:4.1.3'] });
  const accepted = suppress(makeFinding('wildcards', 'accepted', { severity: 'medium' }));
  const gone = makeFinding('secrets-read', 'gone', { controls: ['cis-eks-1.8.0:4.1.2'] });

  beforeAll(async () => {
    east = await createTestCluster(db());
    west = await createTestCluster(db());
    firstRunEast = (
      await recordScan(
        db(),
        {
          clusterId: east.id,
          slot: at(0).toISOString(),
          trigger: 'schedule',
          report: makeReport({ findings: [admin, reader, gone, accepted] }),
          startedAt: at(0),
          finishedAt: at(0),
        },
        { now: at(0) },
      )
    ).runId;
    await recordScan(
      db(),
      {
        clusterId: east.id,
        slot: at(24).toISOString(),
        trigger: 'schedule',
        report: makeReport({ findings: [admin, reader, accepted] }),
        startedAt: at(24),
        finishedAt: at(24),
      },
      { now: at(24) },
    );
    await recordScan(
      db(),
      {
        clusterId: west.id,
        slot: at(30).toISOString(),
        trigger: 'schedule',
        report: makeReport({ findings: [admin, wild] }),
        startedAt: at(30),
        finishedAt: at(30),
      },
      { now: at(30) },
    );
  });

  const fingerprints = (items: { fingerprint: string }[]) => items.map((f) => f.fingerprint).sort();
  const both = () => [east.id, west.id];

  it('lists open findings of given clusters, newest first', async () => {
    const page = await listFindings(db(), { clusterIds: both() });
    expect(page.items).toHaveLength(4);
    expect(page.items.every((f) => f.state === 'open')).toBe(true);
    const ids = page.items.map((f) => f.id);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    expect(fingerprints((await listFindings(db(), { clusterIds: [west.id] })).items)).toEqual(
      [admin.fingerprint, wild.fingerprint].sort(),
    );
  });

  it('filters by severity, check, control, subject, resource kind and first seen', async () => {
    const q = (filter: Parameters<typeof listFindings>[1]) =>
      listFindings(db(), { clusterIds: both(), ...filter }).then((p) => p.items);
    expect((await q({ severities: ['critical'] })).map((f) => f.clusterId).sort()).toEqual(both().sort());
    expect(fingerprints(await q({ checkIds: ['secrets-read'] }))).toEqual([reader.fingerprint]);
    expect(fingerprints(await q({ control: 'nist-800-53-r5:AC-6' }))).toEqual([
      admin.fingerprint,
      admin.fingerprint,
    ]);
    expect(fingerprints(await q({ control: 'cis-eks-1.8.0:4.1.2' }))).toEqual([reader.fingerprint]);
    expect(await q({ control: 'cis-eks-1.8.0:9.9.9' })).toEqual([]);
    expect(
      fingerprints(await q({ subject: { kind: 'ServiceAccount', name: 'ci', namespace: 'payments' } })),
    ).toEqual([reader.fingerprint]);
    expect(await q({ subject: { kind: 'User', name: 'ci' } })).toEqual([]);
    expect(fingerprints(await q({ resourceKind: 'RoleBinding' }))).toEqual([reader.fingerprint]);
    expect(fingerprints(await q({ firstSeenSince: at(12) }))).toEqual(
      [admin.fingerprint, wild.fingerprint].sort(),
    );
  });

  it('answers nothing for an empty cluster list (a key that may see no cluster), never everything', async () => {
    expect((await listFindings(db(), { clusterIds: [] })).items).toEqual([]);
    expect((await listLifecycleChanges(db(), { since: T0, clusterIds: [] })).items).toEqual([]);
    expect((await listRuns(db(), { clusterIds: [] })).items).toEqual([]);
    expect((await latestRuns(db(), { clusterIds: [] })).items).toEqual([]);
    expect(await summarizeFleet(db(), { clusterIds: [] })).toMatchObject({
      clusters: 0,
      clustersReporting: 0,
    });
    expect((await listFindings(db(), { clusterIds: ['not-a-uuid'] })).items).toEqual([]);
  });

  it('lists suppressed and resolved findings when asked for those states', async () => {
    const suppressed = await listFindings(db(), { clusterIds: both(), states: ['suppressed'] });
    expect(suppressed.items.map((f) => [f.fingerprint, f.suppression?.exceptionId])).toEqual([
      [accepted.fingerprint, 'exception-1'],
    ]);
    const resolved = await listFindings(db(), { clusterIds: both(), states: ['resolved'] });
    expect(resolved.items.map((f) => [f.fingerprint, f.resolvedAt])).toEqual([[gone.fingerprint, at(24)]]);
  });

  it('pages through findings with an opaque cursor, without repeats or gaps', async () => {
    const all = await listFindings(db(), { clusterIds: both(), states: ['open', 'suppressed', 'resolved'] });
    const paged: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await listFindings(db(), {
        clusterIds: both(),
        states: ['open', 'suppressed', 'resolved'],
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      paged.push(...page.items.map((f) => f.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(all.items.map((f) => f.id));
    expect(paged).toHaveLength(6);
  });

  it('answers the same lifecycles with instants as ISO strings (listFindingsIso), key for key', async () => {
    const filter = { clusterIds: both(), states: ['open', 'suppressed', 'resolved'] as const };
    const dated = await listFindings(db(), { ...filter, states: [...filter.states] });
    const iso = await listFindingsIso(db(), { ...filter, states: [...filter.states] });
    expect(iso.nextCursor).toBe(dated.nextCursor);
    expect(JSON.stringify(iso.items)).toBe(JSON.stringify(dated.items));
    expect(iso.items.every((f) => typeof f.firstSeenAt === 'string')).toBe(true);
    expect(iso.items.some((f) => f.subject && f.resource.namespace)).toBe(true);
    expect(iso.items.some((f) => f.suppression)).toBe(true);
    expect(iso.items.some((f) => f.resolvedAt !== null)).toBe(true);
    // The same statement shape again (prepared once) answers the same.
    expect(await listFindingsIso(db(), { ...filter, states: [...filter.states] })).toEqual(iso);
  });

  it('returns one finding with the evidence of the last run that reported it', async () => {
    const detail = await getFinding(db(), east.id, reader.fingerprint);
    expect(detail).toMatchObject({
      checkId: 'secrets-read',
      state: 'open',
      resource: { kind: 'RoleBinding', name: 'readers', namespace: 'payments' },
      subject: { kind: 'ServiceAccount', name: 'ci', namespace: 'payments' },
      evidence: reader.evidence,
      firstRunId: firstRunEast,
    });
    expect(await getFinding(db(), west.id, reader.fingerprint)).toBeNull();
  });

  it("lists a run's findings by fingerprint with status filters and paging", async () => {
    const all = await listRunFindings(db(), firstRunEast, { limit: 500 });
    expect(fingerprints(all.items)).toEqual(
      [admin.fingerprint, reader.fingerprint, gone.fingerprint, accepted.fingerprint].sort(),
    );
    const suppressed = await listRunFindings(db(), firstRunEast, { statuses: ['suppressed'] });
    expect(suppressed.items.map((f) => f.fingerprint)).toEqual([accepted.fingerprint]);
    const first = await listRunFindings(db(), firstRunEast, { limit: 3 });
    const rest = await listRunFindings(db(), firstRunEast, { limit: 3, cursor: first.nextCursor! });
    expect([...first.items, ...rest.items].map((f) => f.fingerprint)).toEqual(
      all.items.map((f) => f.fingerprint),
    );
    await expect(listRunFindings(db(), west.id, { cursor: first.nextCursor! })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
  });

  it('lists lifecycle changes since an instant, oldest change first, resumable by cursor', async () => {
    const since = await listLifecycleChanges(db(), { since: at(12), clusterIds: both() });
    expect(since.items.map((f) => [f.fingerprint, f.state, f.changedAt])[0]).toEqual([
      gone.fingerprint,
      'resolved',
      at(24),
    ]);
    expect(since.items.slice(1).map((f) => [f.clusterId, f.fingerprint, f.changedAt])).toEqual(
      expect.arrayContaining([
        [west.id, admin.fingerprint, at(30)],
        [west.id, wild.fingerprint, at(30)],
      ]),
    );
    expect(since.items).toHaveLength(3);
    const first = await listLifecycleChanges(db(), { since: at(12), clusterIds: both(), limit: 1 });
    const next = await listLifecycleChanges(db(), {
      since: at(12),
      clusterIds: both(),
      limit: 5,
      cursor: first.nextCursor!,
    });
    expect([...first.items, ...next.items].map((f) => f.id)).toEqual(since.items.map((f) => f.id));
  });

  it('adds up open findings by severity across the fleet from each cluster latest result', async () => {
    const summary = await summarizeFleet(db(), { clusterIds: both() });
    expect(summary).toEqual({
      open: { critical: 2, high: 1, medium: 1, low: 0, info: 0 },
      clustersReporting: 2,
      clusters: 2,
    });
    const silent = await createTestCluster(db());
    expect(await summarizeFleet(db(), { clusterIds: [...both(), silent.id] })).toMatchObject({
      clustersReporting: 2,
      clusters: 3,
    });
    await deleteCluster(db(), silent.id);
    expect((await summarizeFleet(db(), { clusterIds: [west.id] })).open).toEqual({
      critical: 1,
      high: 0,
      medium: 1,
      low: 0,
      info: 0,
    });
  });
});
