import { describe, expect, it } from 'vitest';
import { insertDeliveries, listDeliveries } from '../deliveries/repository.ts';
import { InvalidInputError } from '../errors.ts';
import { recordScan } from '../record-scan.ts';
import {
  createTestCluster,
  makeCompliance,
  makeReport,
  TEST_ENGINES,
  useTestDatabase,
} from '../testing/index.ts';
import { complianceAsOf } from './compliance-history.ts';
import {
  createSubscription,
  deleteSubscription,
  disableSubscription,
  getSubscription,
  getSubscriptionSecrets,
  listEnabledSubscriptions,
  listSubscriptions,
  type NewSubscription,
  recordEndpointResult,
  updateSubscription,
} from './repository.ts';

function newSubscription(overrides: Partial<NewSubscription> = {}): NewSubscription {
  return {
    name: 'ops',
    format: 'generic',
    url: 'https://hooks.example.com/in',
    host: 'hooks.example.com',
    eventTypes: ['finding.opened'],
    ...overrides,
  };
}

describe.each(TEST_ENGINES)('subscriptions on %s', (engine) => {
  const db = useTestDatabase(engine);

  it('stores a subscription and never returns its sealed secrets with it', async () => {
    const id = crypto.randomUUID();
    const created = await createSubscription(db(), newSubscription({ id, sealedSecrets: 'v1.local.a.b' }));
    expect(created).toMatchObject({
      id,
      format: 'generic',
      enabled: true,
      hasSecrets: true,
      minSeverity: null,
    });
    expect(JSON.stringify(created)).not.toContain('v1.local');
    expect(JSON.stringify(await getSubscription(db(), id))).not.toContain('v1.local');
    expect(await getSubscriptionSecrets(db(), id)).toBe('v1.local.a.b');
  });

  it('refuses a bad format, severity, event type or selector', async () => {
    await expect(createSubscription(db(), newSubscription({ format: 'email' as never }))).rejects.toThrow(
      InvalidInputError,
    );
    await expect(
      createSubscription(db(), newSubscription({ minSeverity: 'urgent' as never })),
    ).rejects.toThrow(/minSeverity/);
    await expect(createSubscription(db(), newSubscription({ eventTypes: [] }))).rejects.toThrow(/eventTypes/);
    await expect(
      createSubscription(
        db(),
        newSubscription({
          clusterSelector: { matchExpressions: [{ key: 'env', operator: 'Near' as never }] },
        }),
      ),
    ).rejects.toThrow(/clusterSelector/);
  });

  it('lists live subscriptions page by page', async () => {
    const mine = await Promise.all(
      [1, 2, 3].map((i) => createSubscription(db(), newSubscription({ name: `page-${i}`, format: 'slack' }))),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listSubscriptions(db(), {
        formats: ['slack'],
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.filter((id) => mine.some((m) => m.id === id)).sort()).toEqual(mine.map((m) => m.id).sort());
  });

  it('disables with a reason, fails the pending deliveries, and clears both when enabled again', async () => {
    const sub = await createSubscription(db(), newSubscription());
    await insertDeliveries(db(), [
      {
        subscriptionId: sub.id,
        eventKey: 'e1',
        webhookId: 'msg_1',
        eventType: 'scan.failed',
        eventTimestamp: new Date(),
        payload: {},
        clusterId: null,
        ticketKey: null,
        host: sub.host,
      },
    ]);
    const at = new Date('2026-02-03T04:05:06.000Z');
    expect(await disableSubscription(db(), sub.id, { reason: 'the endpoint answered 410 Gone', at })).toBe(
      true,
    );
    expect(await disableSubscription(db(), sub.id, { reason: 'again', at })).toBe(false);
    expect(await getSubscription(db(), sub.id)).toMatchObject({
      enabled: false,
      disabledReason: 'the endpoint answered 410 Gone',
      disabledAt: at,
    });
    const deliveries = await listDeliveries(db(), { subscriptionId: sub.id });
    expect(deliveries.items.map((d) => [d.status, d.lastError])).toEqual([
      ['failed', 'the subscription was disabled: the endpoint answered 410 Gone'],
    ]);
    expect((await listEnabledSubscriptions(db())).some((s) => s.id === sub.id)).toBe(false);
    const enabled = await updateSubscription(db(), sub.id, { enabled: true });
    expect(enabled).toMatchObject({
      enabled: true,
      disabledReason: null,
      disabledAt: null,
      failingSince: null,
    });
  });

  it('moves pending deliveries to the new host when the URL changes', async () => {
    const sub = await createSubscription(db(), newSubscription());
    await insertDeliveries(db(), [
      {
        subscriptionId: sub.id,
        eventKey: 'h1',
        webhookId: 'msg_h1',
        eventType: 'scan.failed',
        eventTimestamp: new Date(),
        payload: {},
        clusterId: null,
        ticketKey: null,
        host: sub.host,
      },
    ]);
    await updateSubscription(db(), sub.id, { url: 'https://other.example/in', host: 'other.example' });
    const page = await listDeliveries(db(), { subscriptionId: sub.id });
    expect(page.items[0]?.host).toBe('other.example');
  });

  it('tracks a failing streak from its first failure until a success', async () => {
    const sub = await createSubscription(db(), newSubscription());
    const t1 = new Date('2026-01-01T00:00:00.000Z');
    const t2 = new Date('2026-01-02T00:00:00.000Z');
    expect(await recordEndpointResult(db(), sub.id, { ok: false, at: t1 })).toEqual({ failingSince: t1 });
    expect(await recordEndpointResult(db(), sub.id, { ok: false, at: t2 })).toEqual({ failingSince: t1 });
    expect(await getSubscription(db(), sub.id)).toMatchObject({ failingSince: t1, lastFailureAt: t2 });
    await recordEndpointResult(db(), sub.id, { ok: true, at: t2 });
    expect(await getSubscription(db(), sub.id)).toMatchObject({ failingSince: null, lastSuccessAt: t2 });
  });

  it('soft-deletes: gone from reads, history kept', async () => {
    const sub = await createSubscription(db(), newSubscription());
    expect(await deleteSubscription(db(), sub.id, new Date())).toBe(true);
    expect(await deleteSubscription(db(), sub.id, new Date())).toBe(false);
    expect(await getSubscription(db(), sub.id)).toBeNull();
    expect(await getSubscription(db(), sub.id, { includeDeleted: true })).toMatchObject({ enabled: false });
    expect(await getSubscriptionSecrets(db(), sub.id)).toBeNull();
    expect(await updateSubscription(db(), sub.id, { name: 'x' })).toBeNull();
  });

  it('reads each cluster compliance as of an instant', async () => {
    const cluster = await createTestCluster(db());
    const first = new Date('2026-01-01T00:00:00.000Z');
    const second = new Date('2026-01-02T00:00:00.000Z');
    const record = (slot: string, at: Date, compliance: ReturnType<typeof makeCompliance>) =>
      recordScan(
        db(),
        {
          clusterId: cluster.id,
          slot,
          trigger: 'schedule',
          report: makeReport({ compliance }),
          startedAt: at,
          finishedAt: at,
        },
        { now: at },
      );
    const a = await record('2026-01-01T00:00:00.000Z', first, makeCompliance({ '1.1': 'pass' }));
    await new Promise((r) => setTimeout(r, 20));
    const between = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const b = await record('2026-01-02T00:00:00.000Z', second, makeCompliance({ '1.1': 'fail' }));
    const mine = (rows: Awaited<ReturnType<typeof complianceAsOf>>) =>
      rows.filter((r) => r.clusterId === cluster.id);
    expect(mine(await complianceAsOf(db(), { at: between })).map((r) => r.runId)).toEqual([a.runId]);
    const now = mine(await complianceAsOf(db(), { at: new Date(), clusterIds: [cluster.id] }));
    expect(now.map((r) => [r.runId, r.compliance[0]?.controls[0]?.status])).toEqual([[b.runId, 'fail']]);
    expect(mine(await complianceAsOf(db(), { at: new Date(0) }))).toEqual([]);
  });
});
