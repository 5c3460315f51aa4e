import type { Severity, SubjectRef } from '@vigil/core';
import { SEVERITIES } from '@vigil/core';
import { and, asc, eq, gt, gte, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { clusters } from '../clusters/table.ts';
import type { Database } from '../database.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../pagination.ts';
import { selectRows } from '../prepared.ts';
import { scanRuns } from '../runs/table.ts';
import { arrayParam, isoInstant, parseTextArray, rowsOf } from '../sql.ts';
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

/** A lifecycle with its instants as ISO 8601 strings (UTC, milliseconds), the form the API answers. */
export type FindingLifecycleIso = Omit<
  FindingLifecycle,
  'firstSeenAt' | 'lastSeenAt' | 'openedAt' | 'resolvedAt' | 'changedAt'
> & {
  firstSeenAt: string;
  lastSeenAt: string;
  openedAt: string | null;
  resolvedAt: string | null;
  changedAt: string;
};

const t = findingLifecycles;

/** The listing's select list; `toLifecycleIso` reads the rows by these positions. */
const LIST_COLUMNS = [
  t.id,
  t.clusterId,
  t.fingerprint,
  t.state,
  t.checkId,
  t.title,
  t.severity,
  t.resourceKind,
  t.resourceName,
  t.resourceNamespace,
  t.subjectKind,
  t.subjectName,
  t.subjectNamespace,
  t.message,
  // As text, parsed by parseTextArray (cheaper than the driver's array parser).
  sql`${t.controls}::text`,
  t.suppression,
  t.firstSeenAt,
  t.lastSeenAt,
  t.firstRunId,
  t.lastRunId,
  t.openedAt,
  t.resolvedAt,
  t.reopenedCount,
  t.changedAt,
] as const;

function toLifecycleIso(row: unknown[]): FindingLifecycleIso {
  const resourceNamespace = row[9] as string | null;
  const subjectKind = row[10] as string | null;
  const subjectName = row[11] as string | null;
  const subjectNamespace = row[12] as string | null;
  const suppression = row[15] as FindingLifecycle['suppression'] | null;
  const openedAt = row[20] as string | null;
  const resolvedAt = row[21] as string | null;
  const out: FindingLifecycleIso = {
    // int8 arrives as a string (node-postgres) or a bigint (PGlite).
    id: Number(row[0]),
    clusterId: row[1] as string,
    fingerprint: row[2] as string,
    state: row[3] as LifecycleState,
    checkId: row[4] as string,
    title: row[5] as string,
    severity: row[6] as Severity,
    resource: {
      kind: row[7] as string,
      name: row[8] as string,
      ...(resourceNamespace !== null ? { namespace: resourceNamespace } : {}),
    },
    message: row[13] as string,
    controls: parseTextArray(row[14] as string) as string[],
    firstSeenAt: isoInstant(row[16] as string),
    lastSeenAt: isoInstant(row[17] as string),
    firstRunId: row[18] as string,
    lastRunId: row[19] as string,
    openedAt: openedAt === null ? null : isoInstant(openedAt),
    resolvedAt: resolvedAt === null ? null : isoInstant(resolvedAt),
    reopenedCount: Number(row[22]),
    changedAt: isoInstant(row[23] as string),
  };
  if (subjectKind !== null && subjectName !== null) {
    out.subject = {
      kind: subjectKind as SubjectRef['kind'],
      name: subjectName,
      ...(subjectNamespace !== null ? { namespace: subjectNamespace } : {}),
    };
  }
  if (suppression) out.suppression = suppression;
  return out;
}

function fromIso(f: FindingLifecycleIso): FindingLifecycle {
  return {
    ...f,
    firstSeenAt: new Date(f.firstSeenAt),
    lastSeenAt: new Date(f.lastSeenAt),
    openedAt: f.openedAt === null ? null : new Date(f.openedAt),
    resolvedAt: f.resolvedAt === null ? null : new Date(f.resolvedAt),
    changedAt: new Date(f.changedAt),
  };
}

/**
 * The listing's statement is one of a few shapes (which filters are present; one value or several), each
 * built and prepared once (see prepared.ts). A single value compares with `=` (what `in (x)` was), several
 * with `= any(array)`, so the planner sees what it saw when the list was written out.
 */
function findingsQuery(filter: FindingFilter, limit: number, before: number | undefined) {
  const values: Record<string, unknown> = { limit: limit + 1 };
  const conditions: (() => SQL)[] = [];
  let shape = 'findings';
  const list = (name: string, column: AnyPgColumn, items: readonly unknown[], type: 'text' | 'uuid') => {
    if (items.length === 1) {
      shape += `|${name}=`;
      values[name] = items[0];
      conditions.push(() => sql`${column} = ${sql.placeholder(name)}`);
    } else {
      shape += `|${name}*`;
      values[name] = items;
      conditions.push(() => sql`${column} = any(${sql.placeholder(name)}::${sql.raw(type)}[])`);
    }
  };
  const equal = (name: string, column: AnyPgColumn, value: unknown) => {
    shape += `|${name}`;
    values[name] = value;
    conditions.push(() => sql`${column} = ${sql.placeholder(name)}`);
  };
  if (filter.clusterIds) {
    // One array parameter, not one per id: a key limited to hundreds of clusters passes them all. Written
    // as the array's text here (only uuids get in, which need no quoting) rather than by the driver.
    shape += '|clusterIds';
    values.clusterIds = `{${filter.clusterIds.filter(isUuid).join(',')}}`;
    conditions.push(() => sql`${t.clusterId} = any(${sql.placeholder('clusterIds')}::uuid[])`);
  }
  list('states', t.state, filter.states ?? ['open'], 'text');
  if (filter.severities) list('severities', t.severity, filter.severities, 'text');
  if (filter.checkIds) list('checkIds', t.checkId, filter.checkIds, 'text');
  if (filter.control !== undefined) {
    shape += '|control';
    values.control = [filter.control];
    conditions.push(() => sql`${t.controls} @> ${sql.placeholder('control')}::text[]`);
  }
  if (filter.subject) equal('subjectName', t.subjectName, filter.subject.name);
  if (filter.subject?.kind !== undefined) equal('subjectKind', t.subjectKind, filter.subject.kind);
  if (filter.subject?.namespace !== undefined) {
    equal('subjectNamespace', t.subjectNamespace, filter.subject.namespace);
  }
  if (filter.resourceKind !== undefined) equal('resourceKind', t.resourceKind, filter.resourceKind);
  if (filter.firstSeenSince) {
    shape += '|firstSeenSince';
    values.firstSeenSince = filter.firstSeenSince.toISOString();
    conditions.push(() => sql`${t.firstSeenAt} >= ${sql.placeholder('firstSeenSince')}::timestamptz`);
  }
  if (before !== undefined) {
    shape += '|before';
    values.before = before;
    conditions.push(() => sql`${t.id} < ${sql.placeholder('before')}`);
  }
  const build = () =>
    sql`select ${sql.join([...LIST_COLUMNS], sql`, `)} from ${t} where ${sql.join(
      conditions.map((condition) => sql`(${condition()})`),
      sql` and `,
    )} order by ${t.id} desc limit ${sql.placeholder('limit')}`;
  return { shape, build, values };
}

async function findingsPage(db: Database, filter: FindingFilter): Promise<Page<FindingLifecycleIso>> {
  const limit = pageLimit(filter.limit);
  const before = filter.cursor ? decodeCursor(FINDINGS_LISTING, filter.cursor, ['number'])[0] : undefined;
  const { shape, build, values } = findingsQuery(filter, limit, before);
  const rows = await selectRows(db, shape, build, values);
  return toPage(rows, limit, toLifecycleIso, (row) => encodeCursor(FINDINGS_LISTING, [Number(row[0])]));
}

/**
 * Findings across the fleet by lifecycle (open ones by default), newest first, keyset-paginated on the
 * lifecycle id. Reads only `finding_lifecycles`, through its indexes.
 */
export async function listFindings(
  db: Database,
  filter: FindingFilter = {},
): Promise<Page<FindingLifecycle>> {
  const page = await findingsPage(db, filter);
  return { items: page.items.map(fromIso), nextCursor: page.nextCursor };
}

/** `listFindings` with instants as ISO strings, as the API answers them (no `Date` made per row). */
export function listFindingsIso(
  db: Database,
  filter: FindingFilter = {},
): Promise<Page<FindingLifecycleIso>> {
  return findingsPage(db, filter);
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
