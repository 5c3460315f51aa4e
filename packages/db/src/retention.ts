import { sql } from 'drizzle-orm';
import type { Database } from './database.ts';
import { notificationDeliveries } from './deliveries/table.ts';
import { InvalidInputError } from './errors.ts';
import { findingLifecycles, findings } from './findings/table.ts';
import { outboxEvents } from './outbox/table.ts';
import { scanRuns } from './runs/table.ts';
import { snapshots } from './snapshots/table.ts';
import { affectedOf, arrayParam, rowsOf } from './sql.ts';

export interface RetentionOptions {
  /** Runs created before this instant (and what hangs off them) may go. */
  before: Date;
  /** The job's clock; a cut-off after it is refused, so a misconfigured age cannot wipe everything. */
  now: Date;
  /** Runs deleted per transaction; keeps locks short on a busy database. */
  batchSize?: number;
}

export interface RetentionResult {
  runs: number;
  findings: number;
  snapshots: number;
  /** Lifecycles of findings resolved before the cut-off. */
  lifecycles: number;
  /** Outbox events handed to the notifier before the cut-off. */
  outboxEvents: number;
  /** Notification deliveries that ended (succeeded or failed) before the cut-off; pending ones stay. */
  deliveries: number;
}

/**
 * The retention job: the only code that deletes history. It removes runs created before `before` with
 * their findings and snapshots, except what the present still needs:
 * - each cluster's latest recorded (complete or partial) run and latest complete run, so every cluster keeps
 *   a current result and its latest complete snapshot;
 * - runs holding the latest evidence of a finding that is still open or suppressed.
 * Lifecycles go only once they were resolved (state changed to resolved) before the cut-off, never an open
 * or suppressed one; outbox events only once dispatched; notification deliveries only once they ended (the
 * tickets they opened are kept: a finding that comes back updates its ticket).
 */
export async function deleteOlderThan(db: Database, options: RetentionOptions): Promise<RetentionResult> {
  if (Number.isNaN(options.before.getTime()) || Number.isNaN(options.now.getTime())) {
    throw new InvalidInputError('before and now must be valid instants');
  }
  if (options.before > options.now) throw new InvalidInputError('the retention cut-off is in the future');
  const batchSize = options.batchSize ?? 100;
  const before = options.before.toISOString();
  const result: RetentionResult = {
    runs: 0,
    findings: 0,
    snapshots: 0,
    lifecycles: 0,
    outboxEvents: 0,
    deliveries: 0,
  };

  const kept = rowsOf<{ id: string }>(
    await db.execute(sql`
      select distinct last_run_id as id from ${findingLifecycles} where state <> 'resolved'
      union
      select id from (
        select distinct on (cluster_id) id from ${scanRuns}
        where status in ('complete', 'partial') order by cluster_id, recorded_at desc
      ) latest_recorded
      union
      select id from (
        select distinct on (cluster_id) id from ${scanRuns}
        where status = 'complete' order by cluster_id, recorded_at desc
      ) latest_complete`),
  ).map((row) => row.id);
  const keep = arrayParam(kept, 'uuid');

  for (;;) {
    const deleted = await db.transaction(async (tx) => {
      // Skip runs a recorder holds right now; re-check "not the newest result" against committed data.
      const doomed = rowsOf<{ id: string }>(
        await tx.execute(sql`
          select r.id from ${scanRuns} r
          where r.created_at < ${before}::timestamptz and r.id <> all(${keep})
            and (r.status not in ('complete', 'partial') or exists (
              select 1 from ${scanRuns} n
              where n.cluster_id = r.cluster_id and n.recorded_at > r.recorded_at
                and (n.status = 'complete' or (r.status = 'partial' and n.status = 'partial'))))
          order by r.created_at
          limit ${batchSize}
          for update of r skip locked`),
      ).map((row) => row.id);
      if (doomed.length === 0) return 0;
      const ids = arrayParam(doomed, 'uuid');
      result.findings += affectedOf(
        await tx.execute(sql`delete from ${findings} where run_id = any(${ids})`),
      );
      result.snapshots += affectedOf(
        await tx.execute(sql`delete from ${snapshots} where run_id = any(${ids})`),
      );
      const runs = affectedOf(await tx.execute(sql`delete from ${scanRuns} where id = any(${ids})`));
      result.runs += runs;
      return runs;
    });
    if (deleted === 0) break;
  }

  for (;;) {
    const n = affectedOf(
      await db.execute(sql`
        delete from ${findingLifecycles} where id in (
          select id from ${findingLifecycles}
          where state = 'resolved' and changed_at < ${before}::timestamptz
          limit 10000)`),
    );
    result.lifecycles += n;
    if (n === 0) break;
  }
  for (;;) {
    const n = affectedOf(
      await db.execute(sql`
        delete from ${outboxEvents} where id in (
          select id from ${outboxEvents}
          where dispatched_at is not null and created_at < ${before}::timestamptz
          limit 10000)`),
    );
    result.outboxEvents += n;
    if (n === 0) break;
  }
  for (;;) {
    const n = affectedOf(
      await db.execute(sql`
        delete from ${notificationDeliveries} where id in (
          select id from ${notificationDeliveries}
          where status <> 'pending' and completed_at < ${before}::timestamptz
          limit 10000)`),
    );
    result.deliveries += n;
    if (n === 0) break;
  }
  return result;
}
