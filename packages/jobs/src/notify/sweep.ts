import type { NotifyDeps } from './deps.ts';
import { enqueueDue } from './enqueue.ts';
import { fanOutOnce } from './fan-out.ts';

export interface FanOutSummary {
  events: number;
  deliveries: number;
  enqueued: number;
}

/**
 * Fans out pending outbox rows batch by batch (at most `maxBatches`), queueing the new deliveries of each
 * batch as it goes.
 */
export async function fanOut(
  deps: NotifyDeps,
  options: { maxBatches?: number } = {},
): Promise<FanOutSummary> {
  const summary: FanOutSummary = { events: 0, deliveries: 0, enqueued: 0 };
  for (let i = 0; i < (options.maxBatches ?? 20); i++) {
    const result = await fanOutOnce(deps);
    if (result.events === 0) break;
    summary.events += result.events;
    summary.deliveries += result.deliveries;
    summary.enqueued += await enqueueDue(deps, { hosts: result.hosts });
  }
  return summary;
}

/**
 * The scheduled sweep (every minute, EventBridge Scheduler in AWS, a timer locally): fans out what the
 * outbox holds, then queues every delivery that is due within the queue's delay horizon and not queued yet:
 * retries scheduled hours ahead (SQS cannot hold a message longer than 15 minutes), digests, deliveries
 * that waited for a host slot, redeliveries, and any whose message was lost.
 */
export async function sweepNotifications(deps: NotifyDeps): Promise<FanOutSummary> {
  const summary = await fanOut(deps);
  summary.enqueued += await enqueueDue(deps);
  deps.logger.info({ msg: 'notify sweep', ...summary });
  return summary;
}
