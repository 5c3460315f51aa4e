import type { LabelSelector } from '@vigil/core';
import { selectorMatches } from '@vigil/core/rbac';
import { type Cluster, getCluster, listClusterIds } from '@vigil/db';
import type { Context } from 'hono';
import type { ApiEnv } from '../http/env.ts';
import { ApiError, notFound } from '../http/problem.ts';

/**
 * Object-level authorization. A principal limited by a cluster label selector sees only the clusters it
 * selects: every object route answers 404 for anything else (the same answer as for an id that does not
 * exist, so ids of other clusters cannot be probed), and every list is filtered in the query.
 */

/** Ids of the clusters the principal may see; null when it may see every cluster. Memoised per request. */
export function visibleClusterIds(c: Context<ApiEnv>): Promise<readonly string[] | null> {
  let visible = c.get('visibleClusters');
  if (!visible) {
    const selector = c.var.principal.clusterSelector;
    visible = selector ? listClusterIds(c.var.services.db, selector) : Promise.resolve(null);
    c.set('visibleClusters', visible);
  }
  return visible;
}

/** True when the principal may see a cluster with these labels. */
export function canSee(c: Context<ApiEnv>, labels: Readonly<Record<string, string>>): boolean {
  const selector = c.var.principal.clusterSelector;
  return selector === null || selectorMatches(selector, labels);
}

/** The live cluster, or 404 when it does not exist or the principal may not see it. */
export async function requireCluster(c: Context<ApiEnv>, id: string): Promise<Cluster> {
  const cluster = await getCluster(c.var.services.db, id);
  if (!cluster || !canSee(c, cluster.labels)) throw notFound('cluster', id);
  return cluster;
}

/**
 * The cluster ids a list may read: the principal's visible set narrowed by what the request asked for.
 * undefined means no restriction at all (an unrestricted principal that asked for nothing).
 */
export async function clusterScope(
  c: Context<ApiEnv>,
  requested: {
    clusterIds?: readonly string[] | undefined;
    labelSelector?: LabelSelector | undefined;
    /** Leave out soft-deleted clusters, whose rows (findings) stay stored until retention. */
    liveOnly?: boolean;
  },
): Promise<readonly string[] | undefined> {
  let ids: readonly string[] | undefined;
  const visible = await visibleClusterIds(c);
  if (visible) ids = visible;
  if (requested.clusterIds)
    ids = ids ? requested.clusterIds.filter((id) => ids!.includes(id)) : requested.clusterIds;
  if (requested.labelSelector) {
    const matching = new Set(await listClusterIds(c.var.services.db, requested.labelSelector));
    ids = ids ? ids.filter((id) => matching.has(id)) : [...matching];
  }
  if (ids === undefined && requested.liveOnly) {
    // Visible and label-selected sets hold live clusters only; an unfiltered list needs the live set
    // spelled out only while deleted clusters still have rows.
    const directory = await c.var.services.clusterDirectory();
    if (directory.anyDeleted) ids = [...directory.live.keys()];
  }
  return ids;
}

/** Fleet-wide objects (exceptions, API keys) are only for principals that see every cluster. */
export function requireUnrestricted(c: Context<ApiEnv>, what: string): void {
  if (c.var.principal.clusterSelector !== null) {
    throw new ApiError(
      'forbidden',
      `${what} apply across the fleet; this credential is limited to some clusters`,
    );
  }
}
