import { createHash } from 'node:crypto';
import { type Cluster, type Database, listClusters, listRuns, MAX_PAGE_LIMIT, scheduleSlot } from '@vigil/db';
import type { Logger } from '../logger.ts';
import {
  type OutgoingScan,
  type ScanQueue,
  type SendSummary,
  SQS_MAX_DELAY_SECONDS,
} from '../sqs/scan-queue.ts';

export interface DispatchDeps {
  db: Database;
  queue: ScanQueue;
  logger: Logger;
  now?: () => Date;
}

export interface DispatchOptions {
  /**
   * Spread the fleet's scans over this many seconds (at most 900, SQS's longest delay), so a thousand
   * clusters do not assume their roles and open their connections in the same second. 0: all at once.
   */
  spreadSeconds?: number;
  /** Clusters read per page (default and maximum 500). */
  pageSize?: number;
}

export interface DispatchResult extends SendSummary {
  at: string;
  /** Enabled, scheduled clusters looked at. */
  considered: number;
  /** Those without a run for their current slot: one message each. */
  due: number;
}

/**
 * Finds the clusters due for a scheduled scan and sends one scan message per cluster for its current
 * schedule slot. A cluster is due when it is enabled, has a schedule, and has no run for the slot its own
 * interval puts `now` in: per-cluster schedules are honoured at the dispatcher's granularity, and two
 * dispatcher runs in one slot name the same run (the scanner's key is (cluster, slot)).
 *
 * The dispatcher creates no runs itself: a message that is lost (or a send that failed) leaves no queued
 * run behind, so the next dispatcher run finds the cluster still due and sends again.
 */
export async function dispatchDueScans(
  deps: DispatchDeps,
  options: DispatchOptions = {},
): Promise<DispatchResult> {
  const now = (deps.now ?? (() => new Date()))();
  const spread = Math.min(SQS_MAX_DELAY_SECONDS, Math.max(0, Math.floor(options.spreadSeconds ?? 0)));
  const pageSize = Math.min(MAX_PAGE_LIMIT, options.pageSize ?? MAX_PAGE_LIMIT);
  const result: DispatchResult = {
    at: now.toISOString(),
    considered: 0,
    due: 0,
    sent: 0,
    batchCalls: 0,
    retried: 0,
    failed: [],
  };
  // One page's messages are sent while the next page is read, never more: the queue's own concurrency
  // bounds the connections in use.
  let sending: Promise<void> = Promise.resolve();
  let cursor: string | undefined;
  do {
    const page = await listClusters(deps.db, {
      enabled: true,
      scheduled: true,
      limit: pageSize,
      ...(cursor ? { cursor } : {}),
    });
    result.considered += page.items.length;
    const due = await dueInPage(deps.db, page.items, now);
    result.due += due.length;
    const scans: OutgoingScan[] = due.map(({ cluster, slot }) => ({
      message: { clusterId: cluster.id, slot, trigger: 'schedule' },
      ...(spread > 0 ? { delaySeconds: spreadDelay(cluster.id, slot, spread) } : {}),
    }));
    await sending;
    if (scans.length > 0) sending = deps.queue.send(scans).then((summary) => merge(result, summary));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  await sending;
  const entry = {
    msg: 'dispatch finished',
    at: result.at,
    considered: result.considered,
    due: result.due,
    sent: result.sent,
    batchCalls: result.batchCalls,
    retried: result.retried,
    failed: result.failed.length,
  };
  if (result.failed.length > 0) deps.logger.error(entry);
  else deps.logger.info(entry);
  return result;
}

async function dueInPage(db: Database, clusters: Cluster[], now: Date) {
  if (clusters.length === 0) return [];
  const slots = clusters.map((cluster) => ({
    cluster,
    slot: scheduleSlot(now, cluster.scheduleIntervalSeconds as number),
  }));
  // Every run for a current slot was created after that slot began, so reading the page's scheduled runs
  // since the earliest slot start finds them all (and a few older ones, which do not match).
  const since = new Date(Math.min(...slots.map((s) => Date.parse(s.slot))));
  const existing = new Set<string>();
  let cursor: string | undefined;
  do {
    const runs = await listRuns(db, {
      clusterIds: clusters.map((c) => c.id),
      trigger: 'schedule',
      since,
      limit: MAX_PAGE_LIMIT,
      ...(cursor ? { cursor } : {}),
    });
    for (const run of runs.items) existing.add(`${run.clusterId} ${run.slot}`);
    cursor = runs.nextCursor ?? undefined;
  } while (cursor);
  return slots.filter(({ cluster, slot }) => !existing.has(`${cluster.id} ${slot}`));
}

/** A delay in [0, spread] that is the same for a (cluster, slot) on every dispatcher run. */
export function spreadDelay(clusterId: string, slot: string, spreadSeconds: number): number {
  const digest = createHash('sha256').update(`${clusterId} ${slot}`).digest();
  return digest.readUInt32BE(0) % (spreadSeconds + 1);
}

function merge(into: DispatchResult, summary: SendSummary): void {
  into.sent += summary.sent;
  into.batchCalls += summary.batchCalls;
  into.retried += summary.retried;
  into.failed.push(...summary.failed);
}

/**
 * Sends a message again for every run that is queued or was left running, e.g. after the local stack was
 * stopped with scans in its in-memory queue. Redelivering is safe: the scanner's key is (cluster, slot).
 * Only for a process that knows no other scanner is working on those runs (the local stack at start).
 */
export async function requeueUnfinishedRuns(
  deps: Pick<DispatchDeps, 'db' | 'queue' | 'logger'>,
): Promise<SendSummary & { found: number }> {
  const scans: OutgoingScan[] = [];
  let cursor: string | undefined;
  do {
    const page = await listRuns(deps.db, {
      statuses: ['queued', 'running'],
      limit: MAX_PAGE_LIMIT,
      ...(cursor ? { cursor } : {}),
    });
    for (const run of page.items) {
      scans.push({ message: { clusterId: run.clusterId, slot: run.slot, trigger: run.trigger } });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const summary = scans.length > 0 ? await deps.queue.send(scans) : emptySummary();
  if (scans.length > 0) {
    deps.logger.info({ msg: 'unfinished runs queued again', found: scans.length, sent: summary.sent });
  }
  return { ...summary, found: scans.length };
}

function emptySummary(): SendSummary {
  return { sent: 0, batchCalls: 0, retried: 0, failed: [] };
}
