import type { Finding } from '@vigil/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../database.ts';
import { outboxEvents } from '../outbox/table.ts';
import { affectedOf, arrayParam, chunks } from '../sql.ts';
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

/**
 * Writes the lifecycle rows of every fingerprint a run reported, set-based against the run's `findings` rows
 * written just before in the same transaction (so no finding content travels again):
 * 1. every known fingerprint takes the finding's current content, `last_seen_at` and `last_run_id`; those
 *    whose state changes (`transitions`, from the plan) also take their new state, opened_at and reopen
 *    count. A row whose values do not change touches no indexed column, so Postgres can update it in place.
 * 2. every fingerprint not known yet is inserted: `open` (opened now) when failing, `suppressed` otherwise —
 *    the same rule `planLifecycle` applies to new fingerprints.
 * The caller holds the cluster's lock, so nothing races these writes.
 */
export async function writeSeenLifecycles(
  db: Database,
  input: { clusterId: string; runId: string; seenAt: Date; changedAt: Date; seen: readonly SeenTransition[] },
): Promise<void> {
  const seenAt = input.seenAt.toISOString();
  const changedAt = input.changedAt.toISOString();
  const moved = input.seen.filter((t) => !t.isNew && t.changed);
  await db.execute(sql`
    update ${findingLifecycles} as l set
      state = coalesce(t.state, l.state),
      opened_at = case when t.fingerprint is null then l.opened_at else t.opened_at end,
      reopened_count = coalesce(t.reopened_count, l.reopened_count),
      changed_at = case when t.fingerprint is null then l.changed_at else ${changedAt}::timestamptz end,
      resolved_at = null,
      check_id = f.check_id, title = f.title, severity = f.severity, resource_kind = f.resource_kind,
      resource_name = f.resource_name, resource_namespace = f.resource_namespace, subject_kind = f.subject_kind,
      subject_name = f.subject_name, subject_namespace = f.subject_namespace, message = f.message,
      controls = f.controls, suppression = f.suppression, last_seen_at = ${seenAt}::timestamptz,
      last_run_id = f.run_id
    from ${findings} f
      left join unnest(
        ${arrayParam(
          moved.map((t) => t.finding.fingerprint),
          'text',
        )},
        ${arrayParam(
          moved.map((t) => t.state),
          'text',
        )},
        ${arrayParam(
          moved.map((t) => t.openedAt?.toISOString() ?? null),
          'timestamptz',
        )},
        ${arrayParam(
          moved.map((t) => t.reopenedCount),
          'integer',
        )}) as t(fingerprint, state, opened_at, reopened_count) on t.fingerprint = f.fingerprint
    where f.run_id = ${input.runId}::uuid and l.cluster_id = ${input.clusterId}::uuid
      and l.fingerprint = f.fingerprint`);
  await db.execute(sql`
    insert into ${findingLifecycles} (cluster_id, fingerprint, state, check_id, title, severity,
      resource_kind, resource_name, resource_namespace, subject_kind, subject_name, subject_namespace,
      message, controls, suppression, first_seen_at, last_seen_at, first_run_id, last_run_id, opened_at,
      resolved_at, reopened_count, changed_at)
    select ${input.clusterId}::uuid, f.fingerprint, case when f.status = 'fail' then 'open' else 'suppressed' end,
      f.check_id, f.title, f.severity, f.resource_kind, f.resource_name, f.resource_namespace, f.subject_kind,
      f.subject_name, f.subject_namespace, f.message, f.controls, f.suppression, ${seenAt}::timestamptz,
      ${seenAt}::timestamptz, f.run_id, f.run_id,
      case when f.status = 'fail' then ${seenAt}::timestamptz end, null, 0, ${changedAt}::timestamptz
    from ${findings} f
    where f.run_id = ${input.runId}::uuid
      and not exists (
        select 1 from ${findingLifecycles} l
        where l.cluster_id = ${input.clusterId}::uuid and l.fingerprint = f.fingerprint)
    on conflict (cluster_id, fingerprint) do nothing`);
}

export type FindingEventType = 'finding.opened' | 'finding.reopened' | 'finding.resolved';

/**
 * Writes finding events to the outbox, their payloads built in SQL from the lifecycle rows as this run left
 * them (so only fingerprints travel). The dedupe key makes a second write of the same event a no-op.
 */
export async function insertFindingEvents(
  db: Database,
  input: {
    clusterId: string;
    clusterName: string;
    runId: string;
    type: FindingEventType;
    reason?: 'absent' | 'suppressed';
    fingerprints: readonly string[];
  },
  options: WriteOptions = {},
): Promise<number> {
  const iso = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  let inserted = 0;
  for (const part of chunks(input.fingerprints, options.chunkSize ?? DEFAULT_CHUNK)) {
    const result = await db.execute(sql`
      insert into ${outboxEvents} (type, cluster_id, run_id, dedupe_key, payload)
      select ${input.type}, l.cluster_id, ${input.runId}::uuid,
        ${`${input.runId}:${input.type}:`} || l.fingerprint,
        jsonb_strip_nulls(jsonb_build_object(
          'clusterId', l.cluster_id, 'clusterName', ${input.clusterName}::text, 'runId', ${input.runId}::text,
          'fingerprint', l.fingerprint, 'checkId', l.check_id, 'title', l.title, 'severity', l.severity,
          'resource', jsonb_build_object('kind', l.resource_kind, 'name', l.resource_name,
            'namespace', l.resource_namespace),
          'subject', case when l.subject_kind is not null and l.subject_name is not null then
            jsonb_build_object('kind', l.subject_kind, 'name', l.subject_name, 'namespace', l.subject_namespace)
          end,
          'message', l.message, 'controls', to_jsonb(l.controls),
          'firstSeenAt', ${iso(sql`l.first_seen_at`)}, 'lastSeenAt', ${iso(sql`l.last_seen_at`)},
          'reopenedCount', l.reopened_count, 'reason', ${input.reason ?? null}::text,
          'suppression', case when ${input.reason ?? null}::text = 'suppressed' then l.suppression end))
      from ${findingLifecycles} l
      where l.cluster_id = ${input.clusterId}::uuid and l.fingerprint = any(${arrayParam(part, 'text')})
      on conflict (dedupe_key) do nothing`);
    inserted += affectedOf(result);
  }
  return inserted;
}
