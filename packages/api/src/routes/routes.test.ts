import { readFileSync } from 'node:fs';
import { CHECKS, FRAMEWORKS } from '@vigil/core';
import { TEST_ENGINES } from '@vigil/db/testing';
import { describe, expect, it } from 'vitest';
import { itemsOf, useTestApi } from '../testing/api-fixture.ts';

// The core route suite, on the embedded database and on real Postgres. Every response is checked against
// openapi/openapi.json by the contract client (an undocumented status or a body that violates its schema
// fails the test that received it).
describe.each(TEST_ENGINES)('routes on %s', (engine) => {
  const api = useTestApi(engine);

  describe('clusters', () => {
    it('lists registered clusters by name, filtered by label selector and name search', async () => {
      const { call, keys } = api();
      const all = await call('get', '/v1/clusters', { token: keys.read });
      expect(all.status).toBe(200);
      expect(itemsOf<{ name: string }>(all).map((c) => c.name)).toEqual([
        'prod-eu',
        'prod-us',
        'staging-onprem',
      ]);
      const prod = await call('get', '/v1/clusters', {
        token: keys.read,
        query: { labelSelector: 'env=prod,region in (eu)' },
      });
      expect(itemsOf<{ name: string }>(prod).map((c) => c.name)).toEqual(['prod-eu']);
      const notProd = await call('get', '/v1/clusters', {
        token: keys.read,
        query: { labelSelector: 'env!=prod' },
      });
      expect(itemsOf<{ name: string }>(notProd).map((c) => c.name)).toEqual(['staging-onprem']);
      const search = await call('get', '/v1/clusters', { token: keys.read, query: { q: 'PROD-' } });
      expect(itemsOf<{ name: string }>(search).map((c) => c.name)).toEqual(['prod-eu', 'prod-us']);
    });

    it('pages through clusters with an opaque cursor', async () => {
      const { call, keys } = api();
      const first = await call('get', '/v1/clusters', { token: keys.read, query: { limit: 2 } });
      const page = first.body as { items: { name: string }[]; nextCursor: string };
      expect(page.items).toHaveLength(2);
      const second = await call('get', '/v1/clusters', {
        token: keys.read,
        query: { limit: 2, cursor: page.nextCursor },
      });
      expect(itemsOf<{ name: string }>(second).map((c) => c.name)).toEqual(['staging-onprem']);
      expect((second.body as { nextCursor: string | null }).nextCursor).toBeNull();
    });

    it('refuses a malformed label selector with 400 naming the parameter', async () => {
      const { call, keys } = api();
      const res = await call('get', '/v1/clusters', {
        token: keys.read,
        query: { labelSelector: 'env in (prod' },
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ invalidParams: [{ name: 'query.labelSelector' }] });
    });

    it('registers, reads, changes and soft-deletes a cluster', async () => {
      const { call, keys } = api();
      const created = await call('post', '/v1/clusters', {
        token: keys.admin,
        body: {
          name: 'dev-lab',
          source: { type: 'kubeconfig', context: 'kind-dev' },
          labels: { env: 'dev' },
        },
      });
      expect(created.status).toBe(201);
      const cluster = created.body as {
        id: string;
        scheduleIntervalSeconds: number | null;
        enabled: boolean;
      };
      expect(created.headers.get('location')).toBe(`/v1/clusters/${cluster.id}`);
      expect(cluster).toMatchObject({ scheduleIntervalSeconds: null, enabled: true });
      const patched = await call('patch', `/v1/clusters/${cluster.id}`, {
        token: keys.admin,
        body: { scheduleIntervalSeconds: 3600, labels: { env: 'dev', team: 'lab' } },
      });
      expect(patched.body).toMatchObject({
        scheduleIntervalSeconds: 3600,
        labels: { env: 'dev', team: 'lab' },
      });
      expect((await call('get', `/v1/clusters/${cluster.id}`, { token: keys.read })).status).toBe(200);
      expect((await call('delete', `/v1/clusters/${cluster.id}`, { token: keys.admin })).status).toBe(204);
      expect((await call('get', `/v1/clusters/${cluster.id}`, { token: keys.read })).status).toBe(404);
      expect((await call('delete', `/v1/clusters/${cluster.id}`, { token: keys.admin })).status).toBe(404);
      // The name is free again once the cluster is deleted.
      const again = await call('post', '/v1/clusters', {
        token: keys.admin,
        body: { name: 'dev-lab', source: { type: 'snapshot', path: 'dev.json' } },
      });
      expect(again.status).toBe(201);
      await call('delete', `/v1/clusters/${(again.body as { id: string }).id}`, { token: keys.admin });
    });

    it('answers 409 for a second live cluster with the same name and 400 for an EKS source without an ARN', async () => {
      const { call, keys } = api();
      const clash = await call('post', '/v1/clusters', {
        token: keys.admin,
        body: { name: 'prod-eu', source: { type: 'kubeconfig', context: 'x' } },
      });
      expect(clash.status).toBe(409);
      const bad = await call('post', '/v1/clusters', {
        token: keys.admin,
        body: { name: 'eks-x', source: { type: 'eks', region: 'eu-west-1' } },
      });
      expect(bad.status).toBe(400);
    });

    it('queues a scan through the scan requester and shows the queued run', async () => {
      const { call, keys, fleet, requested } = api();
      const res = await call('post', `/v1/clusters/${fleet.prodUs.id}/scans`, { token: keys.scan });
      expect(res.status).toBe(202);
      const { runId, status } = res.body as { runId: string; status: string };
      expect(status).toBe('queued');
      expect(res.headers.get('location')).toBe(`/v1/scans/${runId}`);
      expect(requested.at(-1)).toMatch(new RegExp(`^${fleet.prodUs.id} by key:`));
      const run = await call('get', `/v1/scans/${runId}`, { token: keys.read });
      expect(run.body).toMatchObject({
        id: runId,
        clusterId: fleet.prodUs.id,
        trigger: 'manual',
        status: 'queued',
      });
    });

    it('refuses to scan a disabled cluster with 409', async () => {
      const { call, keys } = api();
      const created = await call('post', '/v1/clusters', {
        token: keys.admin,
        body: { name: 'parked', source: { type: 'kubeconfig', context: 'parked' }, enabled: false },
      });
      const id = (created.body as { id: string }).id;
      expect((await call('post', `/v1/clusters/${id}/scans`, { token: keys.scan })).status).toBe(409);
      await call('delete', `/v1/clusters/${id}`, { token: keys.admin });
    });

    it('reports posture: open findings of the last recorded run, compliance summary and a missed schedule', async () => {
      const { call, keys, fleet } = api();
      const prodEu = await call('get', `/v1/clusters/${fleet.prodEu.id}/posture`, { token: keys.read });
      const posture = prodEu.body as {
        open: Record<string, number>;
        lastRecordedScan: { id: string };
        stale: unknown;
        compliance: { framework: string }[];
      };
      expect(posture.lastRecordedScan.id).toBe(fleet.prodEuRuns[1].runId);
      expect(posture.open).toEqual(fleet.prodEuRuns[1].openBySeverity);
      expect(posture.stale).toBeNull();
      expect(posture.compliance.map((f) => f.framework)).toEqual(FRAMEWORKS.map((f) => f.id));
      const staging = await call('get', `/v1/clusters/${fleet.staging.id}/posture`, { token: keys.read });
      expect(staging.body).toMatchObject({ stale: { lastSuccessAt: '2026-11-24T06:00:00.000Z' } });
    });

    it('lists control statuses of the last recorded run, optionally for one framework', async () => {
      const { call, keys, fleet } = api();
      const res = await call('get', `/v1/clusters/${fleet.prodEu.id}/compliance`, {
        token: keys.read,
        query: { framework: 'cis-eks-1.8.0' },
      });
      const body = res.body as {
        scan: { id: string };
        frameworks: { framework: string; controls: { qualifiedId: string; status: string }[] }[];
      };
      expect(body.scan.id).toBe(fleet.prodEuRuns[1].runId);
      expect(body.frameworks.map((f) => f.framework)).toEqual(['cis-eks-1.8.0']);
      const clusterAdmin = body.frameworks[0]!.controls.find((c) => c.qualifiedId === 'cis-eks-1.8.0:4.1.1');
      expect(clusterAdmin?.status).toBe('fail');
      const unknown = await call('get', `/v1/clusters/${fleet.prodEu.id}/compliance`, {
        token: keys.read,
        query: { framework: 'cis-eks-9.9.9' },
      });
      expect(unknown.status).toBe(400);
    });

    it('diffs two runs: findings an exception suppressed count as resolved, the rest unchanged', async () => {
      const { call, keys, fleet } = api();
      const [first, second] = fleet.prodEuRuns;
      const res = await call('get', `/v1/clusters/${fleet.prodEu.id}/diff`, { token: keys.read });
      const diff = res.body as {
        from: { id: string };
        to: { id: string };
        counts: Record<string, number>;
        resolved: { checkId: string }[];
      };
      expect(diff.from.id).toBe(first.runId);
      expect(diff.to.id).toBe(second.runId);
      expect(diff.counts).toEqual({
        opened: 0,
        resolved: first.findings.fail - second.findings.fail,
        unchanged: second.findings.fail,
      });
      expect(diff.counts.resolved).toBeGreaterThan(0);
      const reversed = await call('get', `/v1/clusters/${fleet.prodEu.id}/diff`, {
        token: keys.read,
        query: { from: second.runId, to: first.runId },
      });
      expect((reversed.body as { counts: Record<string, number> }).counts).toEqual({
        opened: diff.counts.resolved,
        resolved: 0,
        unchanged: diff.counts.unchanged,
      });
    });

    it('refuses a diff with a run of another cluster (404) or without an earlier run (409)', async () => {
      const { call, keys, fleet } = api();
      const foreign = await call('get', `/v1/clusters/${fleet.prodEu.id}/diff`, {
        token: keys.read,
        query: { from: fleet.prodUsRun.runId },
      });
      expect(foreign.status).toBe(404);
      const single = await call('get', `/v1/clusters/${fleet.staging.id}/diff`, { token: keys.read });
      expect(single.status).toBe(409);
    });

    it('answers who-can from the latest snapshot, with IAM principals and the mapping they come through', async () => {
      const { call, keys, fleet } = api();
      const res = await call('get', `/v1/clusters/${fleet.prodEu.id}/who-can`, {
        token: keys.read,
        query: { verb: 'get', resource: 'secrets', namespace: 'payments' },
      });
      const body = res.body as {
        snapshot: { scanId: string };
        complete: boolean;
        answers: {
          subject: { kind: string; name: string };
          via?: { mapping: string; as: { name: string } };
        }[];
      };
      expect(body.snapshot.scanId).toBe(fleet.prodEuRuns[1].runId);
      expect(body.complete).toBe(true);
      expect(body.answers).toContainEqual(
        expect.objectContaining({ subject: { kind: 'Group', name: 'support-engineers' } }),
      );
      const viaAwsAuth = body.answers.find(
        (a) => a.subject.kind === 'IAMPrincipal' && a.subject.name.endsWith(':role/SupportEngineers'),
      );
      expect(viaAwsAuth?.via).toMatchObject({ mapping: 'aws-auth', as: { name: 'support-engineers' } });
    });

    it('answers who-can for a non-resource URL and refuses a malformed resource', async () => {
      const { call, keys, fleet } = api();
      const metrics = await call('get', `/v1/clusters/${fleet.staging.id}/who-can`, {
        token: keys.read,
        query: { verb: 'get', resource: '/metrics' },
      });
      const answers = (metrics.body as { answers: { subject: { name: string } }[] }).answers;
      expect(answers.map((a) => a.subject.name)).toContain('system:anonymous');
      const bad = await call('get', `/v1/clusters/${fleet.staging.id}/who-can`, {
        token: keys.read,
        query: { verb: 'get', resource: 'pods/exec/extra' },
      });
      expect(bad.status).toBe(400);
    });

    it('lists every subject once across pages, with effective permissions', async () => {
      const { call, keys, fleet } = api();
      const seen: string[] = [];
      let cursor: string | undefined;
      let deployer:
        | { clusterAdminEquivalent: boolean; permissions: { binding: { name: string } }[] }
        | undefined;
      do {
        const res = await call('get', `/v1/clusters/${fleet.prodEu.id}/subjects`, {
          token: keys.read,
          query: { limit: 25, cursor },
        });
        const page = res.body as {
          items: {
            subject: { kind: string; name: string; namespace?: string };
            clusterAdminEquivalent: boolean;
            permissions: { binding: { name: string } }[];
          }[];
          nextCursor: string | null;
        };
        for (const item of page.items) {
          seen.push(`${item.subject.kind}:${item.subject.namespace ?? ''}/${item.subject.name}`);
          if (item.subject.kind === 'ServiceAccount' && item.subject.name === 'deployer') deployer = item;
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBeGreaterThan(25);
      expect(deployer?.clusterAdminEquivalent).toBe(true);
      expect(deployer?.permissions.map((p) => p.binding.name)).toContain('ci-deployer-cluster-admin');
      const accounts = await call('get', `/v1/clusters/${fleet.prodEu.id}/subjects`, {
        token: keys.read,
        query: { kind: 'ServiceAccount', q: 'deploy', limit: 500 },
      });
      const items = itemsOf<{ subject: { kind: string; name: string } }>(accounts);
      expect(items.length).toBeGreaterThan(0);
      expect(
        items.every((i) => i.subject.kind === 'ServiceAccount' && i.subject.name.includes('deploy')),
      ).toBe(true);
    });
  });

  describe('scans', () => {
    it('lists runs of one cluster by status, newest first', async () => {
      const { call, keys, fleet } = api();
      const res = await call('get', '/v1/scans', {
        token: keys.read,
        query: { clusterId: fleet.prodEu.id, status: 'complete,partial' },
      });
      expect(itemsOf<{ id: string }>(res).map((r) => r.id)).toEqual([
        fleet.prodEuRuns[1].runId,
        fleet.prodEuRuns[0].runId,
      ]);
    });

    it('shows a run with coverage, per-check results, counts and durations', async () => {
      const { call, keys, fleet } = api();
      const res = await call('get', `/v1/scans/${fleet.prodUsRun.runId}`, { token: keys.read });
      expect(res.body).toMatchObject({
        status: 'complete',
        durations: { collect: 2500, audit: 900, record: 100 },
        findingsFailed: fleet.prodUsRun.findings.fail,
        error: null,
      });
      const run = res.body as { coverage: Record<string, { status: string }>; checks: unknown[] };
      expect(run.coverage.accessEntries?.status).toBe('complete');
      expect(run.checks).toHaveLength(CHECKS.length);
    });

    it("lists a run's findings with their evidence", async () => {
      const { call, keys, fleet } = api();
      const res = await call('get', `/v1/scans/${fleet.prodUsRun.runId}/findings`, {
        token: keys.read,
        query: { status: 'suppressed', limit: 500 },
      });
      const items = itemsOf<{ status: string; evidence: object }>(res);
      expect(items).toHaveLength(fleet.prodUsRun.findings.suppressed);
      expect(items.every((f) => f.status === 'suppressed' && typeof f.evidence === 'object')).toBe(true);
    });
  });

  describe('findings', () => {
    it('lists open findings by default and narrows by severity, check, control, subject and resource kind', async () => {
      const { call, keys, fleet } = api();
      const all = itemsOf<{ state: string; severity: string }>(
        await call('get', '/v1/findings', { token: keys.read, query: { limit: 500 } }),
      );
      const open =
        fleet.prodEuRuns[1].findings.fail + fleet.prodUsRun.findings.fail + fleet.stagingRun.findings.fail;
      expect(all).toHaveLength(open);
      expect(all.every((f) => f.state === 'open')).toBe(true);
      const critical = itemsOf<{ severity: string }>(
        await call('get', '/v1/findings', { token: keys.read, query: { severity: 'critical', limit: 500 } }),
      );
      expect(critical.length).toBe(all.filter((f) => f.severity === 'critical').length);
      const byControl = itemsOf<{ controls: string[] }>(
        await call('get', '/v1/findings', {
          token: keys.read,
          query: { control: 'cis-eks-1.8.0:4.1.1', limit: 500 },
        }),
      );
      expect(byControl.length).toBeGreaterThan(0);
      expect(byControl.every((f) => f.controls.includes('cis-eks-1.8.0:4.1.1'))).toBe(true);
      const bySubject = itemsOf<{ subject: { name: string; namespace: string } }>(
        await call('get', '/v1/findings', {
          token: keys.read,
          query: { subjectKind: 'ServiceAccount', subjectName: 'deployer', subjectNamespace: 'ci' },
        }),
      );
      expect(bySubject.length).toBeGreaterThan(0);
      expect(bySubject.every((f) => f.subject.name === 'deployer' && f.subject.namespace === 'ci')).toBe(
        true,
      );
      const bindings = itemsOf<{ resource: { kind: string } }>(
        await call('get', '/v1/findings', {
          token: keys.read,
          query: { resourceKind: 'ClusterRoleBinding', checkId: 'cluster-admin' },
        }),
      );
      expect(bindings.every((f) => f.resource.kind === 'ClusterRoleBinding')).toBe(true);
    });

    it('lists suppressed and resolved lifecycles on request, and by cluster label', async () => {
      const { call, keys, fleet } = api();
      const suppressed = itemsOf<{ state: string; suppression: object }>(
        await call('get', '/v1/findings', {
          token: keys.read,
          query: { status: 'suppressed', labelSelector: 'region=eu', limit: 500 },
        }),
      );
      expect(suppressed).toHaveLength(fleet.prodEuRuns[1].findings.suppressed);
      expect(suppressed.every((f) => f.state === 'suppressed' && f.suppression)).toBe(true);
      const since = itemsOf(
        await call('get', '/v1/findings', {
          token: keys.read,
          query: { firstSeenSince: '2026-11-25T00:00:00Z', limit: 500 },
        }),
      );
      expect(since.length).toBe(fleet.prodEuRuns[1].findings.fail + fleet.prodUsRun.findings.fail);
    });

    it('pages through findings without duplicates or gaps', async () => {
      const { call, keys } = api();
      const all = itemsOf<{ id: number }>(
        await call('get', '/v1/findings', { token: keys.read, query: { limit: 500 } }),
      );
      const ids: number[] = [];
      let cursor: string | undefined;
      do {
        const res = await call('get', '/v1/findings', { token: keys.read, query: { limit: 37, cursor } });
        ids.push(...itemsOf<{ id: number }>(res).map((f) => f.id));
        cursor = (res.body as { nextCursor: string | null }).nextCursor ?? undefined;
      } while (cursor);
      expect(ids).toEqual(all.map((f) => f.id));
    });

    it('shows one finding with its lifecycle and latest evidence', async () => {
      const { call, keys, fleet } = api();
      const [finding] = itemsOf<{ fingerprint: string; clusterId: string }>(
        await call('get', '/v1/findings', {
          token: keys.read,
          query: { clusterId: fleet.prodEu.id, checkId: 'cluster-admin', limit: 1 },
        }),
      );
      const res = await call('get', `/v1/clusters/${fleet.prodEu.id}/findings/${finding!.fingerprint}`, {
        token: keys.read,
      });
      expect(res.body).toMatchObject({
        fingerprint: finding!.fingerprint,
        state: 'open',
        firstRunId: fleet.prodEuRuns[0].runId,
        lastRunId: fleet.prodEuRuns[1].runId,
        firstSeenAt: '2026-11-25T06:00:04.000Z',
        lastSeenAt: '2026-11-26T06:00:04.000Z',
      });
      expect((res.body as { evidence: object }).evidence).not.toBeNull();
      const elsewhere = await call(
        'get',
        `/v1/clusters/${fleet.prodUs.id}/findings/${finding!.fingerprint}`,
        { token: keys.read },
      );
      expect(elsewhere.status).toBe(404);
    });
  });

  describe('fleet', () => {
    it('sums open findings, ranks the worst clusters and names clusters that missed their schedule', async () => {
      const { call, keys, fleet } = api();
      const res = await call('get', '/v1/fleet/summary', { token: keys.read });
      const body = res.body as {
        clusters: { total: number; reporting: number; stale: number };
        open: Record<string, number>;
        worstClusters: { name: string }[];
        staleClusters: { name: string }[];
      };
      const runs = [fleet.prodEuRuns[1], fleet.prodUsRun, fleet.stagingRun];
      for (const severity of Object.keys(body.open)) {
        expect(body.open[severity]).toBe(
          runs.reduce((sum, r) => sum + (r.openBySeverity as Record<string, number>)[severity]!, 0),
        );
      }
      expect(body.clusters).toEqual({ total: 3, reporting: 3, stale: 1 });
      expect(body.staleClusters.map((c) => c.name)).toEqual(['staging-onprem']);
      expect(body.worstClusters.length).toBe(3);
      const limited = await call('get', '/v1/fleet/summary', {
        token: keys.read,
        query: { labelSelector: 'env=prod', worst: 1 },
      });
      expect(limited.body).toMatchObject({ clusters: { total: 2, stale: 0 }, staleClusters: [] });
      expect((limited.body as { worstClusters: unknown[] }).worstClusters).toHaveLength(1);
    });

    it('counts clusters per control status for every framework', async () => {
      const { call, keys } = api();
      const res = await call('get', '/v1/fleet/compliance', { token: keys.read });
      const body = res.body as {
        clustersReporting: number;
        frameworks: {
          framework: string;
          controls: { qualifiedId: string; clusters: Record<string, number> }[];
        }[];
      };
      expect(body.clustersReporting).toBe(3);
      expect(body.frameworks.map((f) => f.framework)).toEqual(FRAMEWORKS.map((f) => f.id));
      for (const framework of body.frameworks) {
        for (const control of framework.controls) {
          expect(Object.values(control.clusters).reduce((a, b) => a + b, 0)).toBe(3);
        }
      }
      const clusterAdmin = body.frameworks[0]!.controls.find((c) => c.qualifiedId === 'cis-eks-1.8.0:4.1.1');
      expect(clusterAdmin?.clusters.fail).toBeGreaterThanOrEqual(2);
    });
  });

  describe('catalog, exceptions and keys', () => {
    it('lists the check catalog and frameworks, and answers 404 for an unknown check', async () => {
      const { call, keys } = api();
      expect(itemsOf(await call('get', '/v1/checks', { token: keys.read }))).toHaveLength(CHECKS.length);
      const critical = itemsOf<{ severity: string }>(
        await call('get', '/v1/checks', { token: keys.read, query: { severity: 'critical' } }),
      );
      expect(critical.every((c) => c.severity === 'critical')).toBe(true);
      expect((await call('get', '/v1/checks/cluster-admin', { token: keys.read })).body).toMatchObject({
        id: 'cluster-admin',
      });
      expect((await call('get', '/v1/checks/no-such-check', { token: keys.read })).status).toBe(404);
      expect(itemsOf(await call('get', '/v1/frameworks', { token: keys.read }))).toHaveLength(
        FRAMEWORKS.length,
      );
    });

    it('creates, lists, reads and revokes an exception', async () => {
      const { call, keys } = api();
      const created = await call('post', '/v1/exceptions', {
        token: keys.admin,
        body: {
          clusterSelector: { matchLabels: { env: 'staging' } },
          checks: ['anonymous-access'],
          subject: { kind: 'User', name: 'system:anonymous' },
          reason: 'metrics scraping from the lab network (SEC-42)',
          expiresAt: '2027-01-31T00:00:00Z',
        },
      });
      expect(created.status).toBe(201);
      const id = (created.body as { id: string }).id;
      expect(
        itemsOf<{ id: string }>(await call('get', '/v1/exceptions', { token: keys.read })).map((e) => e.id),
      ).toContain(id);
      expect((await call('get', `/v1/exceptions/${id}`, { token: keys.read })).body).toMatchObject({
        expiresAt: '2027-01-31T00:00:00.000Z',
        revokedAt: null,
      });
      expect((await call('delete', `/v1/exceptions/${id}`, { token: keys.admin })).status).toBe(204);
      expect(
        itemsOf<{ id: string }>(await call('get', '/v1/exceptions', { token: keys.read })).map((e) => e.id),
      ).not.toContain(id);
      const withRevoked = await call('get', '/v1/exceptions', {
        token: keys.read,
        query: { includeRevoked: 'true' },
      });
      expect(itemsOf<{ id: string }>(withRevoked).map((e) => e.id)).toContain(id);
      expect((await call('delete', `/v1/exceptions/${id}`, { token: keys.admin })).status).toBe(404);
    });

    it('shows a new API key once, lists only its metadata, and refuses it once revoked', async () => {
      const { call, keys } = api();
      const created = await call('post', '/v1/api-keys', {
        token: keys.admin,
        body: { name: 'portal', scopes: ['read'] },
      });
      expect(created.status).toBe(201);
      const { apiKey, token } = created.body as { apiKey: { id: string; keyId: string }; token: string };
      expect(token.startsWith(`vgl_${apiKey.keyId}_`)).toBe(true);
      expect((await call('get', '/v1/clusters', { token })).status).toBe(200);
      const listed = await call('get', '/v1/api-keys', { token: keys.admin, query: { limit: 500 } });
      expect(listed.text).not.toContain(token);
      expect(itemsOf<{ id: string }>(listed).map((k) => k.id)).toContain(apiKey.id);
      const one = await call('get', `/v1/api-keys/${apiKey.id}`, { token: keys.admin });
      expect(one.text).not.toContain(token.slice(13));
      expect((await call('delete', `/v1/api-keys/${apiKey.id}`, { token: keys.admin })).status).toBe(204);
      expect((await call('get', '/v1/clusters', { token })).status).toBe(401);
    });
  });

  describe('service', () => {
    it('answers health, the committed OpenAPI document and the interactive reference', async () => {
      const { call, app } = api();
      expect((await call('get', '/healthz')).body).toEqual({ status: 'ok', database: 'ok' });
      const doc = await call('get', '/openapi.json');
      const committed = JSON.parse(
        readFileSync(new URL('../../../../openapi/openapi.json', import.meta.url), 'utf8'),
      );
      expect(doc.body).toEqual(committed);
      const page = await app.request('/docs');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await page.text();
      expect(html).toContain('/docs/assets/swagger-ui-bundle.js');
      expect(html).not.toMatch(/https?:\/\/(?!localhost)/);
      const bundle = await app.request('/docs/assets/swagger-ui-bundle.js');
      expect(bundle.status).toBe(200);
      expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
      expect((await app.request('/docs/assets/package.json')).status).toBe(404);
    });

    it('answers an unknown route with a 404 problem', async () => {
      const { app } = api();
      const res = await app.request('/v2/nothing');
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    });
  });
});
