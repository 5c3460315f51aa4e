// The audit and the store together: what runAudit reports for a cluster is what the store keeps, follows and
// announces across runs, with exceptions from the store applied by the audit.
import { buildSnapshotFromFiles, CHECKS, runAudit, type Snapshot, SOURCES } from '@vigil/core';
import {
  createException,
  exceptionsForCluster,
  getFinding,
  latestSnapshot,
  listFindings,
  listOutboxEvents,
  recordScan,
} from '@vigil/db';
import { createTestCluster, TEST_ENGINES, useTestDatabase } from '@vigil/db/testing';
import { describe, expect, it } from 'vitest';

const ADMIN_ROLE = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: cluster-admin }
rules:
  - { apiGroups: ["*"], resources: ["*"], verbs: ["*"] }
  - { nonResourceURLs: ["*"], verbs: ["*"] }
`;

const binding = (name: string, user: string) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: ${name} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: ${user} }]
`;

function snapshotOf(clusterName: string, manifests: string): Snapshot {
  const snapshot = buildSnapshotFromFiles({
    manifests: [{ name: 'rbac.yaml', text: manifests }],
    clusterName,
  });
  // The manifests are the whole cluster: kinds they do not mention were read and are empty.
  for (const source of SOURCES) {
    if (snapshot.coverage[source]?.status === 'not_collected')
      snapshot.coverage[source] = { status: 'complete' };
  }
  return snapshot;
}

describe.each(TEST_ENGINES)('audit to store on %s', (engine) => {
  const db = useTestDatabase(engine);

  it('keeps what the audit found, resolves what a later audit no longer finds, and applies stored exceptions', async () => {
    const cluster = await createTestCluster(db(), { labels: { env: 'prod' } });
    const day = (n: number) => new Date(Date.UTC(2026, 2, 1 + n));
    const scan = async (n: number, manifests: string) => {
      const snapshot = snapshotOf(cluster.name, manifests);
      const now = day(n);
      const report = runAudit({
        snapshot,
        checks: CHECKS,
        options: { now: now.toISOString() },
        exceptions: await exceptionsForCluster(db(), cluster.id, now),
      });
      const result = await recordScan(db(), {
        clusterId: cluster.id,
        slot: now.toISOString(),
        trigger: 'schedule',
        report,
        startedAt: now,
        finishedAt: now,
        snapshot,
      });
      return { report, result };
    };

    const first = await scan(0, ADMIN_ROLE + binding('alice-admin', 'alice') + binding('bob-admin', 'bob'));
    expect(first.result.status).toBe(first.report.status);
    const failing = first.report.findings.filter((f) => f.status === 'fail');
    expect(failing.length).toBeGreaterThan(0);
    const open = await listFindings(db(), { clusterIds: [cluster.id], limit: 500 });
    expect(open.items.map((f) => f.fingerprint).sort()).toEqual(failing.map((f) => f.fingerprint).sort());
    expect(first.result.transitions.opened).toBe(failing.length);

    // Bob's binding is removed and Alice's admin power is accepted by an exception for prod clusters.
    await createException(db(), {
      clusterSelector: { matchLabels: { env: 'prod' } },
      checks: ['*'],
      subject: { kind: 'User', name: 'alice' },
      reason: 'break-glass account',
      owner: 'security@example.com',
    });
    const second = await scan(1, ADMIN_ROLE + binding('alice-admin', 'alice'));
    const bobs = failing.filter((f) => f.subject?.name === 'bob');
    const alices = failing.filter((f) => f.subject?.name === 'alice');
    expect(second.result.transitions).toMatchObject({
      resolved: bobs.length,
      suppressed: alices.length,
      opened: 0,
    });
    for (const f of bobs) expect((await getFinding(db(), cluster.id, f.fingerprint))?.state).toBe('resolved');
    for (const f of alices)
      expect((await getFinding(db(), cluster.id, f.fingerprint))?.state).toBe('suppressed');
    const resolved = await listOutboxEvents(db(), {
      runId: second.result.runId,
      types: ['finding.resolved'],
    });
    expect(resolved.items.map((e) => (e.payload as { reason?: string }).reason).sort()).toEqual(
      [...bobs.map(() => 'absent'), ...alices.map(() => 'suppressed')].sort(),
    );

    const kept = await latestSnapshot(db(), cluster.id);
    expect(kept?.runId).toBe(second.result.runId);
    expect(kept?.snapshot.kubernetes.clusterRoleBindings.map((b) => b.name)).toEqual(['alice-admin']);
  });
});
