import { describe, expect, it } from 'vitest';
import { DEMO_CLUSTERS, demoClusterArgs, runVigil } from '../testing.ts';

const ESC = '\u001b[';

describe('vigil scan --format table', () => {
  it('shows the cluster, critical findings first with resource and subject, and the compliance summary', async () => {
    const { stdout, code } = await runVigil(['scan', ...demoClusterArgs('prod-eu'), '--fail-on', 'none']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Cluster prod-eu \(EKS/);
    const critical = stdout.indexOf('CRITICAL (');
    const high = stdout.indexOf('HIGH (');
    expect(critical).toBeGreaterThan(0);
    expect(high).toBeGreaterThan(critical);
    const ci = stdout.indexOf('resource  ClusterRoleBinding ci-deployer-cluster-admin');
    expect(ci).toBeGreaterThan(critical);
    expect(ci).toBeLessThan(high);
    expect(stdout).toContain('subject   ServiceAccount ci/deployer');
    expect(stdout).toContain('CIS Amazon EKS Benchmark 1.8.0');
    expect(stdout).not.toContain(ESC);
  });

  it('lists inputs that were not read and the checks that did not run, with reasons', async () => {
    const { stdout } = await runVigil([
      'scan',
      '--manifests',
      `${DEMO_CLUSTERS}/prod-us/manifests.yaml`,
      '--eks',
      'packages/cli/src/testdata/prod-us-without-kms.json',
      '--fail-on',
      'none',
    ]);
    expect(stdout).toContain('Status: PARTIAL');
    expect(stdout).toMatch(/kmsKey: not_collected/);
    expect(stdout).toMatch(
      /Checks not evaluated \(2\)\n\s+kms-key-health\s+kmsKey: not_collected.*\n\s+secrets-encryption\s+the cluster encrypts Secrets with arn:aws:kms:\S+, but whether that key is customer-managed is unknown: kmsKey: not_collected/,
    );
  });

  it('summarises suppressed findings per exception, and lists them with --show-suppressed', async () => {
    const args = [...demoClusterArgs('prod-eu'), '--exceptions', `${DEMO_CLUSTERS}/prod-eu/exceptions.yaml`];
    const summary = (await runVigil(['scan', ...args, '--fail-on', 'none'])).stdout;
    expect(summary).toMatch(/Suppressed \(\d+\)/);
    expect(summary).toMatch(/\d+\s+platform-break-glass \(user\)/);
    expect(summary).toContain('Run with --show-suppressed');
    const listed = (await runVigil(['scan', ...args, '--fail-on', 'none', '--show-suppressed'])).stdout;
    expect(listed).toContain('exception platform-break-glass (user): Break-glass administrators');
    expect(listed).not.toContain('Run with --show-suppressed');
  });

  it('summarises built-in exceptions that share a reason on one line', async () => {
    const { stdout } = await runVigil(['scan', ...demoClusterArgs('prod-us'), '--fail-on', 'none']);
    expect(stdout).toMatch(
      /\d+\s+kube-system-\*, \d+ exceptions \(default\)\s+Built-in controller of kube-controller-manager/,
    );
    expect(stdout).toMatch(/\d+\s+addon-aws-node \(default\)/);
    expect(stdout.match(/Built-in controller of kube-controller-manager/g)).toHaveLength(1);
  });

  it('lists the checks that do not apply to a non-EKS cluster', async () => {
    const { stdout } = await runVigil([
      'scan',
      ...demoClusterArgs('staging-onprem', false),
      '--fail-on',
      'none',
    ]);
    expect(stdout).toMatch(/Checks not applicable \(\d+, not an EKS cluster\): .*endpoint-public/);
  });

  it('colours output only on a terminal without NO_COLOR', async () => {
    const args = ['scan', ...demoClusterArgs('prod-us'), '--fail-on', 'none'];
    expect((await runVigil(args, { stdoutIsTTY: true })).stdout).toContain(ESC);
    expect((await runVigil(args, { stdoutIsTTY: true, env: { NO_COLOR: '1' } })).stdout).not.toContain(ESC);
    expect((await runVigil(args, { stdoutIsTTY: false })).stdout).not.toContain(ESC);
  });
});
