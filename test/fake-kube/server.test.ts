import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiException, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeKube, startFakeKube } from './server.ts';

const run = promisify(execFile);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

function get(
  fake: FakeKube,
  path: string,
  auth: { token?: string; cert?: boolean } = { token: fake.token },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${fake.url}${path}`,
      {
        ca: fake.pki.caCert,
        headers: auth.token ? { authorization: `Bearer ${auth.token}` } : {},
        ...(auth.cert ? { cert: fake.pki.clientCert, key: fake.pki.clientKey } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function clusterRoles(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: `role-${String(i).padStart(3, '0')}` },
    rules: [],
  }));
}

const names = (answer: Answer) =>
  (answer.body.items as { metadata: { name: string } }[]).map((i) => i.metadata.name);
const continueOf = (answer: Answer) => (answer.body.metadata as { continue?: string }).continue;
const CR = '/apis/rbac.authorization.k8s.io/v1/clusterroles';

let fake: FakeKube | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('fake Kubernetes API server', () => {
  it('refuses requests without valid credentials with 401 and a Status body', async () => {
    fake = await startFakeKube();
    const none = await get(fake, '/version', {});
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await get(fake, '/version', { token: 'wrong' })).status).toBe(401);
    expect((await get(fake, '/version')).status).toBe(200);
  });

  it('authenticates a client certificate signed by its CA as the certificate subject', async () => {
    fake = await startFakeKube();
    expect((await get(fake, '/version', { cert: true })).status).toBe(200);
    expect(fake.requests.at(-1)?.user).toBe(fake.pki.clientUser);
  });

  it('pages a list with limit and continue, each object exactly once, in order', async () => {
    fake = await startFakeKube({ objects: clusterRoles(7) });
    const seen: string[] = [];
    let answer = await get(fake, `${CR}?limit=3`);
    expect(answer.body).toMatchObject({
      kind: 'ClusterRoleList',
      apiVersion: 'rbac.authorization.k8s.io/v1',
    });
    expect((answer.body.metadata as { remainingItemCount: number }).remainingItemCount).toBe(4);
    seen.push(...names(answer));
    while (continueOf(answer)) {
      answer = await get(fake, `${CR}?limit=3&continue=${encodeURIComponent(continueOf(answer)!)}`);
      seen.push(...names(answer));
    }
    expect(seen).toEqual(clusterRoles(7).map((r) => r.metadata.name));
    // Items in a list carry no kind/apiVersion, as the real API server returns them.
    expect((answer.body.items as Record<string, unknown>[])[0]).not.toHaveProperty('kind');
  });

  it('continues a list from the version it started on, unaffected by later writes', async () => {
    fake = await startFakeKube({ objects: clusterRoles(4) });
    const first = await get(fake, `${CR}?limit=2`);
    fake.remove('clusterroles', undefined, 'role-003');
    fake.put({ ...clusterRoles(1)[0], metadata: { name: 'role-002a' } });
    const rest = await get(fake, `${CR}?limit=2&continue=${encodeURIComponent(continueOf(first)!)}`);
    expect([...names(first), ...names(rest)]).toEqual(['role-000', 'role-001', 'role-002', 'role-003']);
    const fresh = await get(fake, CR);
    expect(names(fresh)).toEqual(['role-000', 'role-001', 'role-002', 'role-002a']);
  });

  it('answers 410 Expired for a continue token whose version was compacted or that is too old', async () => {
    let now = 1_000_000;
    fake = await startFakeKube({ objects: clusterRoles(4), now: () => now, continueTtlMs: 60_000 });
    const first = await get(fake, `${CR}?limit=2`);
    now += 60_001;
    const old = await get(fake, `${CR}?limit=2&continue=${encodeURIComponent(continueOf(first)!)}`);
    expect(old.status).toBe(410);
    expect(old.body).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });

    const second = await get(fake, `${CR}?limit=2`);
    fake.put({ ...clusterRoles(1)[0], metadata: { name: 'role-new' } });
    fake.compact();
    expect(
      (await get(fake, `${CR}?limit=2&continue=${encodeURIComponent(continueOf(second)!)}`)).status,
    ).toBe(410);
  });

  it('injects faults per resource, for as many requests as asked, and counts requests', async () => {
    fake = await startFakeKube({ objects: clusterRoles(2) });
    fake.inject('clusterroles', { status: 429, retryAfter: '3', times: 1 });
    fake.inject('roles', { status: 403 });
    const throttled = await get(fake, CR);
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('3');
    expect((await get(fake, CR)).status).toBe(200);
    expect((await get(fake, '/apis/rbac.authorization.k8s.io/v1/roles')).status).toBe(403);
    expect((await get(fake, '/apis/rbac.authorization.k8s.io/v1/roles')).status).toBe(403);
    expect(fake.count('clusterroles')).toBe(2);
    expect(fake.count('roles', (r) => r.status === 403)).toBe(2);
  });

  it('serves the aws-auth ConfigMap by name and 404 for what it does not hold', async () => {
    fake = await startFakeKube({
      objects: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'aws-auth', namespace: 'kube-system' },
          data: { mapRoles: '' },
        },
      ],
    });
    const found = await get(fake, '/api/v1/namespaces/kube-system/configmaps/aws-auth');
    expect(found.body).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'aws-auth' } });
    expect(fake.count('aws-auth')).toBe(1);
    const missing = await get(fake, '/api/v1/namespaces/kube-system/configmaps/other');
    expect(missing.status).toBe(404);
    expect((await get(fake, '/api/v1/secrets')).status).toBe(404);
  });

  it('serves kubectl: discovery and paged lists across all namespaces', async () => {
    const objects = [
      ...clusterRoles(620),
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'a' } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'b' } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'rb', namespace: 'a' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'role-001' },
        subjects: [],
      },
    ];
    fake = await startFakeKube({ objects });
    const dir = mkdtempSync(join(tmpdir(), 'vigil-kubectl-'));
    writeFileSync(join(dir, 'config'), fake.kubeconfig());
    const { stdout } = await run(
      '/usr/bin/kubectl',
      [
        '--kubeconfig',
        join(dir, 'config'),
        '--cache-dir',
        join(dir, 'cache'),
        'get',
        'clusterroles,clusterrolebindings,roles,rolebindings,serviceaccounts',
        '-A',
        '-o',
        'json',
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const list = JSON.parse(stdout) as { items: { kind: string }[] };
    expect(list.items.filter((i) => i.kind === 'ClusterRole')).toHaveLength(620);
    expect(list.items.filter((i) => i.kind === 'ServiceAccount')).toHaveLength(2);
    expect(list.items.filter((i) => i.kind === 'RoleBinding')).toHaveLength(1);
    expect(fake.count('clusterroles', (r) => Boolean(r.query.continue))).toBe(1);
  });

  it('serves the generated client-node 2.x API on Node 24: paged listClusterRole and ApiException on 403', async () => {
    fake = await startFakeKube({ objects: clusterRoles(5) });
    const kc = new KubeConfig();
    kc.loadFromString(fake.kubeconfig());
    const api = kc.makeApiClient(RbacAuthorizationV1Api);
    const first = await api.listClusterRole({ limit: 3 });
    expect(first.items.map((r) => r.metadata?.name)).toEqual(['role-000', 'role-001', 'role-002']);
    const rest = await api.listClusterRole({ limit: 3, _continue: first.metadata?._continue });
    expect(rest.items.map((r) => r.metadata?.name)).toEqual(['role-003', 'role-004']);
    fake.inject('clusterroles', { status: 403 });
    const error = await api.listClusterRole({ limit: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<unknown>).code).toBe(403);
  });
});
