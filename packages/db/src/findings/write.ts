import type { Finding } from '@vigil/core';
import { sql } from 'drizzle-orm';
import type { Database } from '../database.ts';
import { affectedOf, chunks } from '../sql.ts';
import type { SeenTransition } from './lifecycle.ts';
import { findingLifecycles, findings } from './table.ts';

/**
 * How a batch of rows reaches the server:
 * - `json`: one jsonb parameter per chunk, expanded server-side by `jsonb_to_recordset` (a single bind
 *   parameter whatever the chunk size);
 * - `values`: a multi-row `INSERT ... VALUES` per chunk, sized under the 65,535 bind-parameter limit.
 */
export type InsertStrategy = 'json' | 'values';

export interface WriteOptions {
  strategy?: InsertStrategy;
  /** Rows per statement (json); `values` uses at most 65,535 / columns. */
  chunkSize?: number;
}

const DEFAULT_CHUNK = 5_000;
const FINDING_COLUMNS = 16;
const MAX_BIND_PARAMETERS = 65_535;

function findingRow(runId: string, f: Finding) {
  return {
    run_id: runId,
    fingerprint: f.fingerprint,
    check_id: f.checkId,
    title: f.title,
    severity: f.severity,
    status: f.status,
    resource_kind: f.resource.kind,
    resource_name: f.resource.name,
    resource_namespace: f.resource.namespace ?? null,
    subject_kind: f.subject?.kind ?? null,
    subject_name: f.subject?.name ?? null,
    subject_namespace: f.subject?.namespace ?? null,
    message: f.message,
    evidence: f.evidence,
    controls: f.controls,
    suppression: f.suppression ?? null,
  };
}

/** Inserts a run's findings; a (run, fingerprint) that exists already is left as it is. Returns rows added. */
export async function insertFindings(
  db: Database,
  runId: string,
  items: readonly Finding[],
  options: WriteOptions = {},
): Promise<number> {
  let inserted = 0;
  if ((options.strategy ?? 'json') === 'values') {
    const size = Math.min(
      options.chunkSize ?? DEFAULT_CHUNK,
      Math.floor(MAX_BIND_PARAMETERS / FINDING_COLUMNS),
    );
    for (const part of chunks(items, size)) {
      const rows = await db
        .insert(findings)
        .values(
          part.map((f) => ({
            runId,
            fingerprint: f.fingerprint,
            checkId: f.checkId,
            title: f.title,
            severity: f.severity,
            status: f.status,
            resourceKind: f.resource.kind,
            resourceName: f.resource.name,
            resourceNamespace: f.resource.namespace ?? null,
            subjectKind: f.subject?.kind ?? null,
            subjectName: f.subject?.name ?? null,
            subjectNamespace: f.subject?.namespace ?? null,
            message: f.message,
            evidence: f.evidence,
            controls: f.controls,
            suppression: f.suppression ?? null,
          })),
        )
        .onConflictDoNothing({ target: [findings.runId, findings.fingerprint] })
        .returning({ fingerprint: findings.fingerprint });
      inserted += rows.length;
    }
    return inserted;
  }
  for (const part of chunks(items, options.chunkSize ?? DEFAULT_CHUNK)) {
    const payload = JSON.stringify(part.map((f) => findingRow(runId, f)));
    const result = await db.execute(sql`
      insert into ${findings} (run_id, fingerprint, check_id, title, severity, status, resource_kind,
        resource_name, resource_namespace, subject_kind, subject_name, subject_namespace, message, evidence,
        controls, suppression)
      select r.run_id, r.fingerprint, r.check_id, r.title, r.severity, r.status, r.resource_kind,
        r.resource_name, r.resource_namespace, r.subject_kind, r.subject_name, r.subject_namespace, r.message,
        r.evidence, r.controls, r.suppression
      from jsonb_to_recordset(${payload}::jsonb) as r(run_id uuid, fingerprint text, check_id text,
        title text, severity text, status text, resource_kind text, resource_name text,
        resource_namespace text, subject_kind text, subject_name text, subject_namespace text, message text,
        evidence jsonb, controls text[], suppression jsonb)
      on conflict (run_id, fingerprint) do nothing`);
    inserted += affectedOf(result);
  }
  return inserted;
}

function lifecycleRow(t: SeenTransition, changedAt: string) {
  const f = t.finding;
  return {
    fingerprint: f.fingerprint,
    state: t.state,
    check_id: f.checkId,
    title: f.title,
    severity: f.severity,
    resource_kind: f.resource.kind,
    resource_name: f.resource.name,
    resource_namespace: f.resource.namespace ?? null,
    subject_kind: f.subject?.kind ?? null,
    subject_name: f.subject?.name ?? null,
    subject_namespace: f.subject?.namespace ?? null,
    message: f.message,
    controls: f.controls,
    suppression: f.suppression ?? null,
    opened_at: t.openedAt?.toISOString() ?? null,
    reopened_count: t.reopenedCount,
    changed_at: t.changed ? changedAt : null,
  };
}

const LIFECYCLE_RECORD = sql.raw(`r(fingerprint text, state text, check_id text, title text, severity text,
  resource_kind text, resource_name text, resource_namespace text, subject_kind text, subject_name text,
  subject_namespace text, message text, controls text[], suppression jsonb, opened_at timestamptz,
  reopened_count integer, changed_at timestamptz)`);

/**
 * Writes the lifecycle rows of every fingerprint a run reported: new ones inserted, known ones updated to
 * the latest severity, text and state. The caller holds the cluster's lock, so nothing races these writes.
 */
export async function writeSeenLifecycles(
  db: Database,
  input: { clusterId: string; runId: string; seenAt: Date; changedAt: Date; seen: readonly SeenTransition[] },
  options: WriteOptions = {},
): Promise<void> {
  const size = options.chunkSize ?? DEFAULT_CHUNK;
  const seenAt = input.seenAt.toISOString();
  const changedAt = input.changedAt.toISOString();
  const fresh = input.seen.filter((t) => t.isNew);
  const known = input.seen.filter((t) => !t.isNew);
  for (const part of chunks(fresh, size)) {
    const payload = JSON.stringify(part.map((t) => lifecycleRow(t, changedAt)));
    await db.execute(sql`
      insert into ${findingLifecycles} (cluster_id, fingerprint, state, check_id, title, severity,
        resource_kind, resource_name, resource_namespace, subject_kind, subject_name, subject_namespace,
        message, controls, suppression, first_seen_at, last_seen_at, first_run_id, last_run_id, opened_at,
        resolved_at, reopened_count, changed_at)
      select ${input.clusterId}::uuid, r.fingerprint, r.state, r.check_id, r.title, r.severity,
        r.resource_kind, r.resource_name, r.resource_namespace, r.subject_kind, r.subject_name,
        r.subject_namespace, r.message, r.controls, r.suppression, ${seenAt}::timestamptz,
        ${seenAt}::timestamptz, ${input.runId}::uuid, ${input.runId}::uuid, r.opened_at, null,
        r.reopened_count, r.changed_at
      from jsonb_to_recordset(${payload}::jsonb) as ${LIFECYCLE_RECORD}
      on conflict (cluster_id, fingerprint) do nothing`);
  }
  for (const part of chunks(known, size)) {
    const payload = JSON.stringify(part.map((t) => lifecycleRow(t, changedAt)));
    await db.execute(sql`
      update ${findingLifecycles} as l set
        state = r.state, check_id = r.check_id, title = r.title, severity = r.severity,
        resource_kind = r.resource_kind, resource_name = r.resource_name,
        resource_namespace = r.resource_namespace, subject_kind = r.subject_kind,
        subject_name = r.subject_name, subject_namespace = r.subject_namespace, message = r.message,
        controls = r.controls, suppression = r.suppression, last_seen_at = ${seenAt}::timestamptz,
        last_run_id = ${input.runId}::uuid, opened_at = r.opened_at, resolved_at = null,
        reopened_count = r.reopened_count, changed_at = coalesce(r.changed_at, l.changed_at)
      from jsonb_to_recordset(${payload}::jsonb) as ${LIFECYCLE_RECORD}
      where l.cluster_id = ${input.clusterId}::uuid and l.fingerprint = r.fingerprint`);
  }
}
