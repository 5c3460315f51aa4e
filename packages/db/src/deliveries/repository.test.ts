import { describe, expect, it } from 'vitest';
import { createSubscription, disableSubscription } from '../subscriptions/repository.ts';
import { TEST_ENGINES, useTestDatabase } from '../testing/index.ts';
import type { NewDelivery } from './model.ts';
import {
  claimDeliveries,
  completeDelivery,
  countDeliveries,
  enqueueDueDeliveries,
  getDelivery,
  getTicket,
  insertDeliveries,
  listDeliveries,
  redeliver,
  releaseEnqueued,
  saveTicket,
} from './repository.ts';

const newSubscription = (o: { host: string; url: string }) => ({
  name: 'ops',
  format: 'generic' as const,
  eventTypes: ['finding.opened'],
  ...o,
});

const T0 = new Date('2026-05-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe.each(TEST_ENGINES)('deliveries on %s', (engine) => {
  const db = useTestDatabase(engine);
  let hostCounter = 0;

  async function setup(count: number, extra: Partial<NewDelivery> = {}) {
    const host = `h${++hostCounter}-${Math.random().toString(36).slice(2)}.example`;
    const sub = await createSubscription(db(), newSubscription({ host, url: `https://${host}/` }));
    const rows: NewDelivery[] = Array.from({ length: count }, (_, i) => ({
      subscriptionId: sub.id,
      eventKey: `evt-${i}`,
      webhookId: `msg_${i}`,
      eventType: 'finding.opened',
      eventTimestamp: T0,
      payload: { i },
      clusterId: null,
      ticketKey: null,
      host,
      nextAttemptAt: T0,
      ...extra,
    }));
    await insertDeliveries(db(), rows);
    const page = await listDeliveries(db(), { subscriptionId: sub.id, limit: 500 });
    // Oldest first, as they were created.
    return { sub, host, ids: page.items.map((d) => d.id).reverse() };
  }

  const enqueue = (host: string, now: Date, perHostLimit = 2) =>
    enqueueDueDeliveries(db(), { now, hosts: [host], horizonSeconds: 900, perHostLimit, staleSeconds: 1800 });

  it('creates each (subscription, event) delivery once, in the order given', async () => {
    const { sub, ids } = await setup(3);
    const again = await insertDeliveries(db(), [
      {
        subscriptionId: sub.id,
        eventKey: 'evt-1',
        webhookId: 'msg_other',
        eventType: 'finding.opened',
        eventTimestamp: T0,
        payload: {},
        clusterId: null,
        ticketKey: null,
        host: sub.host,
      },
    ]);
    expect(again).toBe(0);
    const rows = await Promise.all(ids.map((id) => getDelivery(db(), id)));
    expect(rows.map((r) => r?.eventKey)).toEqual(['evt-0', 'evt-1', 'evt-2']);
    expect(rows.map((r) => r?.seq)).toEqual([...rows.map((r) => r!.seq)].sort((a, b) => a - b));
    expect(await countDeliveries(db(), sub.id)).toEqual({ pending: 3, succeeded: 0, failed: 0 });
  });

  it('keeps at most the per-host limit of a host in flight, and hands slots on as attempts finish', async () => {
    const { host, ids } = await setup(5);
    const first = await enqueue(host, T0);
    expect(first.map((r) => r.id)).toEqual(ids.slice(0, 2));
    expect(await enqueue(host, T0)).toEqual([]);
    const { claimed } = await claimDeliveries(db(), [ids[0]!], { now: T0, leaseSeconds: 60 });
    expect(claimed.map((c) => [c.id, c.attempts, c.firstAttemptAt])).toEqual([[ids[0], 1, T0]]);
    expect(await enqueue(host, T0)).toEqual([]);
    await completeDelivery(db(), ids[0]!, {
      status: 'succeeded',
      at: at(1),
      statusCode: 204,
      durationMs: 12.4,
    });
    expect((await enqueue(host, at(1))).map((r) => r.id)).toEqual([ids[2]]);
    expect(await getDelivery(db(), ids[0]!)).toMatchObject({
      status: 'succeeded',
      lastStatusCode: 204,
      lastDurationMs: 12,
      enqueuedAt: null,
      leasedUntil: null,
      completedAt: at(1),
    });
  });

  it('takes rows due within the horizon and leaves later ones for a later sweep', async () => {
    const { host, ids } = await setup(2);
    await completeDelivery(db(), ids[0]!, { status: 'pending', at: T0, nextAttemptAt: at(600) });
    await completeDelivery(db(), ids[1]!, { status: 'pending', at: T0, nextAttemptAt: at(3600) });
    const picked = await enqueue(host, T0);
    expect(picked).toEqual([{ id: ids[0], host, nextAttemptAt: at(600) }]);
    await claimDeliveries(db(), [ids[0]!], { now: at(600), leaseSeconds: 60 });
    await completeDelivery(db(), ids[0]!, { status: 'succeeded', at: at(601) });
    expect(await enqueue(host, at(601))).toEqual([]);
    expect((await enqueue(host, at(2800))).map((r) => r.id)).toEqual([ids[1]]);
  });

  it('claims only pending, due, unleased deliveries and says why it skipped the rest', async () => {
    const { ids } = await setup(4);
    await completeDelivery(db(), ids[1]!, { status: 'succeeded', at: T0 });
    await completeDelivery(db(), ids[2]!, { status: 'pending', at: T0, nextAttemptAt: at(300) });
    await claimDeliveries(db(), [ids[3]!], { now: T0, leaseSeconds: 60 });
    const result = await claimDeliveries(db(), [...ids, 'not-a-uuid', crypto.randomUUID()], {
      now: T0,
      leaseSeconds: 60,
    });
    expect(result.claimed.map((c) => c.id)).toEqual([ids[0]]);
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.id, s.reason]));
    expect(reasons[ids[1]!]).toBe('finished');
    expect(reasons[ids[2]!]).toBe('not_due');
    expect(reasons[ids[3]!]).toBe('leased');
    expect(reasons['not-a-uuid']).toBe('missing');
    // A lease that ran out (a worker died mid-attempt) can be claimed again; the attempt is counted.
    const later = await claimDeliveries(db(), [ids[3]!], { now: at(61), leaseSeconds: 60 });
    expect(later.claimed.map((c) => c.attempts)).toEqual([2]);
  });

  it('holds a later event about the same finding until the earlier one is finished', async () => {
    const { host, ids } = await setup(3, { ticketKey: 'cluster-a:fp1' });
    expect((await enqueue(host, T0, 5)).map((r) => r.id)).toEqual([ids[0]]);
    const early = await claimDeliveries(db(), [ids[1]!], { now: T0, leaseSeconds: 60 });
    expect(early.skipped).toEqual([{ id: ids[1], reason: 'blocked' }]);
    await claimDeliveries(db(), [ids[0]!], { now: T0, leaseSeconds: 60 });
    await completeDelivery(db(), ids[0]!, { status: 'failed', at: T0, error: 'gave up' });
    expect((await enqueue(host, T0, 5)).map((r) => r.id)).toEqual([ids[1]]);
  });

  it('leaves deliveries of disabled subscriptions alone', async () => {
    const { sub, host, ids } = await setup(1);
    await claimDeliveries(db(), ids, { now: T0, leaseSeconds: 60 });
    await disableSubscription(db(), sub.id, { reason: 'gone', at: T0 });
    await completeDelivery(db(), ids[0]!, { status: 'pending', at: T0, nextAttemptAt: T0 });
    expect(await enqueue(host, at(120))).toEqual([]);
  });

  it('enqueues a row again when its message was lost, and when its send failed', async () => {
    const { host, ids } = await setup(2);
    expect((await enqueue(host, T0)).length).toBe(2);
    expect(await releaseEnqueued(db(), [ids[1]!])).toBe(1);
    expect((await enqueue(host, T0)).map((r) => r.id)).toEqual([ids[1]]);
    expect((await enqueue(host, at(1801))).map((r) => r.id).sort()).toEqual([...ids].sort());
  });

  it('redelivers a finished delivery with a fresh retry window', async () => {
    const { ids } = await setup(1);
    await claimDeliveries(db(), ids, { now: T0, leaseSeconds: 60 });
    await completeDelivery(db(), ids[0]!, { status: 'failed', at: T0, error: 'HTTP 500' });
    const again = await redeliver(db(), ids[0]!, { now: at(100) });
    expect(again).toMatchObject({
      status: 'pending',
      nextAttemptAt: at(100),
      firstAttemptAt: null,
      attempts: 1,
    });
    expect(again?.webhookId).toBe('msg_0');
    expect(await redeliver(db(), crypto.randomUUID(), { now: T0 })).toBeNull();
  });

  it('keeps one ticket per (subscription, cluster, finding)', async () => {
    const { sub } = await setup(0);
    const key = { subscriptionId: sub.id, clusterId: crypto.randomUUID(), fingerprint: 'fp' };
    expect(await getTicket(db(), key)).toBeNull();
    await saveTicket(db(), key, { id: '10001', key: 'OPS-1', state: 'open' });
    await saveTicket(db(), key, { id: '10001', key: 'OPS-1', state: 'resolved' });
    expect(await getTicket(db(), key)).toEqual({ id: '10001', key: 'OPS-1', state: 'resolved' });
    expect(await getTicket(db(), { ...key, clusterId: crypto.randomUUID() })).toBeNull();
    await saveTicket(db(), key, null);
    expect(await getTicket(db(), key)).toBeNull();
  });

  it('lists a subscription deliveries newest first, page by page', async () => {
    const { sub, ids } = await setup(5);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listDeliveries(db(), {
        subscriptionId: sub.id,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });
});
