import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  gt,
  gte,
  inArray,
  isNull,
  lt,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { Cluster } from '../clusters/model.ts';
import { clusters } from '../clusters/table.ts';
import type { Database } from '../database.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import { insertOutboxEvents } from '../outbox/repository.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../pagination.ts';
import { toDate } from '../sql.ts';
import { isUuid } from '../validate.ts';
import {
  FINAL_RUN_STATUSES,
  type RunStatus,
  type RunTrigger,
  type ScanRun,
  type ScanRunSummary,
} from './model.ts';
import { checkSlot } from './slots.ts';
import { scanRuns } from './table.ts';

const {
  coverage: _coverage,
  checks: _checks,
  compliance: _compliance,
  warnings: _warnings,
  ...summaryColumns
} = getTableColumns(scanRuns);

/** The columns listings read: the per-check and per-control detail stays behind. */
export const RUN_SUMMARY_COLUMNS = summaryColumns;

export interface RunKey {
  clusterId: string;
  /** The schedule slot (see `scheduleSlot`) or a manual trigger's id. */
  slot: string;
  trigger: RunTrigger;
}

function checkTrigger(trigger: string): void {
  if (trigger !== 'schedule' && trigger !== 'manual') {
    throw new InvalidInputError(`trigger must be schedule or manual, got ${trigger}`);
  }
}

async function requireCluster(db: Database, clusterId: string, live: boolean): Promise<Cluster> {
  const [row] = isUuid(clusterId)
    ? await db
        .select()
        .from(clusters)
        .where(and(eq(clusters.id, clusterId), live ? isNull(clusters.deletedAt) : undefined))
    : [];
  if (!row) throw new NotFoundError('cluster', clusterId);
  return row;
}

/** @internal Inserts the run for (cluster, slot) unless it exists; true when this call created it. */
export async function insertRunIfAbsent(db: Database, key: RunKey): Promise<boolean> {
  const rows = await db
    .insert(scanRuns)
    .values({ clusterId: key.clusterId, slot: key.slot, trigger: key.trigger, status: 'queued' })
    .onConflictDoNothing({ target: [scanRuns.clusterId, scanRuns.slot] })
    .returning({ id: scanRuns.id });
  return rows.length > 0;
}

/** @internal The run for (cluster, slot). */
export async function findRun(db: Database, clusterId: string, slot: string): Promise<ScanRun | null> {
  const [row] = await db
    .select()
    .from(scanRuns)
    .where(and(eq(scanRuns.clusterId, clusterId), eq(scanRuns.slot, slot)));
  return row ?? null;
}

/**
 * The run for (cluster, slot), created `queued` if it does not exist yet. Dispatchers call it for every due
 * cluster; two dispatchers for the same slot get the same run.
 */
export async function ensureRun(db: Database, key: RunKey): Promise<{ run: ScanRun; created: boolean }> {
  checkSlot(key.slot);
  checkTrigger(key.trigger);
  await requireCluster(db, key.clusterId, true);
  const created = await insertRunIfAbsent(db, key);
  const run = await findRun(db, key.clusterId, key.slot);
  return { run: run!, created };
}

/**
 * Creates or reuses the run for (cluster, slot) and moves it to `running` (queued -> running, or running ->
 * running on a redelivery, counting the attempt). A run that is already final is not touched:
 * `claimed: false` tells the scanner the work is done.
 */
export async function claimRun(
  db: Database,
  key: RunKey & { at?: Date },
): Promise<{ run: ScanRun; claimed: boolean }> {
  checkSlot(key.slot);
  checkTrigger(key.trigger);
  await requireCluster(db, key.clusterId, true);
  await insertRunIfAbsent(db, key);
  const [claimed] = await db
    .update(scanRuns)
    .set({
      status: 'running',
      attempts: sql`${scanRuns.attempts} + 1`,
      startedAt: sql`coalesce(${scanRuns.startedAt}, ${(key.at ?? new Date()).toISOString()}::timestamptz)`,
    })
    .where(
      and(
        eq(scanRuns.clusterId, key.clusterId),
        eq(scanRuns.slot, key.slot),
        inArray(scanRuns.status, ['queued', 'running']),
      ),
    )
    .returning();
  if (claimed) return { run: claimed, claimed: true };
  const run = await findRun(db, key.clusterId, key.slot);
  return { run: run!, claimed: false };
}

/**
 * Fails the run for (cluster, slot) with a reason (created if the scan failed before claiming it) and writes
 * a `scan.failed` outbox row in the same transaction. A run that is already final is left as it is
 * (`failed: false`): status never moves backwards, and a late failure never overwrites a result.
 */
export async function failRun(
  db: Database,
  input: RunKey & { reason: string; at?: Date },
): Promise<{ run: ScanRun; failed: boolean }> {
  checkSlot(input.slot);
  checkTrigger(input.trigger);
  const reason = input.reason.trim().slice(0, 2000) || 'unknown error';
  return db.transaction(async (tx) => {
    const cluster = await requireCluster(tx, input.clusterId, false);
    await insertRunIfAbsent(tx, input);
    const [locked] = await tx
      .select()
      .from(scanRuns)
      .where(and(eq(scanRuns.clusterId, input.clusterId), eq(scanRuns.slot, input.slot)))
      .for('update');
    if (!locked) throw new NotFoundError('run', `${input.clusterId}/${input.slot}`);
    if (isFinal(locked.status)) return { run: locked, failed: false };
    const at = input.at ?? new Date();
    const [run] = await tx
      .update(scanRuns)
      .set({ status: 'failed', error: reason, finishedAt: at, recordedAt: sql`now()` })
      .where(and(eq(scanRuns.id, locked.id), inArray(scanRuns.status, ['queued', 'running'])))
      .returning();
    await insertOutboxEvents(tx, [
      {
        type: 'scan.failed',
        clusterId: cluster.id,
        runId: locked.id,
        dedupeKey: `${locked.id}:scan.failed`,
        payload: {
          clusterId: cluster.id,
          clusterName: cluster.name,
          runId: locked.id,
          slot: locked.slot,
          trigger: locked.trigger,
          attempts: locked.attempts,
          reason,
        },
      },
    ]);
    return { run: run!, failed: true };
  });
}

export function isFinal(status: RunStatus): boolean {
  return (FINAL_RUN_STATUSES as readonly RunStatus[]).includes(status);
}

/** One run with its full detail (coverage, per-check results, compliance). */
export async function getRun(db: Database, id: string): Promise<ScanRun | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(scanRuns).where(eq(scanRuns.id, id));
  return row ?? null;
}

export interface RunFilter extends PageRequest {
  clusterIds?: readonly string[];
  statuses?: readonly RunStatus[];
  trigger?: RunTrigger;
  /** Created at or after. */
  since?: Date;
  /** Created before. */
  until?: Date;
}

const RUNS_LISTING = 'runs';

/** Runs newest first, keyset-paginated on (created_at, id). */
export async function listRuns(db: Database, filter: RunFilter = {}): Promise<Page<ScanRunSummary>> {
  const limit = pageLimit(filter.limit);
  let before: SQL | undefined;
  if (filter.cursor) {
    const [at, id] = decodeCursor(RUNS_LISTING, filter.cursor, ['string', 'string']);
    const date = new Date(at);
    before = or(lt(scanRuns.createdAt, date), and(eq(scanRuns.createdAt, date), lt(scanRuns.id, id)));
  }
  const rows = await db
    .select(RUN_SUMMARY_COLUMNS)
    .from(scanRuns)
    .where(
      and(
        filter.clusterIds ? inArray(scanRuns.clusterId, filter.clusterIds.filter(isUuid)) : undefined,
        filter.statuses ? inArray(scanRuns.status, [...filter.statuses]) : undefined,
        filter.trigger ? eq(scanRuns.trigger, filter.trigger) : undefined,
        filter.since ? gte(scanRuns.createdAt, filter.since) : undefined,
        filter.until ? lt(scanRuns.createdAt, filter.until) : undefined,
        before,
      ),
    )
    .orderBy(desc(scanRuns.createdAt), desc(scanRuns.id))
    .limit(limit + 1);
  return toPage(
    rows,
    limit,
    (row) => row,
    (row) => encodeCursor(RUNS_LISTING, [row.createdAt.toISOString(), row.id]),
  );
}

const LATEST_LISTING = 'latest-runs';

/**
 * The newest run of each live cluster (optionally of some clusters, optionally only runs with some statuses),
 * clusters in name order, keyset-paginated on the cluster: one index probe per cluster on the page. Clusters
 * without such a run are skipped.
 */
export async function latestRuns(
  db: Database,
  filter: PageRequest & { clusterIds?: readonly string[]; statuses?: readonly RunStatus[] } = {},
): Promise<Page<ScanRunSummary>> {
  const limit = pageLimit(filter.limit);
  let after: SQL | undefined;
  if (filter.cursor) {
    const [name, id] = decodeCursor(LATEST_LISTING, filter.cursor, ['string', 'string']);
    after = or(gt(clusters.name, name), and(eq(clusters.name, name), gt(clusters.id, id)));
  }
  const latest = db
    .select(RUN_SUMMARY_COLUMNS)
    .from(scanRuns)
    .where(
      and(
        eq(scanRuns.clusterId, clusters.id),
        filter.statuses ? inArray(scanRuns.status, [...filter.statuses]) : undefined,
      ),
    )
    .orderBy(desc(scanRuns.createdAt), desc(scanRuns.id))
    .limit(1)
    .as('latest');
  // The subquery's aliased columns, under the same keys (and with the same decoding) as the table's.
  const fields = Object.fromEntries(
    Object.keys(RUN_SUMMARY_COLUMNS).map((key) => [key, latest[key as keyof typeof RUN_SUMMARY_COLUMNS]]),
  ) as unknown as typeof RUN_SUMMARY_COLUMNS;
  const rows = await db
    .select({ run: fields, clusterName: clusters.name })
    .from(clusters)
    .innerJoinLateral(latest, sql`true`)
    .where(
      and(
        isNull(clusters.deletedAt),
        filter.clusterIds ? inArray(clusters.id, filter.clusterIds.filter(isUuid)) : undefined,
        after,
      ),
    )
    .orderBy(asc(clusters.name), asc(clusters.id))
    .limit(limit + 1);
  return toPage(
    rows,
    limit,
    (row) => row.run,
    (row) => encodeCursor(LATEST_LISTING, [row.clusterName, row.run.clusterId]),
  );
}

export interface StaleCluster {
  cluster: Cluster;
  /** When its last complete or partial scan finished; null if it never had one. */
  lastSuccessAt: Date | null;
  /** The instant after which the cluster counts as overdue. */
  dueBy: Date;
}

/**
 * Enabled, scheduled clusters whose last successful (complete or partial) scan finished longer ago than
 * their interval plus `graceSeconds` — a missed or failing schedule. A cluster that never succeeded counts
 * from its creation.
 */
export async function listStaleClusters(
  db: Database,
  options: { now: Date; graceSeconds?: number },
): Promise<StaleCluster[]> {
  const grace = options.graceSeconds ?? 0;
  if (!Number.isFinite(grace) || grace < 0) throw new InvalidInputError('graceSeconds must be >= 0');
  const last = db
    .select({ finishedAt: scanRuns.finishedAt })
    .from(scanRuns)
    .where(and(eq(scanRuns.clusterId, clusters.id), inArray(scanRuns.status, ['complete', 'partial'])))
    .orderBy(desc(scanRuns.finishedAt))
    .limit(1)
    .as('last');
  const since = sql`coalesce(${last.finishedAt}, ${clusters.createdAt})`;
  const dueBy = sql`${since} + make_interval(secs => ${clusters.scheduleIntervalSeconds} + ${grace})`;
  const rows = await db
    .select({ cluster: clusters, lastSuccessAt: last.finishedAt, dueBy: sql<string>`${dueBy}` })
    .from(clusters)
    .leftJoinLateral(last, sql`true`)
    .where(
      and(
        isNull(clusters.deletedAt),
        eq(clusters.enabled, true),
        sql`${clusters.scheduleIntervalSeconds} is not null`,
        sql`${dueBy} < ${options.now.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(clusters.name);
  return rows.map((row) => ({
    cluster: row.cluster,
    lastSuccessAt: row.lastSuccessAt,
    dueBy: toDate(row.dueBy),
  }));
}
