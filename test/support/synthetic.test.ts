import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKS, runAudit } from '@vigil/core';
import { buildRbacIndex } from '@vigil/core/rbac';
import { buildSnapshotFromFiles, parseSnapshotFile, snapshotSchema } from '@vigil/core/snapshot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countObjects,
  eksDescribeText,
  generateCluster,
  kubectlListText,
  snapshotFileText,
  totalOf,
  writeClusterFiles,
} from './synthetic.ts';

const NOW = { now: '2025-06-02T00:00:00.000Z' };

describe('generateCluster', () => {
  it('gives the same cluster for the same seed and a different one for another seed', () => {
    const a = snapshotFileText(generateCluster({ objects: 2000, seed: 42 }));
    const b = snapshotFileText(generateCluster({ objects: 2000, seed: 42 }));
    const c = snapshotFileText(generateCluster({ objects: 2000, seed: 43 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(snapshotFileText(generateCluster({ objects: 2000, seed: 'x' }))).toBe(
      snapshotFileText(generateCluster({ objects: 2000, seed: 'x' })),
    );
  });

  it.each([1000, 5000, 20_000])('generates %i objects in all, within 2%%', (objects) => {
    for (const eks of [true, false]) {
      const cluster = generateCluster({ objects, seed: 7, eks });
      expect(cluster.total).toBe(totalOf(countObjects(cluster.snapshot)));
      expect(Math.abs(cluster.total - objects) / objects).toBeLessThanOrEqual(0.02);
    }
  });

  it('scales tenant namespaces with size and keeps a realistic mix of kinds', () => {
    const { counts } = generateCluster({ objects: 20_000, seed: 3 });
    // About one namespace per 50 objects, each with ServiceAccounts, Roles, RoleBindings and Pods.
    expect(counts.namespaces).toBeGreaterThan(20_000 / 50 - 40);
    expect(counts.namespaces).toBeLessThan(20_000 / 50 + 40);
    expect(counts.serviceAccounts).toBeGreaterThan(counts.namespaces * 3);
    expect(counts.roles).toBeGreaterThan(counts.namespaces * 2);
    expect(counts.roleBindings).toBeGreaterThan(counts.roles);
    expect(counts.pods).toBeGreaterThan(counts.roleBindings);
    expect(counts.clusterRoles).toBeGreaterThan(60);
    expect(counts.awsAuthEntries).toBeGreaterThan(10);
    expect(counts.accessEntries).toBeGreaterThan(10);
  });

  it('returns exactly what snapshotSchema parses the snapshot file to', () => {
    for (const eks of [true, false]) {
      const cluster = generateCluster({ objects: 3000, seed: 5, eks });
      expect(snapshotSchema.parse(JSON.parse(snapshotFileText(cluster)))).toEqual(cluster.snapshot);
      expect(parseSnapshotFile({ name: 's.json', text: snapshotFileText(cluster) })).toEqual(
        cluster.snapshot,
      );
    }
  });

  it('gives every ServiceAccount-bearing namespace a default ServiceAccount and every pod an owner', () => {
    const { kubernetes } = generateCluster({ objects: 3000, seed: 9 }).snapshot;
    const accounts = new Set(kubernetes.serviceAccounts.map((sa) => `${sa.namespace}/${sa.name}`));
    for (const ns of kubernetes.namespaces) expect(accounts).toContain(`${ns.name}/default`);
    for (const pod of kubernetes.pods) {
      expect(pod.owner).toBeDefined();
      expect(accounts).toContain(`${pod.namespace}/${pod.serviceAccountName}`);
    }
  });

  it('resolves the aggregated admin/edit/view roles and maps IAM principals onto the teams', () => {
    const { snapshot } = generateCluster({ objects: 3000, seed: 11 });
    const rbac = buildRbacIndex(snapshot);
    const view = rbac.roles.get('ClusterRole:view')!;
    expect(view.aggregatedFrom).toContain('system:aggregate-to-view');
    expect(rbac.roles.get('ClusterRole:admin')!.aggregatedFrom).toEqual(
      expect.arrayContaining(['edit', 'view', 'system:aggregate-to-admin']),
    );
    const secretReaders = rbac.whoCan({
      verb: 'get',
      apiGroup: '',
      resource: 'secrets',
      namespace: snapshot.kubernetes.namespaces.at(-1)!.name,
    });
    expect(
      secretReaders.some((g) => g.subject.kind === 'IAMPrincipal' && g.via?.mapping.kind === 'aws-auth'),
    ).toBe(true);
    expect(secretReaders.some((g) => g.subject.kind === 'Group' && g.subject.name.endsWith('-devs'))).toBe(
      true,
    );
  });

  it('sprinkles in the risky grants the checks look for', () => {
    const { snapshot } = generateCluster({ objects: 5000, seed: 1 });
    const rbac = buildRbacIndex(snapshot);
    const holders = (query: Parameters<typeof rbac.whoCan>[0]) =>
      rbac.whoCan(query).filter((g) => g.binding.kind !== 'Authorizer');
    expect(holders({ verb: 'impersonate', apiGroup: '', resource: 'users' }).length).toBeGreaterThan(0);
    expect(
      holders({ verb: 'escalate', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles' }).length,
    ).toBeGreaterThan(0);
    expect(holders({ verb: 'create', apiGroup: '', resource: 'pods' }).length).toBeGreaterThan(0);
    expect(
      holders({ verb: 'get', apiGroup: '', resource: 'nodes', subresource: 'proxy' }).length,
    ).toBeGreaterThan(0);
    expect(rbac.danglingRoleRefs.length).toBeGreaterThan(0);
    expect(snapshot.kubernetes.roles.some((r) => r.rules.some((rule) => rule.verbs.includes('*')))).toBe(
      true,
    );
    expect(snapshot.kubernetes.awsAuth?.mapRoles).toContain('system:masters');
    expect(snapshot.kubernetes.awsAuth?.mapRoles).toContain('444455556666');
    expect(
      snapshot.eks?.accessEntries.some((e) =>
        e.associatedAccessPolicies.some((p) => p.policyArn.endsWith('AmazonEKSClusterAdminPolicy')),
      ),
    ).toBe(true);
  });

  it('audits with every check running and failing checks among them', () => {
    const { snapshot } = generateCluster({ objects: 3000, seed: 2 });
    const report = runAudit({ snapshot, checks: CHECKS, options: NOW });
    expect(report.status).toBe('complete');
    expect(report.checks.filter((c) => c.status === 'not_evaluated')).toEqual([]);
    expect(report.summary.checks.fail).toBeGreaterThan(0);
    expect(report.summary.findings.suppressed).toBeGreaterThan(0);
  });

  it('builds a plain Kubernetes cluster without EKS parts when eks is false', () => {
    const { snapshot, counts } = generateCluster({ objects: 2000, seed: 4, eks: false });
    expect(snapshot.cluster.platform).toBe('kubernetes');
    expect(snapshot.eks).toBeNull();
    expect(snapshot.kubernetes.awsAuth).toBeNull();
    expect(snapshot.coverage.accessEntries?.status).toBe('not_applicable');
    expect(counts.awsAuthEntries + counts.accessEntries).toBe(0);
  });
});

describe('the raw forms', () => {
  const cluster = generateCluster({ objects: 3000, seed: 8 });
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-synthetic-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the kubectl List and EKS describe output into the same objects as the snapshot', () => {
    const loaded = buildSnapshotFromFiles({
      manifests: [{ name: 'cluster-list.json', text: kubectlListText(cluster) }],
      eks: { name: 'eks.json', text: eksDescribeText(cluster)! },
    });
    expect(loaded.kubernetes).toEqual(cluster.snapshot.kubernetes);
    expect(loaded.eks?.accessEntries).toEqual(cluster.snapshot.eks?.accessEntries);
    expect(loaded.eks?.identityProviderConfigs).toEqual(cluster.snapshot.eks?.identityProviderConfigs);
    expect(loaded.eks?.cluster).toEqual(cluster.snapshot.eks?.cluster);
    expect(loaded.cluster.arn).toBe(cluster.snapshot.cluster.arn);
  });

  it('writes the snapshot, List and EKS files that the loaders read back', async () => {
    const files = await writeClusterFiles(cluster, dir);
    const snapshot = parseSnapshotFile({
      name: 'snapshot.json',
      text: await readFile(files.snapshot!, 'utf8'),
    });
    expect(snapshot).toEqual(cluster.snapshot);
    const list = JSON.parse(await readFile(files.list!, 'utf8')) as {
      kind: string;
      items: { kind: string }[];
    };
    expect(list.kind).toBe('List');
    expect(list.items.filter((item) => item.kind === 'ConfigMap')).toHaveLength(1);
    expect(files.eks).not.toBeNull();
  });

  it('writes only the forms asked for', async () => {
    const files = await writeClusterFiles(cluster, join(dir, 'only-snapshot'), ['snapshot']);
    expect(files.list).toBeNull();
    expect(files.eks).toBeNull();
    expect(files.snapshot).not.toBeNull();
  });
});
