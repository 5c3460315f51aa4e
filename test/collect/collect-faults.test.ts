import {
  ClusterAuthError,
  ClusterUnreachableError,
  collectSnapshot,
  DeadlineExceededError,
  InvalidResponseError,
} from '@vigil/collect';
import { CHECKS, runAudit } from '@vigil/core';
import { afterEach, describe, expect, it } from 'vitest';
import { smallCluster } from '../fake-kube/fixtures.ts';
import { type FakeKube, startFakeKube } from '../fake-kube/server.ts';
import { testOptions } from './support.ts';

let fake: FakeKube | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const AUDIT_OPTIONS = { now: '2025-06-01T00:00:00Z' };

async function collect(overrides: Parameters<typeof testOptions>[0] = {}, kubeconfig = fake!.kubeconfig()) {
  const { options, waits, logs } = testOptions(overrides);
  const snapshot = await collectSnapshot({ type: 'kubeconfig', kubeconfigYaml: kubeconfig }, options);
  return { snapshot, waits, logs };
}

function clusterRoles(names: string[]) {
  return names.map((name) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name },
    rules: [],
  }));
}

describe('per-kind failures become coverage, never an empty cluster', () => {
  it('records 403 as forbidden, marks the checks that need the kind not_evaluated and the run partial', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('rolebindings', { status: 403 });
    const { snapshot } = await collect();
    expect(snapshot.coverage.rolebindings).toEqual({
      status: 'forbidden',
      reason: 'injected failure for rolebindings',
    });
    expect(snapshot.kubernetes.roleBindings).toEqual([]);
    const report = runAudit({ snapshot, checks: CHECKS, options: AUDIT_OPTIONS });
    expect(report.status).toBe('partial');
    // Every check that reads RoleBindings, except those about inputs this (non-EKS) cluster does not have,
    // which are not applicable whatever else is missing.
    const applies = (c: (typeof CHECKS)[number]) =>
      !(c.meta.appliesWith ?? []).some((source) => snapshot.coverage[source]?.status === 'not_applicable');
    const readers = CHECKS.filter((c) => c.meta.reads.includes('rolebindings') && applies(c)).map(
      (c) => c.meta.id,
    );
    expect(readers.length).toBeGreaterThan(5);
    expect(report.checks.find((c) => c.checkId === 'malformed-mapping')?.status).toBe('not_applicable');
    for (const id of readers) {
      const result = report.checks.find((c) => c.checkId === id);
      expect(result?.status, id).toBe('not_evaluated');
      expect(result?.reason).toContain('rolebindings: forbidden');
    }
    // The planted secrets reader is only visible through a RoleBinding: it must not turn into a pass.
    expect(report.checks.find((c) => c.checkId === 'secrets-read')?.status).toBe('not_evaluated');
  });

  it('records 404 for a kind the server does not serve as not_found', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('pods', { status: 404 });
    const { snapshot } = await collect();
    expect(snapshot.coverage.pods?.status).toBe('not_found');
    expect(snapshot.coverage.clusterroles?.status).toBe('complete');
  });

  it('restarts a list whose continue token expired (410) and ends with no duplicates and no gaps', async () => {
    const names = Array.from({ length: 9 }, (_, i) => `role-${i}`);
    fake = await startFakeKube({ objects: clusterRoles(names) });
    const live = fake;
    fake.inject('clusterroles', { status: 410, onContinue: true, times: 1 });
    // Between the first page and the expired continuation the cluster changes.
    const { options, logs } = testOptions({
      pageSize: 4,
      onProgress: (p) => {
        if (
          p.source === 'clusterroles' &&
          p.fetched === 4 &&
          !p.done &&
          !live.requests.some((r) => r.status === 410)
        ) {
          live.remove('clusterroles', undefined, 'role-7');
          live.put(clusterRoles(['role-10'])[0]);
        }
      },
    });
    const snapshot = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigYaml: fake.kubeconfig() },
      options,
    );
    const got = snapshot.kubernetes.clusterRoles.map((r) => r.name);
    expect(got).toEqual([
      'role-0',
      'role-1',
      'role-10',
      'role-2',
      'role-3',
      'role-4',
      'role-5',
      'role-6',
      'role-8',
    ]);
    expect(new Set(got).size).toBe(got.length);
    expect(snapshot.coverage.clusterroles).toEqual({ status: 'complete', count: 9 });
    expect(fake.count('clusterroles', (r) => r.status === 410)).toBe(1);
    expect(logs.some((l) => l.msg === 'continue token expired; restarting the list')).toBe(true);
  });

  it('gives the kind up with a reason when continue tokens keep expiring', async () => {
    fake = await startFakeKube({ objects: clusterRoles(['a', 'b', 'c']) });
    fake.inject('clusterroles', { status: 410, onContinue: true });
    const { snapshot } = await collect({ pageSize: 2 });
    expect(snapshot.coverage.clusterroles?.status).toBe('error');
    expect(snapshot.coverage.clusterroles?.reason).toMatch(/continue token expired 4 times/);
    expect(snapshot.kubernetes.clusterRoles).toEqual([]);
  });

  it('honours Retry-After on 429, in seconds and as an HTTP-date', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('roles', { status: 429, retryAfter: '2', times: 1 });
    fake.inject('pods', { status: 429, retryAfter: new Date(Date.now() + 60_000).toUTCString(), times: 1 });
    // Waits are recorded, not slept; the deadline leaves room for the minute the server asked for.
    const { snapshot, waits } = await collect({ deadline: Date.now() + 300_000 });
    expect(snapshot.coverage.roles?.status).toBe('complete');
    expect(snapshot.coverage.pods?.status).toBe('complete');
    expect(waits).toContain(2_000);
    expect(waits.some((w) => w > 50_000 && w <= 60_000)).toBe(true);
  });

  it('does not wait past the deadline for a Retry-After; the kind is timed_out', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('roles', { status: 429, retryAfter: '3600' });
    const { snapshot, waits } = await collect();
    expect(snapshot.coverage.roles?.status).toBe('timed_out');
    expect(snapshot.coverage.roles?.reason).toMatch(/deadline.*HTTP 429/);
    expect(waits).not.toContain(3_600_000);
  });

  it('retries 5xx with capped jittered backoff and succeeds', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('clusterroles', { status: 500, times: 2 });
    fake.inject('namespaces', { status: 503, times: 1 });
    const { snapshot, waits } = await collect({ retry: { baseMs: 100, capMs: 1_000 } });
    expect(snapshot.coverage.clusterroles).toEqual({ status: 'complete', count: 2 });
    expect(fake.count('clusterroles')).toBe(3);
    expect(waits.every((w) => w >= 0 && w < 1_000)).toBe(true);
    expect(waits).toHaveLength(3);
  });

  it('records a kind that fails with 5xx on every try as error with the attempts', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('clusterroles', { status: 500 });
    const { snapshot } = await collect({ retry: { maxAttempts: 3 } });
    expect(snapshot.coverage.clusterroles).toEqual({
      status: 'error',
      reason: 'HTTP 500: injected failure for clusterroles (3 attempts)',
    });
  });

  it('retries a request that timed out', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('serviceaccounts', { hang: true, times: 1 });
    const { snapshot } = await collect({ requestTimeoutMs: 800 });
    expect(snapshot.coverage.serviceaccounts).toEqual({ status: 'complete', count: 3 });
    expect(fake.count('serviceaccounts')).toBeGreaterThanOrEqual(2);
  });

  it('stops a slow kind at the scan deadline and keeps what else was read', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('pods', { hang: true });
    const { snapshot } = await collect({ deadline: Date.now() + 2_500 });
    expect(snapshot.coverage.pods?.status).toBe('timed_out');
    expect(snapshot.coverage.clusterroles?.status).toBe('complete');
  });

  it('skips malformed objects, keeps the rest, and does not call the kind complete', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('clusterroles', { malformedItems: 2 });
    const { snapshot } = await collect();
    expect(snapshot.kubernetes.clusterRoles.map((r) => r.name).sort()).toEqual([
      'cluster-admin',
      'pod-reader',
    ]);
    expect(snapshot.coverage.clusterroles?.status).toBe('error');
    expect(snapshot.coverage.clusterroles?.count).toBe(2);
    expect(snapshot.coverage.clusterroles?.reason).toMatch(/2 malformed ClusterRole objects were skipped/);
    expect(snapshot.warnings.join('\n')).toMatch(/clusterroles: 2 malformed/);
  });

  it('stops a list that goes on past the object bound', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    const { snapshot } = await collect({ pageSize: 1, maxObjectsPerKind: 2 });
    expect(snapshot.coverage.serviceaccounts).toEqual({
      status: 'error',
      reason: 'more than 2 ServiceAccount objects; the list was not read to the end',
    });
    expect(snapshot.kubernetes.serviceAccounts).toEqual([]);
    expect(snapshot.coverage.clusterroles?.status).toBe('complete');
  });

  it('records a garbage answer for one kind as an error for that kind', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('roles', { body: '<html>proxy error</html>' });
    fake.inject('rolebindings', { body: '{"kind":"Status","items":"nope"}' });
    const { snapshot } = await collect();
    expect(snapshot.coverage.roles).toEqual({
      status: 'error',
      reason: 'the answer is not JSON (<html>proxy error</html>)',
    });
    expect(snapshot.coverage.rolebindings).toEqual({
      status: 'error',
      reason: 'the answer is not a Kubernetes list',
    });
  });

  it('refuses a page larger than the bound, after decompression too', async () => {
    fake = await startFakeKube({ objects: smallCluster(), gzip: true });
    fake.inject('roles', { padBytes: 3 * 1024 * 1024 });
    const { snapshot } = await collect({ maxPageBytes: 1024 * 1024 });
    expect(snapshot.coverage.roles).toEqual({
      status: 'error',
      reason: 'the answer is larger than 1 MiB (1 attempt)',
    });
    // Compressed pages within the bound are read normally.
    expect(snapshot.coverage.clusterroles).toEqual({ status: 'complete', count: 2 });
  });

  it('scrubs credentials a hostile server echoes back from coverage reasons', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('roles', { status: 403, echoAuthorization: true });
    const { snapshot, logs } = await collect();
    expect(snapshot.coverage.roles?.status).toBe('forbidden');
    expect(snapshot.coverage.roles?.reason).toContain('[redacted]');
    expect(JSON.stringify(snapshot)).not.toContain(fake.token);
    expect(JSON.stringify(logs)).not.toContain(fake.token);
  });

  it('records a 403 on aws-auth as forbidden on EKS, where aws-auth maps identities', async () => {
    fake = await startFakeKube({
      objects: smallCluster({ awsAuth: true }),
      gitVersion: 'v1.31.2-eks-7f9249a',
    });
    fake.inject('aws-auth', { status: 403 });
    const { snapshot } = await collect();
    expect(snapshot.coverage.awsAuth?.status).toBe('forbidden');
    expect(snapshot.kubernetes.awsAuth).toBeNull();
    const report = runAudit({ snapshot, checks: CHECKS, options: AUDIT_OPTIONS });
    expect(report.checks.find((c) => c.checkId === 'aws-auth-masters')?.status).toBe('not_evaluated');
  });

  it('does not let an unreadable aws-auth hold back the audit of a cluster that is not EKS', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('aws-auth', { status: 403 });
    const { snapshot } = await collect();
    expect(snapshot.coverage.awsAuth).toEqual({
      status: 'not_applicable',
      reason: 'not an EKS cluster; kube-system/aws-auth was not readable (forbidden)',
    });
    const report = runAudit({ snapshot, checks: CHECKS, options: AUDIT_OPTIONS });
    expect(report.status).toBe('complete');
  });

  it('keeps a failed aws-auth read when /version cannot tell whether the cluster is EKS', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('version', { status: 403 });
    fake.inject('aws-auth', { status: 403 });
    const { snapshot } = await collect();
    expect(snapshot.cluster.kubernetesVersion).toBeUndefined();
    expect(snapshot.coverage.awsAuth?.status).toBe('forbidden');
  });
});

describe('a cluster that cannot be used at all fails with a typed error', () => {
  it('throws ClusterUnreachableError when nothing listens, without the token in the message', async () => {
    fake = await startFakeKube();
    const kubeconfig = fake.kubeconfig({ server: 'https://127.0.0.1:1' });
    const error = await collect({ retry: { maxAttempts: 2 } }, kubeconfig).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect((error as ClusterUnreachableError).code).toBe('CLUSTER_UNREACHABLE');
    expect((error as Error).message).toMatch(
      /cannot reach https:\/\/127\.0\.0\.1:1: connection failed \(ECONNREFUSED/,
    );
    expect((error as Error).message).not.toContain(fake.token);
  });

  it('throws ClusterUnreachableError naming TLS when the server is not signed by the kubeconfig CA', async () => {
    fake = await startFakeKube();
    const error = await collect({}, fake.kubeconfig({ ca: 'wrong' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect((error as Error).message).toMatch(/TLS failed.*certificate authority/);
    expect(fake.requests).toHaveLength(0);
  });

  it('throws ClusterAuthError when the credentials are refused', async () => {
    fake = await startFakeKube();
    const error = await collect({}, fake.kubeconfig({ token: 'not-a-valid-token-value' })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ClusterAuthError);
    expect((error as ClusterAuthError).code).toBe('CLUSTER_AUTH_FAILED');
    expect((error as Error).message).not.toContain('not-a-valid-token-value');
  });

  it('throws InvalidResponseError when the endpoint does not answer like Kubernetes', async () => {
    fake = await startFakeKube();
    fake.inject('version', { body: '<html><body>Welcome to nginx</body></html>' });
    const error = await collect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toMatch(/does not answer like a Kubernetes API server.*nginx/);
  });

  it('throws ClusterUnreachableError when the server answers 503 on every try', async () => {
    fake = await startFakeKube();
    fake.inject('version', { status: 503 });
    const error = await collect({ retry: { maxAttempts: 3 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect((error as Error).message).toMatch(/HTTP 503.*3 attempts/);
  });

  it('throws ClusterUnreachableError when /version answered but no list could be read', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    for (const target of [
      'pods',
      'roles',
      'rolebindings',
      'serviceaccounts',
      'clusterroles',
      'clusterrolebindings',
      'namespaces',
      'aws-auth',
    ] as const) {
      fake.inject(target, { hang: true });
    }
    const error = await collect({ requestTimeoutMs: 400, retry: { maxAttempts: 1 } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect((error as Error).message).toMatch(/no list could be read/);
  });

  it('throws DeadlineExceededError when the API server has not answered by the deadline', async () => {
    fake = await startFakeKube();
    fake.inject('version', { hang: true });
    const error = await collect({ deadline: Date.now() + 400 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toMatch(/did not answer before the scan deadline/);
  });

  it('throws DeadlineExceededError when the deadline has already passed', async () => {
    fake = await startFakeKube();
    const error = await collect({ deadline: Date.now() - 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(fake.requests).toHaveLength(0);
  });
});
