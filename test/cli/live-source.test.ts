// `vigil collect` and `vigil scan --kubeconfig` against the loopback fake Kubernetes API server: the CLI's
// live source path end to end, in-process, with real HTTPS and bearer-token auth.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@vigil/cli';
import { snapshotSchema } from '@vigil/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestIo } from '../../packages/cli/src/testing.ts';
import { smallCluster } from '../fake-kube/fixtures.ts';
import { type FakeKube, startFakeKube } from '../fake-kube/server.ts';

let fake: FakeKube;
let dir: string;
let kubeconfig: string;

beforeEach(async () => {
  fake = await startFakeKube({ objects: smallCluster() });
  dir = mkdtempSync(join(tmpdir(), 'vigil-cli-live-'));
  kubeconfig = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, fake.kubeconfig({ contextName: 'lab' }));
});
afterEach(async () => {
  await fake.close();
});

async function vigil(args: string[]) {
  const io = createTestIo({ cwd: dir });
  const code = await main(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('vigil with a live source', () => {
  it('collects a cluster into a snapshot file that scan --snapshot audits', async () => {
    const collected = await vigil([
      'collect',
      '--kubeconfig',
      'kubeconfig.yaml',
      '--context',
      'lab',
      '--out',
      'snap.json',
    ]);
    expect(collected.stderr).toMatch(/wrote snapshot of fake to snap\.json \(\d+ objects\)/);
    expect(collected.code).toBe(0);
    const text = readFileSync(join(dir, 'snap.json'), 'utf8');
    expect(text).not.toContain(fake.token);
    const snapshot = snapshotSchema.parse(JSON.parse(text));
    expect(snapshot.coverage.clusterroles).toMatchObject({ status: 'complete' });

    const scanned = await vigil(['scan', '--snapshot', 'snap.json', '--format', 'json', '--fail-on', 'none']);
    expect(scanned.code).toBe(0);
    const report = JSON.parse(scanned.stdout);
    expect(report.status).toBe('complete');
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        checkId: 'cluster-admin',
        subject: expect.objectContaining({ name: 'alice' }),
      }),
    );
  });

  it('scans live and reports a kind it was forbidden to read as partial, not clean', async () => {
    fake.inject('pods', { status: 403 });
    const { code, stdout, stderr } = await vigil([
      'scan',
      '--kubeconfig',
      kubeconfig,
      '--format',
      'json',
      '--fail-on',
      'critical',
    ]);
    const report = JSON.parse(stdout);
    expect(report.status).toBe('partial');
    expect(report.coverage.pods.status).toBe('forbidden');
    expect(report.checks).toContainEqual(
      expect.objectContaining({ checkId: 'token-automount', status: 'not_evaluated' }),
    );
    expect(stderr).toMatch(/partial audit of fake/);
    expect(code).toBe(1); // alice's cluster-admin binding is critical
  });

  it('fails with a clear message and no token when the cluster cannot be reached', async () => {
    writeFileSync(kubeconfig, fake.kubeconfig({ server: 'https://127.0.0.1:9' }));
    const { code, stderr } = await vigil(['scan', '--kubeconfig', kubeconfig, '--timeout', '5']);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^vigil scan: error: .*kubeconfig\.yaml: .*127\.0\.0\.1:9.*\((CLUSTER_UNREACHABLE|DEADLINE_EXCEEDED)\)\n$/,
    );
    expect(stderr).not.toContain(fake.token);
  });

  it('refuses flags that do not go together', async () => {
    const mixed = await vigil(['scan', '--kubeconfig', kubeconfig, '--manifests', 'x.yaml']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('cannot be combined');
    const orphan = await vigil([
      'collect',
      '--eks-cluster',
      'arn:aws:eks:eu-west-1:111122223333:cluster/p',
      '--external-id',
      'x',
      '--out',
      '-',
    ]);
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toContain('--role-arn and --external-id go together');
    // RELIABILITY 13: the role is always assumed with the cluster's external id.
    const roleOnly = await vigil([
      'collect',
      '--eks-cluster',
      'arn:aws:eks:eu-west-1:111122223333:cluster/p',
      '--role-arn',
      'arn:aws:iam::111122223333:role/vigil-scanner',
      '--out',
      '-',
    ]);
    expect(roleOnly.code).toBe(2);
    expect(roleOnly.stderr).toContain('--role-arn and --external-id go together');
  });
});
