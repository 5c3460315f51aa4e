import type { LabelSelector } from '@vigil/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { deleteCluster, listClusterIds } from '../clusters/repository.ts';
import { recordScan } from '../record-scan.ts';
import {
  createTestCluster,
  makeFinding,
  makeReport,
  TEST_ENGINES,
  useTestDatabase,
} from '../testing/index.ts';
import { type FindingFilter, listFindings, listFindingsIso } from './repository.ts';

const T0 = new Date('2026-03-01T00:00:00.000Z');

// The API passes a key's selector (and a request's) to the findings query instead of the ids it picks:
// the rows must be exactly those of the ids listClusterIds gives for the same selectors.
describe.each(TEST_ENGINES)('findings limited by cluster selectors on %s', (engine) => {
  const db = useTestDatabase(engine);
  const labelsOf: Record<string, string>[] = [
    { env: 'prod', region: 'eu' },
    { env: 'prod', region: 'us' },
    { env: 'staging', region: 'eu' },
    { env: 'dev' },
    { env: 'prod', region: 'eu', tier: 'gold' },
  ];

  beforeAll(async () => {
    for (const [i, labels] of labelsOf.entries()) {
      const cluster = await createTestCluster(db(), { labels });
      await recordScan(
        db(),
        {
          clusterId: cluster.id,
          slot: T0.toISOString(),
          trigger: 'schedule',
          report: makeReport({
            findings: [makeFinding('cluster-admin', `admins-${i}`), makeFinding('wildcards', `wild-${i}`)],
          }),
          startedAt: T0,
          finishedAt: T0,
        },
        { now: T0 },
      );
      // The last one is deleted: its rows stay stored, no selector may reach them.
      if (i === labelsOf.length - 1) await deleteCluster(db(), cluster.id);
    }
  });

  const selectors: LabelSelector[][] = [
    [{}],
    [{ matchLabels: { env: 'prod' } }],
    [{ matchLabels: { env: 'prod', region: 'eu' } }],
    [{ matchExpressions: [{ key: 'region', operator: 'In', values: ['eu', 'us'] }] }],
    [{ matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu'] }] }],
    [{ matchExpressions: [{ key: 'region', operator: 'DoesNotExist' }] }],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }],
    [
      { matchLabels: { env: 'prod' } },
      { matchExpressions: [{ key: 'region', operator: 'In', values: ['us'] }] },
    ],
    [{ matchLabels: { env: 'prod' } }, { matchLabels: { env: 'staging' } }],
    [{ matchLabels: { env: 'nowhere' } }],
  ];

  it('lists the rows of the clusters the selectors pick, never those of others or of deleted ones', async () => {
    for (const clusterSelectors of selectors) {
      let ids: string[] | undefined;
      for (const selector of clusterSelectors) {
        const picked = await listClusterIds(db(), selector);
        ids = ids ? ids.filter((id) => picked.includes(id)) : picked;
      }
      for (const extra of [
        {},
        { states: ['open', 'resolved'] },
        { checkIds: ['wildcards'] },
      ] as FindingFilter[]) {
        const bySelector = await listFindings(db(), { ...extra, clusterSelectors, limit: 500 });
        const byIds = await listFindings(db(), { ...extra, clusterIds: ids ?? [], limit: 500 });
        expect(bySelector, JSON.stringify(clusterSelectors)).toEqual(byIds);
      }
      const one = ids?.[0];
      if (one) {
        const narrowed = await listFindingsIso(db(), { clusterIds: [one], clusterSelectors });
        expect(narrowed.items.length).toBe(2);
        expect(narrowed.items.every((f) => f.clusterId === one)).toBe(true);
      }
    }
    const everything = await listFindings(db(), { limit: 500 });
    const live = await listFindings(db(), { clusterSelectors: [{}], limit: 500 });
    expect(everything.items.length).toBe(2 * labelsOf.length);
    expect(live.items.length).toBe(2 * (labelsOf.length - 1));
  });

  it('pages with a cursor under a selector', async () => {
    const clusterSelectors = [{ matchLabels: { env: 'prod' } }];
    const all = await listFindings(db(), { clusterSelectors, limit: 500 });
    const first = await listFindings(db(), { clusterSelectors, limit: 3 });
    const rest = await listFindings(db(), { clusterSelectors, limit: 500, cursor: first.nextCursor! });
    expect([...first.items, ...rest.items]).toEqual(all.items);
  });
});
