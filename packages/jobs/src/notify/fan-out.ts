import type { Severity } from '@vigil/core';
import {
  claimOutboxEvents,
  insertDeliveries,
  listClusters,
  listEnabledSubscriptions,
  markOutboxDispatched,
  type NewDelivery,
  type OutboxEvent,
} from '@vigil/db';
import { isFindingEventType, webhookIdFor } from '@vigil/notify';
import { type NotifyDeps, settingsOf } from './deps.ts';
import { subscriptionWants } from './match.ts';

export interface FanOutResult {
  /** Outbox rows handed over. */
  events: number;
  /** Deliveries created (rows that existed already are not counted). */
  deliveries: number;
  /** Hosts that got deliveries, for enqueueing. */
  hosts: string[];
}

/** The ticket (and ordering) key of a finding event: one per finding per cluster. */
export function ticketKeyOf(event: { type: string; clusterId: string; payload: unknown }): string | null {
  if (!isFindingEventType(event.type)) return null;
  const fingerprint = (event.payload as { fingerprint?: unknown }).fingerprint;
  return typeof fingerprint === 'string' ? `${event.clusterId}:${fingerprint}` : null;
}

/**
 * Turns one batch of pending outbox rows into deliveries, one per matching subscription, and marks the rows
 * handed over, in one transaction. The outbox lease makes concurrent fan-outs take disjoint rows, and
 * deliveries are unique per (subscription, event), so a fan-out that crashes and runs again creates nothing
 * twice. Each delivery's webhook id is derived from (subscription, outbox event).
 */
export async function fanOutOnce(deps: NotifyDeps): Promise<FanOutResult> {
  const settings = settingsOf(deps);
  const events = await claimOutboxEvents(deps.db, { limit: settings.fanOutBatch, leaseSeconds: 120 });
  if (events.length === 0) return { events: 0, deliveries: 0, hosts: [] };
  const subscriptions = await listEnabledSubscriptions(deps.db);
  const labels = await clusterLabels(deps, events);
  const rows: NewDelivery[] = [];
  for (const event of events) {
    const severity = (event.payload as { severity?: Severity }).severity;
    for (const subscription of subscriptions) {
      const wanted = subscriptionWants(subscription, {
        type: event.type,
        ...(isFindingEventType(event.type) && severity ? { severity } : {}),
        clusterLabels: labels.get(event.clusterId) ?? {},
      });
      if (!wanted) continue;
      rows.push({
        subscriptionId: subscription.id,
        eventKey: event.id,
        webhookId: webhookIdFor(subscription.id, event.id),
        eventType: event.type,
        eventTimestamp: event.createdAt,
        payload: event.payload as unknown as Record<string, unknown>,
        clusterId: event.clusterId,
        ticketKey: ticketKeyOf(event),
        host: subscription.host,
      });
    }
  }
  const created = await deps.db.transaction(async (tx) => {
    const inserted = await insertDeliveries(tx, rows);
    await markOutboxDispatched(
      tx,
      events.map((e) => e.id),
    );
    return inserted;
  });
  return { events: events.length, deliveries: created, hosts: [...new Set(rows.map((r) => r.host))] };
}

async function clusterLabels(
  deps: NotifyDeps,
  events: readonly OutboxEvent[],
): Promise<Map<string, Record<string, string>>> {
  const ids = [...new Set(events.map((e) => e.clusterId))];
  const labels = new Map<string, Record<string, string>>();
  for (let i = 0; i < ids.length; i += 500) {
    // Deleted clusters too: an event written before the deletion still goes where its labels say.
    const page = await listClusters(deps.db, {
      ids: ids.slice(i, i + 500),
      includeDeleted: true,
      limit: 500,
    });
    for (const cluster of page.items) labels.set(cluster.id, cluster.labels);
  }
  return labels;
}
