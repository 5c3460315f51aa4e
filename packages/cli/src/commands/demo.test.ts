import { jsonReportSchema } from '@vigil/core/report';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runVigil } from '../testing.ts';

describe('vigil demo', () => {
  it('audits the three demo clusters and ends with a fleet summary', async () => {
    const { stdout, code } = await runVigil(['demo'], { cwd: REPO_ROOT });
    expect(code).toBe(0);
    for (const name of ['prod-eu', 'prod-us', 'staging-onprem'])
      expect(stdout).toMatch(new RegExp(`^Cluster ${name} `, 'm'));
    expect(stdout).toMatch(/^Fleet: 3 clusters \(\d partial\); failing findings: \d+ critical, \d+ high/m);
    // The risky access the demo is built around.
    expect(stdout).toContain(
      'ServiceAccount ci/deployer is granted ClusterRole cluster-admin cluster-wide by ClusterRoleBinding ci-deployer-cluster-admin',
    );
    expect(stdout).toMatch(/user\/legacy-deploy.*system:masters/);
    expect(stdout).toMatch(/999988887777:role\/VendorObservability/);
    expect(stdout).toMatch(/resource\s+RoleBinding checkout\/checkout-operator/);
    expect(stdout).toMatch(/ServiceAccount kube-system\/tiller is granted ClusterRole cluster-admin/);
    expect(stdout).toMatch(/\d+\s+platform-break-glass \(user\)/);
  });

  it('passes the control-plane checks on the well-configured cluster and fails them on the other', async () => {
    const reports = JSON.parse((await runVigil(['demo', '--format', 'json'], { cwd: REPO_ROOT })).stdout).map(
      (r: unknown) => jsonReportSchema.parse(r),
    );
    const byName = new Map(reports.map((r: { cluster: { name: string } }) => [r.cluster.name, r]));
    const statusOf = (cluster: string, check: string) =>
      (byName.get(cluster) as ReturnType<typeof jsonReportSchema.parse>).checks.find(
        (c) => c.checkId === check,
      )?.status;
    for (const check of [
      'endpoint-public',
      'secrets-encryption',
      'audit-logging',
      'oidc-prefixes',
      'creator-admin',
    ]) {
      expect(statusOf('prod-eu', check), check).toBe('fail');
      expect(statusOf('prod-us', check), check).toBe('pass');
      expect(statusOf('staging-onprem', check), check).toBe('not_applicable');
    }
    expect((byName.get('prod-us') as { status: string }).status).toBe('complete');
  });
});
