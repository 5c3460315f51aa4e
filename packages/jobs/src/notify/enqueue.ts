import { enqueueDueDeliveries, releaseEnqueued } from '@vigil/db';
import { deliverMessage } from '@vigil/notify';
import { clockOf, type NotifyDeps, settingsOf } from './deps.ts';

/**
 * Puts due deliveries on the notify queue, each delayed until its next attempt, keeping at most the per-host
 * limit of any host in flight. Called after every attempt for that attempt's host (to hand its slot on), after
 * a fan-out for the hosts it touched, and by the sweep for all hosts. Messages that cannot be sent give their
 * slot back for the next sweep. Returns how many were queued.
 */
export async function enqueueDue(
  deps: NotifyDeps,
  options: { hosts?: readonly string[] } = {},
): Promise<number> {
  const settings = settingsOf(deps);
  const now = clockOf(deps)();
  if (options.hosts && options.hosts.length === 0) return 0;
  const due = await enqueueDueDeliveries(deps.db, {
    now,
    horizonSeconds: settings.horizonSeconds,
    perHostLimit: settings.perHostLimit,
    staleSeconds: settings.staleSeconds,
    ...(options.hosts ? { hosts: options.hosts } : {}),
  });
  if (due.length === 0) return 0;
  const { failedIds } = await deps.queue.send(
    due.map((row) => ({
      id: row.id,
      body: deliverMessage(row.id),
      delaySeconds: Math.max(0, (row.nextAttemptAt.getTime() - now.getTime()) / 1000),
    })),
  );
  if (failedIds.length > 0) {
    await releaseEnqueued(deps.db, failedIds);
    deps.logger.warn({ msg: 'notify messages not sent; the sweep retries them', count: failedIds.length });
  }
  return due.length - failedIds.length;
}
