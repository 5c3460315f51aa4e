import type { FrameworkResult } from '@vigil/core';
import { and, desc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import { clusters } from '../clusters/table.ts';
import type { Database } from '../database.ts';
import { scanRuns } from '../runs/table.ts';
import { isUuid } from '../validate.ts';

/** A cluster's compliance as its newest recorded result at some instant said. */
export interface ComplianceAsOf {
  clusterId: string;
  clusterName: string;
  clusterLabels: Record<string, string>;
  runId: string;
  status: 'complete' | 'partial';
  recordedAt: Date;
  compliance: FrameworkResult[];
}

/**
 * For every live cluster (or the given ones), the compliance of its newest complete or partial run recorded
 * at or before `at`: the daily digest asks this for "now" and for "a day ago". Clusters without such a run
 * are left out. One index probe per cluster.
 */
export async function complianceAsOf(
  db: Database,
  options: { at: Date; clusterIds?: readonly string[] },
): Promise<ComplianceAsOf[]> {
  const latest = db
    .select({
      runId: scanRuns.id,
      status: scanRuns.status,
      recordedAt: scanRuns.recordedAt,
      compliance: scanRuns.compliance,
    })
    .from(scanRuns)
    .where(
      and(
        eq(scanRuns.clusterId, clusters.id),
        inArray(scanRuns.status, ['complete', 'partial']),
        lte(scanRuns.recordedAt, options.at),
      ),
    )
    .orderBy(desc(scanRuns.recordedAt))
    .limit(1)
    .as('latest');
  const rows = await db
    .select({
      clusterId: clusters.id,
      clusterName: clusters.name,
      clusterLabels: clusters.labels,
      runId: latest.runId,
      status: latest.status,
      recordedAt: latest.recordedAt,
      compliance: latest.compliance,
    })
    .from(clusters)
    .innerJoinLateral(latest, sql`true`)
    .where(
      and(
        isNull(clusters.deletedAt),
        options.clusterIds ? inArray(clusters.id, options.clusterIds.filter(isUuid)) : undefined,
      ),
    )
    .orderBy(clusters.name);
  return rows.map((row) => ({
    clusterId: row.clusterId,
    clusterName: row.clusterName,
    clusterLabels: row.clusterLabels,
    runId: row.runId,
    status: row.status as 'complete' | 'partial',
    recordedAt: row.recordedAt!,
    compliance: row.compliance ?? [],
  }));
}
