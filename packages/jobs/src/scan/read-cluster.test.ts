import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cluster } from '@vigil/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentScanError } from '../errors.ts';
import { silentLogger } from '../logger.ts';
import { readCluster, type SourcePolicy } from './read-cluster.ts';

const DEMO = fileURLToPath(new URL('../../../../demo/clusters/', import.meta.url));
const NOW = new Date('2026-03-01T00:00:00Z');

function cluster(source: Cluster['source'], name = 'c1'): Cluster {
  return {
    id: '7b0c8f5e-4a53-4c4e-9d55-2f0d8e1f6a10',
    name,
    source,
    labels: {},
    scheduleIntervalSeconds: 86_400,
    enabled: true,
    createdAt: NOW,
    updatedAt: NOW,
    deletedAt: null,
  };
}

describe('readCluster', () => {
  let dir: string;
  let outside: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-read-cluster-'));
    outside = await mkdtemp(join(tmpdir(), 'vigil-outside-'));
    await mkdir(join(dir, 'empty'));
    await writeFile(join(outside, 'secret.json'), '{"not":"a snapshot"}');
    await symlink(join(outside, 'secret.json'), join(dir, 'escape.json'));
    await writeFile(join(dir, 'broken.json'), '{"kind":"nothing"}');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  const options = (policy: SourcePolicy) => ({
    policy,
    deadline: Date.now() + 60_000,
    scanId: 'run-1',
    logger: silentLogger,
    now: NOW,
  });

  it('reads a demo cluster directory (manifests and EKS description) under an allowed root', async () => {
    const snapshot = await readCluster(
      cluster({ type: 'snapshot', path: join(DEMO, 'prod-eu') }, 'prod-eu'),
      options({ snapshotRoots: [DEMO], allowKubeconfig: false }),
    );
    expect(snapshot.cluster.name).toBe('prod-eu');
    expect(snapshot.eks?.cluster.arn).toMatch(/^arn:aws:eks:/);
    expect(snapshot.kubernetes.clusterRoleBindings.length).toBeGreaterThan(0);
    expect(snapshot.collectedAt).toBe(NOW.toISOString());
  });

  it.each([
    ['a path outside every root', () => join(outside, 'secret.json'), /outside the directories/],
    [
      'a link inside a root that points outside it',
      () => join(dir, 'escape.json'),
      /outside the directories/,
    ],
    ['a relative path', () => 'demo/clusters/prod-eu', /must be absolute/],
    ['a path that does not exist', () => join(dir, 'missing.json'), /does not exist/],
    ['a directory without manifests', () => join(dir, 'empty'), /without manifests.yaml/],
  ])('refuses %s for good', async (_what, path, message) => {
    const reading = readCluster(
      cluster({ type: 'snapshot', path: path() }),
      options({ snapshotRoots: [dir, DEMO], allowKubeconfig: false }),
    );
    await expect(reading).rejects.toBeInstanceOf(PermanentScanError);
    await expect(reading).rejects.toThrow(message);
  });

  it('refuses snapshot sources when the deployment reads none (as in AWS)', async () => {
    await expect(
      readCluster(
        cluster({ type: 'snapshot', path: join(DEMO, 'prod-eu') }),
        options({ snapshotRoots: [], allowKubeconfig: false }),
      ),
    ).rejects.toMatchObject({ code: 'SOURCE_NOT_ALLOWED' });
  });

  it('refuses kubeconfig sources where there is no kubeconfig to read', async () => {
    await expect(
      readCluster(
        cluster({ type: 'kubeconfig', context: 'prod' }),
        options({ snapshotRoots: [], allowKubeconfig: false }),
      ),
    ).rejects.toMatchObject({ code: 'SOURCE_NOT_ALLOWED' });
  });

  it('reports a malformed snapshot file as invalid input', async () => {
    await expect(
      readCluster(
        cluster({ type: 'snapshot', path: join(dir, 'broken.json') }),
        options({ snapshotRoots: [dir], allowKubeconfig: false }),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
