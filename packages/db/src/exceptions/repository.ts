import {
  type AuditException,
  type ExceptionsFile,
  exceptionSchema,
  type LabelSelector,
  labelSelectorSchema,
} from '@vigil/core';
import { selectorMatches } from '@vigil/core/rbac';
import { and, asc, eq, gt, isNull, or, type SQL, sql } from 'drizzle-orm';
import { clusters } from '../clusters/table.ts';
import type { Database } from '../database.ts';
import { NotFoundError } from '../errors.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../pagination.ts';
import { isUuid, parseOrThrow } from '../validate.ts';
import { auditExceptions } from './table.ts';

export interface NewException {
  /** Clusters it covers by their labels; absent or `{}` covers every cluster. */
  clusterSelector?: LabelSelector;
  /** Check ids or globs (`*` for all). */
  checks: string[];
  subject?: AuditException['subject'];
  resource?: AuditException['resource'];
  reason: string;
  owner?: string;
  expiresAt?: Date | null;
}

export interface ExceptionRecord {
  id: string;
  clusterSelector: LabelSelector;
  checks: string[];
  subject: AuditException['subject'] | null;
  resource: AuditException['resource'] | null;
  reason: string;
  owner: string | null;
  expiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  revokedAt: Date | null;
}

type ExceptionRow = typeof auditExceptions.$inferSelect;

function toRecord(row: ExceptionRow): ExceptionRecord {
  return { ...row, subject: row.subject ?? null, resource: row.resource ?? null };
}

/** Validates the scope and text with core's exception schema, so what is stored is what the audit accepts. */
function validate(input: NewException): void {
  parseOrThrow('clusterSelector', labelSelectorSchema, input.clusterSelector ?? {});
  parseOrThrow('exception', exceptionSchema, {
    id: 'candidate',
    checks: input.checks,
    ...(input.subject ? { subject: input.subject } : {}),
    ...(input.resource ? { resource: input.resource } : {}),
    reason: input.reason,
    ...(input.owner !== undefined ? { owner: input.owner } : {}),
    ...(input.expiresAt ? { expires: input.expiresAt.toISOString() } : {}),
  });
}

export async function createException(db: Database, input: NewException): Promise<ExceptionRecord> {
  validate(input);
  const [row] = await db
    .insert(auditExceptions)
    .values({
      clusterSelector: input.clusterSelector ?? {},
      checks: input.checks,
      subject: input.subject ?? null,
      resource: input.resource ?? null,
      reason: input.reason,
      owner: input.owner ?? null,
      expiresAt: input.expiresAt ?? null,
    })
    .returning();
  return toRecord(row!);
}

export async function getException(db: Database, id: string): Promise<ExceptionRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(auditExceptions).where(eq(auditExceptions.id, id));
  return row ? toRecord(row) : null;
}

/** Replaces an exception's scope and text; revoked exceptions cannot be changed. Null when absent. */
export async function updateException(
  db: Database,
  id: string,
  input: NewException,
): Promise<ExceptionRecord | null> {
  validate(input);
  if (!isUuid(id)) return null;
  const [row] = await db
    .update(auditExceptions)
    .set({
      clusterSelector: input.clusterSelector ?? {},
      checks: input.checks,
      subject: input.subject ?? null,
      resource: input.resource ?? null,
      reason: input.reason,
      owner: input.owner ?? null,
      expiresAt: input.expiresAt ?? null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(auditExceptions.id, id), isNull(auditExceptions.revokedAt)))
    .returning();
  return row ? toRecord(row) : null;
}

/**
 * Revokes an exception: it stops applying from the next run on, and stays stored so that past suppressions
 * still point at it. False when there is no unrevoked exception with that id.
 */
export async function revokeException(db: Database, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await db
    .update(auditExceptions)
    .set({ revokedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(auditExceptions.id, id), isNull(auditExceptions.revokedAt)))
    .returning({ id: auditExceptions.id });
  return rows.length > 0;
}

export interface ExceptionFilter extends PageRequest {
  /** Only exceptions in force at this instant (not revoked, not expired). */
  activeAt?: Date;
  includeRevoked?: boolean;
}

const EXCEPTIONS_LISTING = 'exceptions';

function activeAt(at: Date): SQL {
  return and(
    isNull(auditExceptions.revokedAt),
    or(isNull(auditExceptions.expiresAt), gt(auditExceptions.expiresAt, at)),
  ) as SQL;
}

/** Exceptions oldest first, keyset-paginated. */
export async function listExceptions(
  db: Database,
  filter: ExceptionFilter = {},
): Promise<Page<ExceptionRecord>> {
  const limit = pageLimit(filter.limit);
  let after: SQL | undefined;
  if (filter.cursor) {
    const [at, id] = decodeCursor(EXCEPTIONS_LISTING, filter.cursor, ['string', 'string']);
    const date = new Date(at);
    after = or(
      gt(auditExceptions.createdAt, date),
      and(eq(auditExceptions.createdAt, date), gt(auditExceptions.id, id)),
    );
  }
  const rows = await db
    .select()
    .from(auditExceptions)
    .where(
      and(
        filter.activeAt ? activeAt(filter.activeAt) : undefined,
        filter.includeRevoked || filter.activeAt ? undefined : isNull(auditExceptions.revokedAt),
        after,
      ),
    )
    .orderBy(asc(auditExceptions.createdAt), asc(auditExceptions.id))
    .limit(limit + 1);
  return toPage(rows, limit, toRecord, (row) =>
    encodeCursor(EXCEPTIONS_LISTING, [row.createdAt.toISOString(), row.id]),
  );
}

/**
 * The exceptions that apply to a cluster at `now`, in the shape `runAudit` takes: unrevoked, not expired,
 * and whose cluster selector matches the cluster's labels. Built-in defaults stay on. The exception id is
 * the row id, so a suppressed finding names its row.
 */
export async function exceptionsForCluster(
  db: Database,
  clusterId: string,
  now: Date,
): Promise<ExceptionsFile> {
  const [cluster] = isUuid(clusterId)
    ? await db.select({ labels: clusters.labels }).from(clusters).where(eq(clusters.id, clusterId))
    : [];
  if (!cluster) throw new NotFoundError('cluster', clusterId);
  const rows = await db
    .select()
    .from(auditExceptions)
    .where(activeAt(now))
    .orderBy(asc(auditExceptions.createdAt), asc(auditExceptions.id));
  const exceptions: AuditException[] = [];
  for (const row of rows) {
    if (!selectorMatches(row.clusterSelector, cluster.labels)) continue;
    const exception: AuditException = { id: row.id, checks: row.checks, reason: row.reason };
    if (row.subject) exception.subject = row.subject;
    if (row.resource) exception.resource = row.resource;
    if (row.owner !== null) exception.owner = row.owner;
    if (row.expiresAt) exception.expires = row.expiresAt.toISOString();
    exceptions.push(exception);
  }
  return { defaults: true, disable: [], exceptions };
}
