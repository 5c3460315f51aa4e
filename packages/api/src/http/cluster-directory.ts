import { type Database, listClusters } from '@vigil/db';

export interface ClusterDirectory {
  /** Live clusters by id. */
  live: ReadonlyMap<string, { name: string; labels: Readonly<Record<string, string>> }>;
  /** Whether soft-deleted clusters exist (their findings stay stored until retention). */
  anyDeleted: boolean;
}

/**
 * Cluster names and liveness for fleet-wide lists and exports, read at most every `ttlMs`. Authorization
 * never uses it: a restricted credential's clusters are read fresh on every request.
 */
export function createClusterDirectory(
  db: Database,
  now: () => Date,
  ttlMs = 5000,
): () => Promise<ClusterDirectory> {
  let cached: { at: number; value: Promise<ClusterDirectory> } | undefined;
  const load = async (): Promise<ClusterDirectory> => {
    const live = new Map<string, { name: string; labels: Record<string, string> }>();
    let anyDeleted = false;
    let cursor: string | undefined;
    do {
      const page = await listClusters(db, {
        includeDeleted: true,
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      for (const cluster of page.items) {
        if (cluster.deletedAt) anyDeleted = true;
        else live.set(cluster.id, { name: cluster.name, labels: cluster.labels });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return { live, anyDeleted };
  };
  return () => {
    const at = now().getTime();
    if (!cached || at - cached.at > ttlMs || at < cached.at) {
      const value = load();
      cached = { at, value };
      // A failed read is not remembered.
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
    }
    return cached.value;
  };
}
