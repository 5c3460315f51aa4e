import { describe, expect, it } from 'vitest';
import { recordScan } from '../record-scan.ts';
import {
  createTestCluster,
  makeFinding,
  makeReport,
  suppress,
  TEST_ENGINES,
  useTestDatabase,
} from '../testing/index.ts';
import type { FindingLifecycle } from './model.ts';
import { type FindingFilter, listFindings, listFindingsJson } from './repository.ts';

/** A lifecycle as JSON.stringify writes it: instants as ISO strings, absent optional fields left out. */
function asJson(f: FindingLifecycle): unknown {
  return JSON.parse(JSON.stringify(f));
}

describe.each(TEST_ENGINES)('listFindingsJson on %s', (engine) => {
  const db = useTestDatabase(engine);

  it('serialises every page exactly as listFindings returns it, with the same cursors', async () => {
    const cluster = await createTestCluster(db());
    const namespaced = makeFinding('secrets-read', 'reader', {
      resource: { kind: 'RoleBinding', name: 'reader', namespace: 'payments' },
      subject: { kind: 'ServiceAccount', name: 'app', namespace: 'payments' },
      severity: 'medium',
    });
    const subjectless = { ...makeFinding('endpoint-public', 'cluster'), subject: undefined };
    delete subjectless.subject;
    const quoted = makeFinding('cluster-admin', 'say "hi" \\ ünïcödé', {
      message: 'line\nbreak "quoted" \u2028',
    });
    const gone = makeFinding('wildcards', 'gone');
    const first = new Date('2026-11-25T06:00:00.123Z');
    await recordScan(db(), {
      clusterId: cluster.id,
      slot: first.toISOString(),
      trigger: 'schedule',
      report: makeReport({
        findings: [namespaced, subjectless, quoted, gone, suppress(makeFinding('create-pods', 'x'))],
      }),
      startedAt: first,
      finishedAt: first,
    });
    const second = new Date('2026-11-26T06:00:00.456Z');
    await recordScan(db(), {
      clusterId: cluster.id,
      slot: second.toISOString(),
      trigger: 'schedule',
      report: makeReport({
        findings: [namespaced, subjectless, quoted, suppress(makeFinding('create-pods', 'x'))],
        checks: { wildcards: 'pass' },
      }),
      startedAt: second,
      finishedAt: second,
    });
    const filters: FindingFilter[] = [
      { clusterIds: [cluster.id], states: ['open', 'resolved', 'suppressed'], limit: 2 },
      { clusterIds: [cluster.id], states: ['resolved'] },
      { clusterIds: [cluster.id], states: ['suppressed'] },
      { clusterIds: [cluster.id], severities: ['medium'], subject: { name: 'app', namespace: 'payments' } },
    ];
    for (const filter of filters) {
      let cursor: string | undefined;
      let pages = 0;
      do {
        const [objects, json] = await Promise.all([
          listFindings(db(), { ...filter, ...(cursor ? { cursor } : {}) }),
          listFindingsJson(db(), { ...filter, ...(cursor ? { cursor } : {}) }),
        ]);
        expect(json.items.map((text) => JSON.parse(text))).toEqual(objects.items.map(asJson));
        expect(json.nextCursor).toBe(objects.nextCursor);
        cursor = objects.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBeGreaterThan(0);
    }
    const all = await listFindingsJson(db(), {
      clusterIds: [cluster.id],
      states: ['open', 'resolved', 'suppressed'],
    });
    expect(all.items).toHaveLength(5);
    expect(all.items.some((text) => JSON.parse(text).resolvedAt === '2026-11-26T06:00:00.456Z')).toBe(true);
  });
});
