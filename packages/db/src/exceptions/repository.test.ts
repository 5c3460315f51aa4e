import { buildSnapshotFromFiles, CHECKS, runAudit, SOURCES } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { createTestCluster, TEST_ENGINES, useTestDatabase } from '../testing/index.ts';
import {
  createException,
  exceptionsForCluster,
  getException,
  listExceptions,
  revokeException,
  updateException,
} from './repository.ts';

const NOW = new Date('2026-03-10T12:00:00.000Z');

const MANIFESTS = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: cluster-admin }
rules:
  - { apiGroups: ["*"], resources: ["*"], verbs: ["*"] }
  - { nonResourceURLs: ["*"], verbs: ["*"] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: alice-admin }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: alice }]
`;

describe.each(TEST_ENGINES)('exceptions on %s', (engine) => {
  const db = useTestDatabase(engine);
  const tag = () => `t${Math.random().toString(36).slice(2, 8)}`;

  it('stores an exception and gives it to the audit of clusters its selector matches, by row id', async () => {
    const team = tag();
    const prod = await createTestCluster(db(), { labels: { team, env: 'prod' } });
    const dev = await createTestCluster(db(), { labels: { team, env: 'dev' } });
    const exception = await createException(db(), {
      clusterSelector: { matchLabels: { team, env: 'dev' } },
      checks: ['cluster-admin'],
      subject: { kind: 'Group', name: 'platform-*' },
      reason: 'platform team administers dev clusters',
      owner: 'platform@example.com',
      expiresAt: new Date('2026-06-01T00:00:00.000Z'),
    });
    expect(await getException(db(), exception.id)).toEqual(exception);

    const forDev = await exceptionsForCluster(db(), dev.id, NOW);
    expect(forDev.defaults).toBe(true);
    expect(forDev.exceptions.filter((e) => e.id === exception.id)).toEqual([
      {
        id: exception.id,
        checks: ['cluster-admin'],
        subject: { kind: 'Group', name: 'platform-*' },
        reason: 'platform team administers dev clusters',
        owner: 'platform@example.com',
        expires: '2026-06-01T00:00:00.000Z',
      },
    ]);
    const forProd = await exceptionsForCluster(db(), prod.id, NOW);
    expect(forProd.exceptions.some((e) => e.id === exception.id)).toBe(false);
  });

  it('stops applying an exception once it expired or was revoked', async () => {
    const cluster = await createTestCluster(db());
    const expiring = await createException(db(), {
      checks: ['*'],
      resource: { kind: 'ClusterRoleBinding', name: 'legacy' },
      reason: 'migration in progress',
      expiresAt: new Date(NOW.getTime() + 60_000),
    });
    const revoked = await createException(db(), { checks: ['wildcards'], reason: 'temporary' });
    const ids = async (at: Date) =>
      (await exceptionsForCluster(db(), cluster.id, at)).exceptions
        .map((e) => e.id)
        .filter((id) => id === expiring.id || id === revoked.id)
        .sort();

    expect(await ids(NOW)).toEqual([expiring.id, revoked.id].sort());
    expect(await revokeException(db(), revoked.id)).toBe(true);
    expect(await revokeException(db(), revoked.id)).toBe(false);
    expect(await ids(NOW)).toEqual([expiring.id]);
    expect(await ids(new Date(NOW.getTime() + 60_000))).toEqual([]);
    expect(await updateException(db(), revoked.id, { checks: ['x'], reason: 'y' })).toBeNull();
  });

  it('suppresses the findings it covers when runAudit receives it', async () => {
    const cluster = await createTestCluster(db());
    const snapshot = buildSnapshotFromFiles({
      manifests: [{ name: 'rbac.yaml', text: MANIFESTS }],
      clusterName: cluster.name,
    });
    // The manifests are the whole cluster: kinds they do not mention were read and are empty.
    for (const source of SOURCES) {
      if (snapshot.coverage[source]?.status === 'not_collected')
        snapshot.coverage[source] = { status: 'complete' };
    }
    const before = runAudit({ snapshot, checks: CHECKS, options: { now: NOW.toISOString() } });
    const aliceFindings = before.findings.filter((f) => f.subject?.name === 'alice');
    expect(aliceFindings.length).toBeGreaterThan(0);
    expect(aliceFindings.every((f) => f.status === 'fail')).toBe(true);

    const exception = await createException(db(), {
      checks: ['*'],
      subject: { kind: 'User', name: 'alice' },
      reason: 'break-glass account',
    });
    const after = runAudit({
      snapshot,
      checks: CHECKS,
      options: { now: NOW.toISOString() },
      exceptions: await exceptionsForCluster(db(), cluster.id, NOW),
    });
    const alice = after.findings.filter((f) => f.subject?.name === 'alice');
    expect(alice.map((f) => [f.status, f.suppression?.exceptionId])).toEqual(
      alice.map(() => ['suppressed', exception.id]),
    );
  });

  it('refuses an exception the audit could not use', async () => {
    await expect(createException(db(), { checks: [], reason: 'x' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(createException(db(), { checks: ['a'], reason: '' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      createException(db(), {
        checks: ['a'],
        reason: 'r',
        clusterSelector: { matchExpressions: [{ key: 'env', operator: 'Near' as never }] },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('clusterSelector') });
    await expect(
      exceptionsForCluster(db(), '00000000-0000-4000-8000-000000000000', NOW),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('lists exceptions oldest first, active ones or all, with a cursor', async () => {
    const made: Awaited<ReturnType<typeof createException>>[] = [];
    for (let i = 0; i < 3; i++)
      made.push(await createException(db(), { checks: [`c${i}`], reason: `r${i}` }));
    await revokeException(db(), made[1]!.id);
    const collect = async (filter: Parameters<typeof listExceptions>[1]) => {
      const out: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listExceptions(db(), { ...filter, limit: 1, ...(cursor ? { cursor } : {}) });
        out.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return out.filter((id) => made.some((m) => m.id === id));
    };
    // Oldest first, ties (made within one millisecond) by id: the order the cursor pages in.
    const oldestFirst = [...made]
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .map((m) => m.id);
    const active = oldestFirst.filter((id) => id !== made[1]!.id);
    expect(await collect({})).toEqual(active);
    expect(await collect({ includeRevoked: true })).toEqual(oldestFirst);
    expect(await collect({ activeAt: NOW })).toEqual(active);
  });
});
