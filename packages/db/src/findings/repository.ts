import type { Severity, SubjectRef } from '@vigil/core';
import { SEVERITIES } from '@vigil/core';
import { and, asc, desc, eq, gt, gte, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import { clusters } from '../clusters/table.ts';
import type { Database } from '../database.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../pagination.ts';
import { scanRuns } from '../runs/table.ts';
import { arrayParam, rowsOf } from '../sql.ts';
import { isUuid } from '../validate.ts';
import type { FindingLifecycle, LifecycleState, StoredFinding } from './model.ts';
import { findingLifecycles, findings } from './table.ts';

type LifecycleRow = typeof findingLifecycles.$inferSelect;
type FindingRow = typeof findings.$inferSelect;

function toLifecycle(row: LifecycleRow): FindingLifecycle {
  const out: FindingLifecycle = {
    id: row.id,
    clusterId: row.clusterId,
    fingerprint: row.fingerprint,
    state: row.state,
    checkId: row.checkId,
    title: row.title,
    severity: row.severity,
    resource: {
      kind: row.resourceKind,
      name: row.resourceName,
      ...(row.resourceNamespace !== null ? { namespace: row.resourceNamespace } : {}),
    },
    message: row.message,
    controls: row.controls,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
    firstRunId: row.firstRunId,
    lastRunId: row.lastRunId,
    openedAt: row.openedAt,
    resolvedAt: row.resolvedAt,
    reopenedCount: row.reopenedCount,
    changedAt: row.changedAt,
  };
  if (row.subjectKind !== null && row.subjectName !== null) {
    out.subject = {
      kind: row.subjectKind as SubjectRef['kind'],
      name: row.subjectName,
      ...(row.subjectNamespace !== null ? { namespace: row.subjectNamespace } : {}),
    };
  }
  if (row.suppression) out.suppression = row.suppression;
  return out;
}

function toStoredFinding(row: FindingRow): StoredFinding {
  const out: StoredFinding = {
    runId: row.runId,
    fingerprint: row.fingerprint,
    checkId: row.checkId,
    title: row.title,
    severity: row.severity,
    status: row.status,
    resource: {
      kind: row.resourceKind,
      name: row.resourceName,
      ...(row.resourceNamespace !== null ? { namespace: row.resourceNamespace } : {}),
    },
    message: row.message,
    evidence: row.evidence,
    controls: row.controls,
  };
  if (row.subjectKind !== null && row.subjectName !== null) {
    out.subject = {
      kind: row.subjectKind as SubjectRef['kind'],
      name: row.subjectName,
      ...(row.subjectNamespace !== null ? { namespace: row.subjectNamespace } : {}),
    };
  }
  if (row.suppression) out.suppression = row.suppression;
  return out;
}

export interface FindingFilter extends PageRequest {
  /** Restricts to these clusters (an API key's visible set); absent means every cluster. */
  clusterIds?: readonly string[];
  /** Lifecycle states; default `open`. */
  states?: readonly LifecycleState[];
  severities?: readonly Severity[];
  checkIds?: readonly string[];
  /** A framework-qualified control, e.g. `cis-eks-1.8.0:4.1.2`. */
  control?: string;
  subject?: { kind?: string; name: string; namespace?: string };
  resourceKind?: string;
  /** First seen at or after. */
  firstSeenSince?: Date;
}

const FINDINGS_LISTING = 'findings';

function findingConditions(filter: FindingFilter): SQL | undefined {
  const states = filter.states ?? ['open'];
  return and(
    // One array parameter, not one per id: a key limited to hundreds of clusters passes them all.
    filter.clusterIds
      ? sql`${findingLifecycles.clusterId} = any(${arrayParam(filter.clusterIds.filter(isUuid), 'uuid')})`
      : undefined,
    inArray(findingLifecycles.state, [...states]),
    filter.severities ? inArray(findingLifecycles.severity, [...filter.severities]) : undefined,
    filter.checkIds ? inArray(findingLifecycles.checkId, [...filter.checkIds]) : undefined,
    filter.control !== undefined
      ? sql`${findingLifecycles.controls} @> ${arrayParam([filter.control], 'text')}`
      : undefined,
    filter.subject ? eq(findingLifecycles.subjectName, filter.subject.name) : undefined,
    filter.subject?.kind !== undefined ? eq(findingLifecycles.subjectKind, filter.subject.kind) : undefined,
    filter.subject?.namespace !== undefined
      ? eq(findingLifecycles.subjectNamespace, filter.subject.namespace)
      : undefined,
    filter.resourceKind !== undefined ? eq(findingLifecycles.resourceKind, filter.resourceKind) : undefined,
    filter.firstSeenSince ? gte(findingLifecycles.firstSeenAt, filter.firstSeenSince) : undefined,
  );
}

/**
 * Findings across the fleet by lifecycle (open ones by default), newest first, keyset-paginated on the
 * lifecycle id. Reads only `finding_lifecycles`, through its indexes.
 */
export async function listFindings(
  db: Database,
  filter: FindingFilter = {},
): Promise<Page<FindingLifecycle>> {
  const limit = pageLimit(filter.limit);
  let before: SQL | undefined;
  if (filter.cursor) {
    const [id] = decodeCursor(FINDINGS_LISTING, filter.cursor, ['number']);
    before = lt(findingLifecycles.id, id);
  }
  const rows = await db
    .select()
    .from(findingLifecycles)
    .where(and(findingConditions(filter), before))
    .orderBy(desc(findingLifecycles.id))
    .limit(limit + 1);
  return toPage(rows, limit, toLifecycle, (row) => encodeCursor(FINDINGS_LISTING, [row.id]));
}

export interface FindingDetail extends FindingLifecycle {
  /** Evidence as the last run that reported the finding recorded it (absent once retention removed it). */
  evidence: Record<string, unknown> | null;
}

/** One finding of a cluster with its latest evidence. */
export async function getFinding(
  db: Database,
  clusterId: string,
  fingerprint: string,
): Promise<FindingDetail | null> {
  if (!isUuid(clusterId)) return null;
  const [row] = await db
    .select({ lifecycle: findingLifecycles, evidence: findings.evidence })
    .from(findingLifecycles)
    .leftJoin(
      findings,
      and(
        eq(findings.runId, findingLifecycles.lastRunId),
        eq(findings.fingerprint, findingLifecycles.fingerprint),
      ),
    )
    .where(and(eq(findingLifecycles.clusterId, clusterId), eq(findingLifecycles.fingerprint, fingerprint)));
  return row ? { ...toLifecycle(row.lifecycle), evidence: row.evidence } : null;
}

export interface RunFindingFilter extends PageRequest {
  statuses?: readonly ('fail' | 'suppressed')[];
  severities?: readonly Severity[];
  checkIds?: readonly string[];
}

const RUN_FINDINGS_LISTING = 'run-findings';

/** What one run found, by fingerprint, keyset-paginated on the primary key. */
export async function listRunFindings(
  db: Database,
  runId: string,
  filter: RunFindingFilter = {},
): Promise<Page<StoredFinding>> {
  const limit = pageLimit(filter.limit);
  if (!isUuid(runId)) return { items: [], nextCursor: null };
  let after: SQL | undefined;
  if (filter.cursor) {
    const [fingerprint] = decodeCursor(`${RUN_FINDINGS_LISTING}:${runId}`, filter.cursor, ['string']);
    after = gt(findings.fingerprint, fingerprint);
  }
  const rows = await db
    .select()
    .from(findings)
    .where(
      and(
        eq(findings.runId, runId),
        filter.statuses ? inArray(findings.status, [...filter.statuses]) : undefined,
        filter.severities ? inArray(findings.severity, [...filter.severities]) : undefined,
        filter.checkIds ? inArray(findings.checkId, [...filter.checkIds]) : undefined,
        after,
      ),
    )
    .orderBy(asc(findings.fingerprint))
    .limit(limit + 1);
  return toPage(rows, limit, toStoredFinding, (row) =>
    encodeCursor(`${RUN_FINDINGS_LISTING}:${runId}`, [row.fingerprint]),
  );
}

const CHANGES_LISTING = 'finding-changes';

/**
 * Lifecycles whose state changed at or after `since` (opened, reopened, resolved, suppressed), oldest change
 * first so a poller can resume from the cursor. Each row is the lifecycle as it is now.
 */
export async function listLifecycleChanges(
  db: Database,
  filter: PageRequest & { since: Date; clusterIds?: readonly string[] },
): Promise<Page<FindingLifecycle>> {
  const limit = pageLimit(filter.limit);
  let after: SQL | undefined;
  if (filter.cursor) {
    const [at, id] = decodeCursor(CHANGES_LISTING, filter.cursor, ['string', 'number']);
    const date = new Date(at);
    after = or(
      gt(findingLifecycles.changedAt, date),
      and(eq(findingLifecycles.changedAt, date), gt(findingLifecycles.id, id)),
    );
  }
  const rows = await db
    .select()
    .from(findingLifecycles)
    .where(
      and(
        gte(findingLifecycles.changedAt, filter.since),
        filter.clusterIds
          ? inArray(findingLifecycles.clusterId, filter.clusterIds.filter(isUuid))
          : undefined,
        after,
      ),
    )
    .orderBy(asc(findingLifecycles.changedAt), asc(findingLifecycles.id))
    .limit(limit + 1);
  return toPage(rows, limit, toLifecycle, (row) =>
    encodeCursor(CHANGES_LISTING, [row.changedAt.toISOString(), row.id]),
  );
}

export interface FleetSummary {
  /** Open findings by severity across the clusters counted. */
  open: Record<Severity, number>;
  /** Live clusters with at least one recorded (complete or partial) run. */
  clustersReporting: number;
  /** Live clusters in scope. */
  clusters: number;
}

/**
 * Open findings by severity across the fleet. Each recorded run stores its cluster's open counts as they
 * were once it was applied, so this adds up one row per cluster instead of counting the lifecycle table.
 */
export async function summarizeFleet(
  db: Database,
  filter: { clusterIds?: readonly string[] } = {},
): Promise<FleetSummary> {
  const ids = filter.clusterIds
    ? sql`and c.id = any(${arrayParam(filter.clusterIds.filter(isUuid), 'uuid')})`
    : sql``;
  const sums = SEVERITIES.map(
    (s) =>
      sql`coalesce(sum((r.open_by_severity ->> ${sql.raw(`'${s}'`)})::int), 0)::int as ${sql.raw(`"${s}"`)}`,
  );
  const [row] = rowsOf<Record<Severity | 'reporting' | 'total', number>>(
    await db.execute(sql`
      select ${sql.join(sums, sql`, `)}, count(r.id)::int as reporting, count(*)::int as total
      from ${clusters} c
      left join lateral (
        select id, open_by_severity from ${scanRuns} r
        where r.cluster_id = c.id and r.status in ('complete', 'partial')
        order by r.recorded_at desc
        limit 1
      ) r on true
      where c.deleted_at is null ${ids}`),
  );
  const open = Object.fromEntries(SEVERITIES.map((s) => [s, Number(row?.[s] ?? 0)])) as Record<
    Severity,
    number
  >;
  return { open, clustersReporting: Number(row?.reporting ?? 0), clusters: Number(row?.total ?? 0) };
}
