import { describe, expect, it } from 'vitest';
import { TEST_ENGINES, useTestDatabase } from '../testing/index.ts';
import {
  createCluster,
  deleteCluster,
  getCluster,
  getClusterByName,
  listClusterIds,
  listClusters,
  updateCluster,
} from './repository.ts';

const eks = {
  type: 'eks' as const,
  arn: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod',
  region: 'eu-west-1',
  roleArn: 'arn:aws:iam::123456789012:role/vigil-scanner',
  externalId: 'vigil-7f3a9c',
};

describe.each(TEST_ENGINES)('clusters on %s', (engine) => {
  const db = useTestDatabase(engine);
  const unique = (name: string) => `${name}-${engine}-${Math.random().toString(36).slice(2, 8)}`;

  it('creates a cluster with its source, labels and schedule, and reads it back by id and by name', async () => {
    const name = unique('prod');
    const created = await createCluster(db(), {
      name,
      source: eks,
      labels: { env: 'prod', team: 'payments' },
      scheduleIntervalSeconds: 86_400,
    });
    expect(created).toMatchObject({
      name,
      source: eks,
      labels: { env: 'prod' },
      enabled: true,
      deletedAt: null,
    });
    expect(await getCluster(db(), created.id)).toEqual(created);
    expect(await getClusterByName(db(), name)).toEqual(created);
    expect(await getCluster(db(), 'not-a-uuid')).toBeNull();
  });

  it('refuses a second live cluster with the same name, and frees the name once the first is deleted', async () => {
    const name = unique('dup');
    const first = await createCluster(db(), { name, source: { type: 'kubeconfig', context: 'kind-a' } });
    await expect(
      createCluster(db(), { name, source: { type: 'kubeconfig', context: 'kind-b' } }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });

    expect(await deleteCluster(db(), first.id)).toBe(true);
    expect(await deleteCluster(db(), first.id)).toBe(false);
    expect(await getCluster(db(), first.id)).toBeNull();
    expect((await getCluster(db(), first.id, { includeDeleted: true }))?.deletedAt).toBeInstanceOf(Date);
    const second = await createCluster(db(), { name, source: { type: 'kubeconfig', context: 'kind-b' } });
    expect(second.id).not.toBe(first.id);
  });

  it('refuses a source carrying credentials or a malformed ARN, so only references are stored', async () => {
    const name = unique('bad');
    await expect(
      createCluster(db(), {
        name,
        source: { type: 'kubeconfig', context: 'x', token: 'eyJhbGciOi' } as never,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('source') });
    await expect(
      createCluster(db(), { name, source: { ...eks, arn: 'arn:aws:eks:eu-west-1:1:cluster/x' } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(createCluster(db(), { name, source: { ...eks, region: 'us-east-1' } })).rejects.toThrow(
      /region must match/,
    );
    // RELIABILITY 13: the role is always assumed with the cluster's external id, so neither comes alone.
    const { externalId: _, ...roleOnly } = eks;
    await expect(createCluster(db(), { name, source: roleOnly })).rejects.toThrow(/go together/);
    const { roleArn: __, ...idOnly } = eks;
    await expect(createCluster(db(), { name, source: idOnly })).rejects.toThrow(/go together/);
    await expect(
      createCluster(db(), { name, source: eks, scheduleIntervalSeconds: 10 }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(createCluster(db(), { name: 'has space', source: eks })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('updates fields of a live cluster and reports a name clash as a conflict', async () => {
    const a = await createCluster(db(), { name: unique('a'), source: eks });
    const b = await createCluster(db(), { name: unique('b'), source: eks });
    const updated = await updateCluster(db(), a.id, { labels: { env: 'staging' }, enabled: false });
    expect(updated).toMatchObject({ labels: { env: 'staging' }, enabled: false, name: a.name });
    expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(a.updatedAt.getTime());
    await expect(updateCluster(db(), a.id, { name: b.name })).rejects.toMatchObject({ code: 'CONFLICT' });
    await deleteCluster(db(), b.id);
    expect(await updateCluster(db(), b.id, { enabled: false })).toBeNull();
  });

  it('lists clusters by name with a label selector and pages through them with a cursor', async () => {
    const team = unique('team');
    const names = ['c1', 'c2', 'c3', 'c4', 'c5'].map((n) => `${team}-${n}`);
    for (const [i, name] of names.entries()) {
      await createCluster(db(), {
        name,
        source: eks,
        labels: { team, tier: i % 2 === 0 ? 'gold' : 'silver' },
        ...(i === 4 ? { scheduleIntervalSeconds: null } : { scheduleIntervalSeconds: 3_600 }),
      });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listClusters(db(), {
        labelSelector: { matchLabels: { team } },
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((c) => c.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(names);

    const gold = await listClusters(db(), {
      labelSelector: {
        matchLabels: { team },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold'] }],
      },
    });
    expect(gold.items.map((c) => c.name)).toEqual([names[0], names[2], names[4]]);
    const notGold = await listClusters(db(), {
      labelSelector: {
        matchLabels: { team },
        matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }],
      },
    });
    expect(notGold.items.map((c) => c.name)).toEqual([names[1], names[3]]);
    const scheduled = await listClusters(db(), {
      labelSelector: { matchLabels: { team } },
      scheduled: false,
    });
    expect(scheduled.items.map((c) => c.name)).toEqual([names[4]]);
    const withoutTier = await listClusterIds(db(), {
      matchLabels: { team },
      matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }],
    });
    expect(withoutTier).toEqual([]);
    const withTier = await listClusterIds(db(), {
      matchLabels: { team },
      matchExpressions: [{ key: 'tier', operator: 'Exists' }],
    });
    expect(withTier).toHaveLength(5);
  });
});
