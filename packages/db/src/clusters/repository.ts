import type { LabelSelector } from '@vigil/core';
import { and, asc, eq, gt, ilike, inArray, isNotNull, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../database.ts';
import { ConflictError, InvalidInputError, isUniqueViolation } from '../errors.ts';
import { labelSelectorShape, labelSelectorSql } from '../labels.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../pagination.ts';
import { selectRows } from '../prepared.ts';
import { isUuid, parseOrThrow } from '../validate.ts';
import {
  type Cluster,
  type ClusterLabels,
  type ClusterSource,
  clusterLabelsSchema,
  clusterNameSchema,
  clusterSourceSchema,
  MIN_SCHEDULE_INTERVAL_SECONDS,
} from './model.ts';
import { clusters } from './table.ts';

export interface NewCluster {
  name: string;
  source: ClusterSource;
  labels?: ClusterLabels;
  /** Seconds between scheduled scans; null or absent: on demand only. */
  scheduleIntervalSeconds?: number | null;
  enabled?: boolean;
}

export type ClusterPatch = Partial<NewCluster>;

type ClusterRow = typeof clusters.$inferSelect;

function toCluster(row: ClusterRow): Cluster {
  return { ...row };
}

function checkSchedule(seconds: number | null | undefined): void {
  if (seconds === null || seconds === undefined) return;
  if (!Number.isInteger(seconds) || seconds < MIN_SCHEDULE_INTERVAL_SECONDS) {
    throw new InvalidInputError(
      `scheduleIntervalSeconds must be an integer of at least ${MIN_SCHEDULE_INTERVAL_SECONDS}, got ${seconds}`,
    );
  }
}

/** Registers a cluster. Names are unique among live clusters: a clash is a ConflictError. */
export async function createCluster(db: Database, input: NewCluster): Promise<Cluster> {
  const name = parseOrThrow('name', clusterNameSchema, input.name);
  const source = parseOrThrow('source', clusterSourceSchema, input.source);
  const labels = parseOrThrow('labels', clusterLabelsSchema, input.labels ?? {});
  checkSchedule(input.scheduleIntervalSeconds);
  try {
    const [row] = await db
      .insert(clusters)
      .values({
        name,
        source,
        labels,
        scheduleIntervalSeconds: input.scheduleIntervalSeconds ?? null,
        enabled: input.enabled ?? true,
      })
      .returning();
    return toCluster(row!);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError(`a cluster named ${name} already exists`, { cause: error });
    throw error;
  }
}

/** A cluster by id; deleted clusters only when asked for. */
export async function getCluster(
  db: Database,
  id: string,
  options: { includeDeleted?: boolean } = {},
): Promise<Cluster | null> {
  if (!isUuid(id)) return null;
  const [row] = await db
    .select()
    .from(clusters)
    .where(and(eq(clusters.id, id), options.includeDeleted ? undefined : isNull(clusters.deletedAt)));
  return row ? toCluster(row) : null;
}

/** The live cluster with this name. */
export async function getClusterByName(db: Database, name: string): Promise<Cluster | null> {
  const [row] = await db
    .select()
    .from(clusters)
    .where(and(eq(clusters.name, name), isNull(clusters.deletedAt)));
  return row ? toCluster(row) : null;
}

export interface ClusterFilter extends PageRequest {
  ids?: readonly string[];
  labelSelector?: LabelSelector;
  enabled?: boolean;
  /** Only clusters with a schedule (true) or only on-demand ones (false). */
  scheduled?: boolean;
  includeDeleted?: boolean;
  /** Case-insensitive substring of the name. */
  search?: string;
}

function clusterConditions(filter: ClusterFilter): SQL | undefined {
  return and(
    filter.includeDeleted ? undefined : isNull(clusters.deletedAt),
    filter.ids ? inArray(clusters.id, filter.ids.filter(isUuid)) : undefined,
    filter.labelSelector ? labelSelectorSql(clusters.labels, filter.labelSelector) : undefined,
    filter.enabled === undefined ? undefined : eq(clusters.enabled, filter.enabled),
    filter.scheduled === undefined
      ? undefined
      : filter.scheduled
        ? isNotNull(clusters.scheduleIntervalSeconds)
        : isNull(clusters.scheduleIntervalSeconds),
    filter.search
      ? ilike(clusters.name, `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
      : undefined,
  );
}

const CLUSTERS_LISTING = 'clusters';

/** Clusters by name, keyset-paginated. */
export async function listClusters(db: Database, filter: ClusterFilter = {}): Promise<Page<Cluster>> {
  const limit = pageLimit(filter.limit);
  let after: SQL | undefined;
  if (filter.cursor) {
    const [name, id] = decodeCursor(CLUSTERS_LISTING, filter.cursor, ['string', 'string']);
    after = or(gt(clusters.name, name), and(eq(clusters.name, name), gt(clusters.id, id)));
  }
  const rows = await db
    .select()
    .from(clusters)
    .where(and(clusterConditions(filter), after))
    .orderBy(asc(clusters.name), asc(clusters.id))
    .limit(limit + 1);
  return toPage(rows, limit, toCluster, (row) => encodeCursor(CLUSTERS_LISTING, [row.name, row.id]));
}

/** Ids of the live clusters a label selector picks (e.g. the clusters an API key may see). */
export async function listClusterIds(db: Database, selector: LabelSelector = {}): Promise<string[]> {
  // Read on every request of a key limited by a selector: a prepared statement per selector shape.
  const values: Record<string, unknown> = {};
  const condition = labelSelectorSql(clusters.labels, selector, (name, value) => {
    values[name] = value;
    return sql.placeholder(name);
  });
  const rows = await selectRows(
    db,
    `clusterIds|${labelSelectorShape(selector)}`,
    () =>
      sql`select ${clusters.id} from ${clusters} where ${clusters.deletedAt} is null and ${condition} order by ${clusters.id}`,
    values,
  );
  return rows.map((row) => row[0] as string);
}

/** Changes a live cluster; null when it does not exist. */
export async function updateCluster(db: Database, id: string, patch: ClusterPatch): Promise<Cluster | null> {
  if (!isUuid(id)) return null;
  const values: Partial<typeof clusters.$inferInsert> = {};
  if (patch.name !== undefined) values.name = parseOrThrow('name', clusterNameSchema, patch.name);
  if (patch.source !== undefined) values.source = parseOrThrow('source', clusterSourceSchema, patch.source);
  if (patch.labels !== undefined) values.labels = parseOrThrow('labels', clusterLabelsSchema, patch.labels);
  if (patch.scheduleIntervalSeconds !== undefined) {
    checkSchedule(patch.scheduleIntervalSeconds);
    values.scheduleIntervalSeconds = patch.scheduleIntervalSeconds;
  }
  if (patch.enabled !== undefined) values.enabled = patch.enabled;
  try {
    const [row] = await db
      .update(clusters)
      .set({ ...values, updatedAt: sql`now()` })
      .where(and(eq(clusters.id, id), isNull(clusters.deletedAt)))
      .returning();
    return row ? toCluster(row) : null;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(`a cluster named ${values.name} already exists`, { cause: error });
    }
    throw error;
  }
}

/**
 * Soft-deletes a cluster: it stops being listed and scheduled and its name becomes free, while its runs
 * and findings stay until retention removes them. False when there was no live cluster with that id.
 */
export async function deleteCluster(db: Database, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await db
    .update(clusters)
    .set({ deletedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(clusters.id, id), isNull(clusters.deletedAt)))
    .returning({ id: clusters.id });
  return rows.length > 0;
}
