import { collectSnapshot } from '@vigil/collect';
import { CHECKS, runAudit, snapshotSchema } from '@vigil/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PLANTED_SECRET, smallCluster } from '../fake-kube/fixtures.ts';
import { type FakeKube, startFakeKube } from '../fake-kube/server.ts';
import { testOptions } from './support.ts';

let fake: FakeKube | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const AUDIT_OPTIONS = { now: '2025-06-01T00:00:00Z' };

describe('collecting a cluster through a kubeconfig', () => {
  it('reads every kind the checks need, trimmed, with complete coverage', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    const { options } = testOptions();
    const snapshot = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigYaml: fake.kubeconfig() },
      options,
    );

    expect(snapshot.cluster).toEqual({ name: 'fake', platform: 'kubernetes', kubernetesVersion: 'v1.32.4' });
    expect(snapshot.coverage).toMatchObject({
      clusterroles: { status: 'complete', count: 2 },
      clusterrolebindings: { status: 'complete', count: 2 },
      roles: { status: 'complete', count: 1 },
      rolebindings: { status: 'complete', count: 1 },
      serviceaccounts: { status: 'complete', count: 3 },
      namespaces: { status: 'complete', count: 3 },
      pods: { status: 'complete', count: 1 },
      awsAuth: { status: 'not_applicable' },
      eksCluster: { status: 'not_applicable' },
    });
    expect(snapshot.kubernetes.pods[0]).toEqual({
      kind: 'Pod',
      name: 'web-7d4b9c-abcde',
      namespace: 'team-a',
      labels: {},
      annotations: {},
      serviceAccountName: 'ci',
      owner: { kind: 'ReplicaSet', name: 'web-7d4b9c' },
    });
    const text = JSON.stringify(snapshot);
    // Trimmed to what checks read: no managedFields, no last-applied annotation, no pod spec (env values).
    expect(text).not.toContain('managedFields');
    expect(text).not.toContain('last-applied-configuration');
    expect(text).not.toContain(PLANTED_SECRET);
    expect(text).not.toContain(fake.token);
    // What the collector writes is exactly what `vigil scan --snapshot` will read back.
    expect(snapshotSchema.parse(JSON.parse(text))).toEqual(snapshot);
  });

  it('feeds the audit: findings for the planted risks and a complete run', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    const snapshot = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigYaml: fake.kubeconfig() },
      testOptions().options,
    );
    const report = runAudit({ snapshot, checks: CHECKS, options: AUDIT_OPTIONS });
    expect(report.status).toBe('complete');
    const fails = report.findings.filter((f) => f.status === 'fail');
    expect(fails).toContainEqual(
      expect.objectContaining({
        checkId: 'cluster-admin',
        subject: expect.objectContaining({ kind: 'User', name: 'alice' }),
      }),
    );
    expect(fails).toContainEqual(
      expect.objectContaining({
        checkId: 'secrets-read',
        subject: expect.objectContaining({ kind: 'ServiceAccount', name: 'ci', namespace: 'team-a' }),
      }),
    );
    expect(report.checks.filter((c) => c.status === 'not_evaluated')).toEqual([]);
  });

  it('pages with the configured limit and follows every continue token', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    const { options } = testOptions({ pageSize: 1 });
    const snapshot = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigYaml: fake.kubeconfig() },
      options,
    );
    expect(snapshot.kubernetes.serviceAccounts.map((sa) => `${sa.namespace}/${sa.name}`)).toEqual([
      'kube-system/default',
      'team-a/ci',
      'team-a/default',
    ]);
    const saRequests = fake.requests.filter((r) => r.target === 'serviceaccounts');
    expect(saRequests.map((r) => r.query.limit)).toEqual(['1', '1', '1']);
    expect(saRequests.filter((r) => r.query.continue)).toHaveLength(2);
  });

  it('reports progress per page and once per kind when done', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    const progress: { source: string; fetched: number; done: boolean }[] = [];
    const { options } = testOptions({ pageSize: 1, onProgress: (p) => progress.push(p) });
    await collectSnapshot({ type: 'kubeconfig', kubeconfigYaml: fake.kubeconfig() }, options);
    const done = progress.filter((p) => p.done);
    expect(done.map((p) => p.source).sort()).toEqual(
      [
        'awsAuth',
        'clusterrolebindings',
        'clusterroles',
        'namespaces',
        'pods',
        'rolebindings',
        'roles',
        'serviceaccounts',
      ].sort(),
    );
    expect(done.find((p) => p.source === 'serviceaccounts')?.fetched).toBe(3);
    expect(progress.filter((p) => p.source === 'serviceaccounts' && !p.done).map((p) => p.fetched)).toEqual([
      1, 2, 3,
    ]);
  });

  it('lists kinds concurrently, no more at once than the bound', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    for (const kind of [
      'pods',
      'roles',
      'rolebindings',
      'serviceaccounts',
      'clusterroles',
      'namespaces',
    ] as const) {
      fake.inject(kind, { delayMs: 150 });
    }
    const { options } = testOptions({ concurrency: 2 });
    await collectSnapshot({ type: 'kubeconfig', kubeconfigYaml: fake.kubeconfig() }, options);
    expect(fake.peakInFlight()).toBe(2);
  });

  it('keeps only mapRoles, mapUsers and mapAccounts of aws-auth, never other keys', async () => {
    fake = await startFakeKube({ objects: smallCluster({ awsAuth: true }) });
    const snapshot = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigYaml: fake.kubeconfig() },
      testOptions().options,
    );
    expect(Object.keys(snapshot.kubernetes.awsAuth ?? {}).sort()).toEqual(['mapRoles', 'mapUsers']);
    expect(snapshot.coverage.awsAuth).toEqual({ status: 'complete', count: 1 });
    expect(JSON.stringify(snapshot)).not.toContain(PLANTED_SECRET);
    // Exactly one ConfigMap read, by name: the scanner never lists ConfigMaps.
    expect(fake.count('aws-auth')).toBe(1);
    expect(fake.count('configmaps')).toBe(0);
  });

  it('treats a cluster that looks like EKS as EKS with its AWS-side settings not collected', async () => {
    fake = await startFakeKube({ objects: smallCluster(), gitVersion: 'v1.31.2-eks-7f9249a' });
    const snapshot = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigYaml: fake.kubeconfig(), name: 'prod' },
      testOptions().options,
    );
    expect(snapshot.cluster).toMatchObject({ name: 'prod', platform: 'eks' });
    expect(snapshot.coverage.eksCluster?.status).toBe('not_collected');
    // On EKS an absent aws-auth is a complete read of "no mappings".
    expect(snapshot.coverage.awsAuth).toEqual({ status: 'complete', count: 0, reason: 'not present' });
    const report = runAudit({ snapshot, checks: CHECKS, options: AUDIT_OPTIONS });
    expect(report.status).toBe('partial');
  });

  it('logs structured entries with the scan id and without credentials', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('pods', { status: 503, times: 1 });
    const { options, logs } = testOptions();
    await collectSnapshot({ type: 'kubeconfig', kubeconfigYaml: fake.kubeconfig() }, options);
    expect(logs.some((l) => l.msg === 'retrying a Kubernetes read' && l.scanId === 'scan-test-1')).toBe(true);
    expect(logs.find((l) => l.msg === 'collected')).toMatchObject({
      status: 'complete',
      scanId: 'scan-test-1',
    });
    expect(JSON.stringify(logs)).not.toContain(fake.token);
  });
});
