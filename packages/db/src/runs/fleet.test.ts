import { describe, expect, it } from 'vitest';
import { createCluster, deleteCluster, listClusters } from '../clusters/repository.ts';
import { recordScan } from '../record-scan.ts';
import {
  createTestCluster,
  makeCompliance,
  makeFinding,
  makeReport,
  TEST_ENGINES,
  useTestDatabase,
} from '../testing/index.ts';
import { fleetComplianceCounts, rankClustersByOpenFindings } from './fleet.ts';

describe.each(TEST_ENGINES)('fleet reads on %s', (engine) => {
  const db = useTestDatabase(engine);

  async function scanned(
    findings: ReturnType<typeof makeFinding>[],
    controls: Record<string, 'pass' | 'fail' | 'not_evaluated'>,
    labels = { env: 'fleet' },
  ) {
    const cluster = await createTestCluster(db(), { labels });
    const at = new Date('2026-11-26T06:00:00Z');
    await recordScan(db(), {
      clusterId: cluster.id,
      slot: at.toISOString(),
      trigger: 'schedule',
      report: makeReport({ findings, compliance: makeCompliance(controls) }),
      startedAt: at,
      finishedAt: at,
    });
    return cluster;
  }

  it('ranks clusters by open critical, then high findings, from their latest recorded run', async () => {
    const calm = await scanned([makeFinding('wildcards', 'a', { severity: 'low' })], { '4.1.1': 'pass' });
    const bad = await scanned(
      [
        makeFinding('cluster-admin', 'b', { severity: 'critical' }),
        makeFinding('wildcards', 'c', { severity: 'high' }),
      ],
      { '4.1.1': 'fail' },
    );
    const worse = await scanned(
      [
        makeFinding('cluster-admin', 'd', { severity: 'critical' }),
        makeFinding('cluster-admin', 'e', { severity: 'critical' }),
      ],
      { '4.1.1': 'fail' },
    );
    await createTestCluster(db(), { labels: { env: 'fleet' } });
    const ranked = await rankClustersByOpenFindings(db(), {
      clusterIds: [calm.id, bad.id, worse.id],
      limit: 10,
    });
    expect(ranked.map((r) => r.clusterId)).toEqual([worse.id, bad.id, calm.id]);
    expect(ranked[0]!.openBySeverity).toMatchObject({ critical: 2, high: 0 });
    expect(
      await rankClustersByOpenFindings(db(), { clusterIds: [calm.id, bad.id, worse.id], limit: 1 }),
    ).toHaveLength(1);
    await expect(rankClustersByOpenFindings(db(), { limit: 0 })).rejects.toThrow(/limit/);
  });

  it('counts clusters per control status, leaving out deleted clusters', async () => {
    const a = await scanned([], { '4.1.1': 'pass', '4.1.2': 'fail' });
    const b = await scanned([], { '4.1.1': 'fail', '4.1.2': 'fail' });
    const gone = await scanned([], { '4.1.1': 'fail', '4.1.2': 'not_evaluated' });
    await deleteCluster(db(), gone.id);
    const { counts, clustersReporting } = await fleetComplianceCounts(db(), {
      clusterIds: [a.id, b.id, gone.id],
    });
    expect(clustersReporting).toBe(2);
    const of = (id: string) =>
      Object.fromEntries(
        counts.filter((c) => c.qualifiedId === `cis-eks-1.8.0:${id}`).map((c) => [c.status, c.clusters]),
      );
    expect(of('4.1.1')).toEqual({ pass: 1, fail: 1 });
    expect(of('4.1.2')).toEqual({ fail: 2 });
    expect(
      (await fleetComplianceCounts(db(), { clusterIds: [a.id], framework: 'other-1.0' })).counts,
    ).toEqual([]);
  });

  it('finds clusters by a case-insensitive part of their name, with LIKE wildcards taken literally', async () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const plain = await createCluster(db(), {
      name: `Search-Me-${suffix}`,
      source: { type: 'snapshot', path: 'x.json' },
    });
    const underscore = await createCluster(db(), {
      name: `search_me-${suffix}`,
      source: { type: 'snapshot', path: 'y.json' },
    });
    const found = (await listClusters(db(), { search: `search-me-${suffix}`, limit: 500 })).items.map(
      (c) => c.id,
    );
    expect(found).toEqual([plain.id]);
    const literal = (await listClusters(db(), { search: `_me-${suffix}`, limit: 500 })).items.map(
      (c) => c.id,
    );
    expect(literal).toEqual([underscore.id]);
  });
});
