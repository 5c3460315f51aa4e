import { buildRbacIndex, type RbacIndex, type Snapshot } from '@vigil/core';
import { type Database, latestSnapshot } from '@vigil/db';

export interface ClusterRbac {
  runId: string;
  takenAt: Date;
  snapshot: Snapshot;
  index: RbacIndex;
}

/**
 * The RBAC index of each cluster's latest complete snapshot. Decompressing, parsing and indexing a large
 * snapshot costs far more than a query on the index, so portals asking several who-can questions in a row
 * reuse it for `ttlMs` (a new scan is seen after at most that long). A few clusters are kept.
 */
export function createRbacCache(
  db: Database,
  now: () => Date,
  options: { ttlMs?: number; size?: number } = {},
) {
  const ttlMs = options.ttlMs ?? 30_000;
  const size = options.size ?? 8;
  const entries = new Map<string, { at: number; value: Promise<ClusterRbac | null> }>();
  return (clusterId: string): Promise<ClusterRbac | null> => {
    const at = now().getTime();
    const hit = entries.get(clusterId);
    if (hit && at - hit.at <= ttlMs && at >= hit.at) {
      entries.delete(clusterId);
      entries.set(clusterId, hit);
      return hit.value;
    }
    const value = latestSnapshot(db, clusterId).then((stored) =>
      stored
        ? {
            runId: stored.runId,
            takenAt: stored.createdAt,
            snapshot: stored.snapshot,
            index: buildRbacIndex(stored.snapshot),
          }
        : null,
    );
    entries.delete(clusterId);
    entries.set(clusterId, { at, value });
    value.catch(() => entries.delete(clusterId));
    while (entries.size > size) entries.delete(entries.keys().next().value as string);
    return value;
  };
}
