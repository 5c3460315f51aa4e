import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { redactSnapshot, type Snapshot, snapshotSchema } from '@vigil/core';
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Database } from '../database.ts';
import { scanRuns } from '../runs/table.ts';
import { isUuid } from '../validate.ts';
import { snapshots } from './table.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface StoredSnapshot {
  runId: string;
  clusterId: string;
  createdAt: Date;
  /** Bytes of the JSON before compression. */
  sizeBytes: number;
  compressedBytes: number;
  snapshot: Snapshot;
}

/**
 * Stores a run's snapshot, gzip-compressed, with credential-like strings masked (`redactSnapshot`: nothing
 * that looks like a secret is kept at rest, whoever calls this). Writing it again for the same run replaces it (the snapshot of a
 * run does not change). With `supersede`, the cluster's other snapshots are dropped: the store keeps the
 * latest complete snapshot per cluster (plus any partial ones taken after it).
 */
export async function saveSnapshot(
  db: Database,
  input: { runId: string; clusterId: string; snapshot: Snapshot; supersede?: boolean },
): Promise<{ sizeBytes: number; compressedBytes: number }> {
  const json = Buffer.from(JSON.stringify(redactSnapshot(input.snapshot)), 'utf8');
  const data = await gzipAsync(json);
  await db
    .insert(snapshots)
    .values({
      runId: input.runId,
      clusterId: input.clusterId,
      sizeBytes: json.length,
      compressedBytes: data.length,
      data,
    })
    .onConflictDoUpdate({
      target: snapshots.runId,
      set: { sizeBytes: json.length, compressedBytes: data.length, data, createdAt: sql`now()` },
    });
  if (input.supersede) {
    await db
      .delete(snapshots)
      .where(and(eq(snapshots.clusterId, input.clusterId), ne(snapshots.runId, input.runId)));
  }
  return { sizeBytes: json.length, compressedBytes: data.length };
}

/**
 * The newest stored snapshot of a cluster taken by a run with one of `statuses` (default: complete runs
 * only, since a partial snapshot misses objects and would under-report who can do what).
 */
export async function latestSnapshot(
  db: Database,
  clusterId: string,
  options: { statuses?: readonly ('complete' | 'partial')[] } = {},
): Promise<StoredSnapshot | null> {
  if (!isUuid(clusterId)) return null;
  const [row] = await db
    .select({
      runId: snapshots.runId,
      clusterId: snapshots.clusterId,
      createdAt: snapshots.createdAt,
      sizeBytes: snapshots.sizeBytes,
      compressedBytes: snapshots.compressedBytes,
      data: snapshots.data,
    })
    .from(snapshots)
    .innerJoin(scanRuns, eq(scanRuns.id, snapshots.runId))
    .where(
      and(
        eq(snapshots.clusterId, clusterId),
        inArray(scanRuns.status, [...(options.statuses ?? ['complete'])]),
      ),
    )
    .orderBy(desc(scanRuns.startedAt), desc(snapshots.createdAt))
    .limit(1);
  if (!row) return null;
  const json = await gunzipAsync(row.data);
  // Stored by this module from a parsed snapshot; parsing again guards against a row written by an older
  // release whose snapshot shape has since changed.
  const snapshot = snapshotSchema.parse(JSON.parse(json.toString('utf8')));
  const { data: _data, ...meta } = row;
  return { ...meta, snapshot };
}
