import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSnapshotFromFiles } from '@vigil/core';
import { type JsonReport, jsonReportSchema } from '@vigil/core/report';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_FIXTURES, DEMO_CLUSTERS, demoClusterArgs, runVigil } from '../testing.ts';

const CLUSTER_ADMIN = `${CHECK_FIXTURES}/cluster-admin/fixtures/fail-user-bound/manifests.yaml`;
const NAMESPACED_ADMIN = `${CHECK_FIXTURES}/cluster-admin/fixtures/pass-namespaced-admin/manifests.yaml`;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vigil-scan-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function scanJson(args: string[], options: Parameters<typeof runVigil>[1] = {}) {
  const result = await runVigil(['scan', ...args, '--format', 'json', '--fail-on', 'none'], options);
  expect(result.code, result.stderr).toBe(0);
  return jsonReportSchema.parse(JSON.parse(result.stdout)) as JsonReport;
}

describe('vigil scan --format json', () => {
  let prodEu: JsonReport;
  beforeAll(async () => {
    prodEu = await scanJson(demoClusterArgs('prod-eu'));
  });

  it('reports the CI service account bound to cluster-admin in the demo cluster, with the binding', () => {
    const report = prodEu;
    expect(report.tool).toEqual({ name: 'vigil', version: expect.any(String) });
    expect(report.cluster).toMatchObject({ name: 'prod-eu', platform: 'eks', accountId: '111122223333' });
    const finding = report.findings.find(
      (f) =>
        f.checkId === 'cluster-admin' &&
        f.subject?.kind === 'ServiceAccount' &&
        f.subject.name === 'deployer',
    );
    expect(finding).toMatchObject({
      status: 'fail',
      severity: 'critical',
      resource: { kind: 'ClusterRoleBinding', name: 'ci-deployer-cluster-admin' },
      subject: { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
    });
    expect(finding?.message).toContain('ci-deployer-cluster-admin');
    expect(finding?.controls).toContain('cis-eks-1.8.0:4.1.1');
    expect(finding?.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('counts findings by severity and status consistently with the findings list', () => {
    const report = prodEu;
    const failing = report.findings.filter((f) => f.status === 'fail');
    expect(report.summary.findings.fail).toBe(failing.length);
    expect(report.summary.findings.suppressed).toBe(report.findings.length - failing.length);
    for (const [severity, count] of Object.entries(report.summary.bySeverity)) {
      expect(count).toBe(failing.filter((f) => f.severity === severity).length);
    }
    expect(report.checks.length).toBeGreaterThan(0);
    expect(report.compliance.map((c) => c.framework)).toContain('cis-eks-1.8.0');
  });

  it('marks built-in identities suppressed with the default exception that covers them', () => {
    const report = prodEu;
    const masters = report.findings.find(
      (f) => f.resource.name === 'cluster-admin' && f.subject?.name === 'system:masters',
    );
    expect(masters).toMatchObject({
      status: 'suppressed',
      suppression: { exceptionId: 'system-masters-default-binding', source: 'default' },
    });
  });

  it('applies a user exceptions file', async () => {
    const args = [...demoClusterArgs('prod-eu'), '--exceptions', `${DEMO_CLUSTERS}/prod-eu/exceptions.yaml`];
    const report = await scanJson(args);
    const breakGlass = report.findings.filter((f) => f.resource.name === 'platform-admins');
    expect(breakGlass.length).toBeGreaterThan(0);
    for (const f of breakGlass)
      expect(f.suppression).toMatchObject({ exceptionId: 'platform-break-glass', source: 'user' });
    expect(
      prodEu.findings.filter((f) => f.resource.name === 'platform-admins').every((f) => f.status === 'fail'),
    ).toBe(true);
  });

  it('says partial and lists the missing input when a kind was not given, and warns on stderr', async () => {
    const result = await runVigil([
      'scan',
      '--manifests',
      CLUSTER_ADMIN,
      '--format',
      'json',
      '--fail-on',
      'none',
    ]);
    const report = jsonReportSchema.parse(JSON.parse(result.stdout));
    expect(report.status).toBe('partial');
    expect(report.coverage.pods).toMatchObject({ status: 'not_collected' });
    const notEvaluated = report.checks.filter((c) => c.status === 'not_evaluated');
    expect(notEvaluated.length).toBeGreaterThan(0);
    for (const c of notEvaluated) expect(c.reason).toBeTruthy();
    expect(result.stderr).toMatch(/partial audit/);
  });

  it('treats trusted accounts as not foreign', async () => {
    const foreign = (r: JsonReport) =>
      r.findings.filter(
        (f) => f.checkId === 'foreign-principals' && f.subject?.name.includes('999988887777'),
      );
    expect(foreign(prodEu)).not.toHaveLength(0);
    const trusted = await scanJson([
      ...demoClusterArgs('prod-eu'),
      '--trusted-accounts',
      '999988887777,444455556666',
    ]);
    expect(foreign(trusted)).toHaveLength(0);
  });

  it('names a cluster without an EKS description after the folder its manifests were exported to', async () => {
    const fromFile = await scanJson(demoClusterArgs('staging-onprem', false));
    expect(fromFile.cluster).toMatchObject({ name: 'staging-onprem', platform: 'kubernetes' });
    const fromDirectory = await scanJson(['--manifests', `${DEMO_CLUSTERS}/staging-onprem/`]);
    expect(fromDirectory.cluster.name).toBe('staging-onprem');
    await writeFile(join(tmp, 'lab-west.yaml'), await readFile(CLUSTER_ADMIN, 'utf8'));
    const bareFile = await scanJson(['--manifests', 'lab-west.yaml'], { cwd: tmp });
    expect(bareFile.cluster.name).toBe('lab-west');
    const fromStdin = await scanJson(['--manifests', '-'], { stdin: await readFile(CLUSTER_ADMIN, 'utf8') });
    expect(fromStdin.cluster.name).toBe('cluster');
    // An EKS description names the cluster itself, whatever the folder.
    const fixture = `${CHECK_FIXTURES}/secrets-read/fixtures/fail-iam-principals`;
    const eks = await scanJson(['--manifests', `${fixture}/manifests.yaml`, '--eks', `${fixture}/eks.json`]);
    expect(eks.cluster.name).toBe('prod');
  });

  it('names the cluster after --cluster-name', async () => {
    const report = await scanJson([...demoClusterArgs('staging-onprem', false), '--cluster-name', 'lab']);
    expect(report.cluster).toMatchObject({ name: 'lab', platform: 'kubernetes' });
  });
});

describe('vigil scan exit codes', () => {
  it('exits 1 with the default --fail-on (high) when a critical finding fails', async () => {
    const result = await runVigil(['scan', '--manifests', CLUSTER_ADMIN]);
    expect(result.code).toBe(1);
  });

  it('exits 0 when nothing fails at or above --fail-on', async () => {
    // The namespaced-admin fixture has no cluster-wide admin; its findings are below critical.
    const report = await scanJson(['--manifests', NAMESPACED_ADMIN]);
    expect(report.findings.some((f) => f.status === 'fail' && f.severity === 'critical')).toBe(false);
    const result = await runVigil(['scan', '--manifests', NAMESPACED_ADMIN, '--fail-on', 'critical']);
    expect(result.code).toBe(0);
  });

  it('exits 1 with --fail-on high on the demo cluster and 0 with --fail-on none', async () => {
    expect((await runVigil(['scan', ...demoClusterArgs('prod-eu'), '--fail-on', 'high'])).code).toBe(1);
    expect((await runVigil(['scan', ...demoClusterArgs('prod-eu'), '--fail-on', 'none'])).code).toBe(0);
  });

  it('does not count suppressed findings toward --fail-on', async () => {
    const only = join(tmp, 'masters-only.yaml');
    // Only the default system:masters binding: its finding is suppressed by a built-in exception.
    await writeFile(
      only,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: cluster-admin }
rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: cluster-admin }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [{ kind: Group, name: "system:masters" }]
`,
    );
    const report = await scanJson(['--manifests', only]);
    expect(report.findings.some((f) => f.status === 'suppressed' && f.severity === 'critical')).toBe(true);
    expect(report.summary.findings.fail).toBe(0);
    expect((await runVigil(['scan', '--manifests', only, '--fail-on', 'info'])).code).toBe(0);
  });
});

describe('vigil scan inputs', () => {
  it('reads manifests from stdin with --manifests -', async () => {
    const text = await readFile(CLUSTER_ADMIN, 'utf8');
    const report = await scanJson(['--manifests', '-'], { stdin: text });
    expect(report.findings.some((f) => f.checkId === 'cluster-admin' && f.subject?.name === 'alice')).toBe(
      true,
    );
  });

  it('walks a directory recursively, reading only .yaml/.yml/.json files in path order', async () => {
    const dir = join(tmp, 'walk');
    await mkdir(join(dir, 'b-nested', 'deeper'), { recursive: true });
    await mkdir(join(dir, '.git'), { recursive: true });
    const role = (name: string) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: ${name} }\nrules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]\n`;
    const binding = (name: string, user: string) =>
      `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"${name}"},"roleRef":{"kind":"ClusterRole","name":"everything"},"subjects":[{"kind":"User","name":"${user}"}]}`;
    await writeFile(join(dir, 'a-role.yaml'), role('everything'));
    await writeFile(join(dir, 'b-nested', 'binding.json'), binding('nested-binding', 'bob'));
    await writeFile(join(dir, 'b-nested', 'deeper', 'more.yml'), binding('deep-binding', 'carol'));
    await writeFile(join(dir, 'notes.txt'), 'not yaml: [');
    await writeFile(join(dir, '.git', 'config.yaml'), 'broken: [');
    await symlink(dir, join(dir, 'b-nested', 'loop'));
    const report = await scanJson(['--manifests', dir]);
    const admins = report.findings
      .filter((f) => f.checkId === 'cluster-admin')
      .map((f) => f.subject?.name)
      .sort();
    expect(admins).toEqual(['bob', 'carol']);
    expect(report.coverage.clusterroles).toMatchObject({ status: 'complete', count: 1 });
  });

  it('accepts several paths after one --manifests and as positionals', async () => {
    const dir = `${DEMO_CLUSTERS}/prod-eu`;
    const report = await scanJson([
      '--manifests',
      `${CHECK_FIXTURES}/cluster-admin/fixtures/fail-user-bound/manifests.yaml`,
      `${CHECK_FIXTURES}/secrets-read/fixtures/pass-no-read/manifests.yaml`,
    ]);
    expect(report.findings.some((f) => f.subject?.name === 'alice')).toBe(true);
    const viaPositional = await scanJson([`${dir}/manifests.yaml`, '--eks', `${dir}/eks.json`]);
    expect(viaPositional.cluster.name).toBe('prod-eu');
  });

  it('reads a snapshot file and keeps its coverage', async () => {
    const snapshot = buildSnapshotFromFiles({
      manifests: [{ name: 'm.yaml', text: await readFile(CLUSTER_ADMIN, 'utf8') }],
      clusterName: 'from-snapshot',
    });
    const file = join(tmp, 'snapshot.json');
    await writeFile(file, JSON.stringify(snapshot));
    const report = await scanJson(['--snapshot', file]);
    expect(report.cluster.name).toBe('from-snapshot');
    expect(report.coverage.pods?.status).toBe('not_collected');
    expect(report.findings.some((f) => f.subject?.name === 'alice')).toBe(true);
  });

  it('writes the report to --output and says so on stderr', async () => {
    const out = join(tmp, 'report.json');
    const result = await runVigil([
      'scan',
      ...demoClusterArgs('prod-us'),
      '--format',
      'json',
      '--output',
      out,
    ]);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`wrote json report to ${out}`);
    const report = jsonReportSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    expect(report.cluster.name).toBe('prod-us');
  });
});

describe('vigil scan bad input (exit 2, one clear message, no stack)', () => {
  const expectCleanError = (result: { code: number; stderr: string; stdout: string }, ...parts: string[]) => {
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    for (const part of parts) expect(result.stderr).toContain(part);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  };

  it('names a missing file', async () => {
    const missing = join(tmp, 'nope.yaml');
    expectCleanError(await runVigil(['scan', '--manifests', missing]), missing, 'no such file or directory');
  });

  it('names the file and line of invalid YAML', async () => {
    const file = join(tmp, 'broken.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: [unclosed\n');
    expectCleanError(await runVigil(['scan', '--manifests', file]), file, 'not valid YAML');
  });

  it('names the file and the object when an object is malformed', async () => {
    const file = join(tmp, 'malformed.yaml');
    await writeFile(
      file,
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: broken-binding }\nroleRef: { kind: Deployment, name: x }\n',
    );
    expectCleanError(
      await runVigil(['scan', '--manifests', file]),
      file,
      'ClusterRoleBinding broken-binding',
      'roleRef',
    );
  });

  it('rejects invalid JSON on stdin', async () => {
    expectCleanError(
      await runVigil(['scan', '--manifests', '-'], { stdin: '{"kind": "List", ' }),
      'stdin',
      'not valid JSON',
    );
  });

  it('rejects an EKS file that is not a cluster description', async () => {
    const file = join(tmp, 'eks.json');
    await writeFile(file, JSON.stringify({ clusters: ['prod'] }));
    expectCleanError(await runVigil(['scan', '--eks', file]), file, 'not an EKS cluster description');
  });

  it('rejects a malformed exceptions file', async () => {
    const file = join(tmp, 'exceptions.yaml');
    await writeFile(file, 'exceptions:\n  - id: x\n    checks: []\n    reason: because\n');
    expectCleanError(
      await runVigil(['scan', '--manifests', CLUSTER_ADMIN, '--exceptions', file]),
      file,
      'not an exceptions file',
    );
  });

  it('rejects a directory without manifests', async () => {
    const dir = join(tmp, 'empty-dir');
    await mkdir(dir, { recursive: true });
    expectCleanError(await runVigil(['scan', '--manifests', dir]), dir, 'no .yaml, .yml or .json files');
  });

  it('rejects an unknown flag with the usage', async () => {
    const result = await runVigil(['scan', '--manifests', CLUSTER_ADMIN, '--colour']);
    expectCleanError(result, 'unknown option --colour', 'Usage: vigil scan');
  });

  it('rejects an unknown format, severity or account id', async () => {
    expectCleanError(
      await runVigil(['scan', '--manifests', CLUSTER_ADMIN, '--format', 'xml']),
      '--format must be one of',
    );
    expectCleanError(
      await runVigil(['scan', '--manifests', CLUSTER_ADMIN, '--fail-on', 'severe']),
      '--fail-on',
    );
    expectCleanError(
      await runVigil(['scan', '--manifests', CLUSTER_ADMIN, '--trusted-accounts', '12345']),
      '"12345" is not a 12-digit AWS account id',
    );
  });

  it('requires an input and refuses --snapshot with --manifests', async () => {
    expectCleanError(await runVigil(['scan']), 'say what to audit');
    expectCleanError(
      await runVigil(['scan', '--snapshot', 'a.json', '--manifests', CLUSTER_ADMIN]),
      '--snapshot cannot be combined',
    );
  });

  it('rejects a snapshot file that does not match the schema', async () => {
    const file = join(tmp, 'bad-snapshot.json');
    await writeFile(file, JSON.stringify({ schemaVersion: 2 }));
    expectCleanError(await runVigil(['scan', '--snapshot', file]), file, 'not a Vigil snapshot');
  });
});
