import { type Database, insertDeliveries, listDeliveries } from '@vigil/db';
import type { NotifyQueue, OutgoingNotifyMessage } from '@vigil/jobs';
import { webhookIdFor } from '@vigil/notify';

/**
 * Test support for the notify use cases. The queue keeps what was sent in memory:
 * tests that need the SQS wire protocol use SqsNotifyQueue against the local SQS server instead.
 */
export function memoryQueue(): NotifyQueue & { sent: OutgoingNotifyMessage[] } {
  const sent: OutgoingNotifyMessage[] = [];
  return {
    sent,
    async send(messages) {
      sent.push(...messages);
      return { failedIds: [] };
    },
  };
}

/** Inserts a `scan.failed` delivery for a subscription (due at `at`) and returns its id. */
export async function insertScanFailedDelivery(
  db: Database,
  subscription: { id: string; host: string },
  options: { eventKey?: string; at: Date },
): Promise<string> {
  const eventKey = options.eventKey ?? crypto.randomUUID();
  await insertDeliveries(db, [
    {
      subscriptionId: subscription.id,
      eventKey,
      webhookId: webhookIdFor(subscription.id, eventKey),
      eventType: 'scan.failed',
      eventTimestamp: options.at,
      payload: {
        clusterId: crypto.randomUUID(),
        clusterName: 'prod-eu',
        runId: crypto.randomUUID(),
        slot: options.at.toISOString(),
        trigger: 'schedule',
        attempts: 1,
        reason: 'the API server did not answer',
      },
      clusterId: null,
      ticketKey: null,
      host: subscription.host,
      nextAttemptAt: options.at,
    },
  ]);
  const page = await listDeliveries(db, { subscriptionId: subscription.id, limit: 500 });
  return page.items.find((d) => d.eventKey === eventKey)!.id;
}
