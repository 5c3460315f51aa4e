import { SEVERITIES, type Severity } from '@vigil/core';
import { sql } from 'drizzle-orm';
import { clusters } from '../clusters/table.ts';
import type { Database } from '../database.ts';
import { InvalidInputError } from '../errors.ts';
import { arrayParam, rowsOf, toDate } from '../sql.ts';
import { isUuid } from '../validate.ts';
import { scanRuns } from './table.ts';

/**
 * Fleet-wide reads over each live cluster's latest recorded (complete or partial) run: one index probe
 * per cluster (scan_runs_cluster_recorded_idx), the same baseline `summarizeFleet` adds up.
 */

function clusterFilter(clusterIds: readonly string[] | undefined) {
  return clusterIds ? sql`and c.id = any(${arrayParam(clusterIds.filter(isUuid), 'uuid')})` : sql``;
}

const latestRecorded = (columns: string) => sql`
  join lateral (
    select ${sql.raw(columns)} from ${scanRuns} r
    where r.cluster_id = c.id and r.status in ('complete', 'partial')
    order by r.recorded_at desc
    limit 1
  ) r on true`;

export interface RankedCluster {
  clusterId: string;
  name: string;
  labels: Record<string, string>;
  runId: string;
  recordedAt: Date;
  openBySeverity: Record<Severity, number>;
}

/**
 * The clusters with the most open findings, worst first: by critical, then high, medium, low, info count.
 * Clusters without a recorded run are not ranked.
 */
export async function rankClustersByOpenFindings(
  db: Database,
  options: { clusterIds?: readonly string[]; limit: number },
): Promise<RankedCluster[]> {
  if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 1000) {
    throw new InvalidInputError('limit must be an integer from 1 to 1000');
  }
  const order = SEVERITIES.map(
    (s) => sql`coalesce((r.open_by_severity ->> ${sql.raw(`'${s}'`)})::int, 0) desc`,
  );
  const rows = rowsOf<{
    id: string;
    name: string;
    labels: Record<string, string>;
    run_id: string;
    recorded_at: string;
    open_by_severity: Record<Severity, number> | null;
  }>(
    await db.execute(sql`
      select c.id, c.name, c.labels, r.id as run_id, r.recorded_at, r.open_by_severity
      from ${clusters} c
      ${latestRecorded('id, recorded_at, open_by_severity')}
      where c.deleted_at is null ${clusterFilter(options.clusterIds)}
      order by ${sql.join(order, sql`, `)}, c.name
      limit ${options.limit}`),
  );
  return rows.map((row) => ({
    clusterId: row.id,
    name: row.name,
    labels: row.labels,
    runId: row.run_id,
    recordedAt: toDate(row.recorded_at),
    openBySeverity: Object.fromEntries(
      SEVERITIES.map((s) => [s, Number(row.open_by_severity?.[s] ?? 0)]),
    ) as Record<Severity, number>,
  }));
}

export interface FleetControlCount {
  framework: string;
  /** `framework:control`. */
  qualifiedId: string;
  status: 'pass' | 'fail' | 'not_evaluated' | 'not_applicable' | 'manual';
  /** Clusters whose latest recorded run gave the control this status. */
  clusters: number;
}

/**
 * How many clusters have each control in each status, by their latest recorded run; aggregated in the
 * database so that a fleet of thousands of clusters never travels to the caller.
 */
export async function fleetComplianceCounts(
  db: Database,
  options: { clusterIds?: readonly string[]; framework?: string } = {},
): Promise<{ counts: FleetControlCount[]; clustersReporting: number }> {
  const rows = rowsOf<{ framework: string; qualified_id: string; status: string; clusters: number }>(
    await db.execute(sql`
      select fw ->> 'framework' as framework, ctl ->> 'qualifiedId' as qualified_id, ctl ->> 'status' as status,
        count(*)::int as clusters
      from ${clusters} c
      ${latestRecorded('compliance')}
      cross join lateral jsonb_array_elements(coalesce(r.compliance, '[]'::jsonb)) fw
      cross join lateral jsonb_array_elements(fw -> 'controls') ctl
      where c.deleted_at is null ${clusterFilter(options.clusterIds)}
        ${options.framework ? sql`and fw ->> 'framework' = ${options.framework}` : sql``}
      group by 1, 2, 3
      order by 1, 2, 3`),
  );
  const [reporting] = rowsOf<{ n: number }>(
    await db.execute(sql`
      select count(*)::int as n from ${clusters} c
      ${latestRecorded('id')}
      where c.deleted_at is null ${clusterFilter(options.clusterIds)}`),
  );
  return {
    counts: rows.map((row) => ({
      framework: row.framework,
      qualifiedId: row.qualified_id,
      status: row.status as FleetControlCount['status'],
      clusters: Number(row.clusters),
    })),
    clustersReporting: Number(reporting?.n ?? 0),
  };
}
