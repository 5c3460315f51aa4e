import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Finding } from '@vigil/core';
import { type SQL, sql } from 'drizzle-orm';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { Database } from '../database.ts';
import { outboxEvents } from '../outbox/table.ts';
import { affectedOf, arrayParam, chunks, rowsOf } from '../sql.ts';
import type { SeenTransition } from './lifecycle.ts';
import { findingLifecycles, findings } from './table.ts';

/**
 * How a batch of rows reaches the server:
 * - `copy` (the default): `COPY findings FROM STDIN` in text format, streamed while it is built, on
 *   node-postgres inside a transaction; elsewhere (PGlite) and when the run has findings already (COPY has no
 *   `ON CONFLICT`), the `json` path;
 * - `json`: one jsonb parameter per chunk, expanded server-side by `jsonb_to_recordset` (a single bind
 *   parameter whatever the chunk size);
 * - `values`: a multi-row `INSERT ... VALUES` per chunk, sized under the 65,535 bind-parameter limit.
 */
export type InsertStrategy = 'copy' | 'json' | 'values';

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

/**
 * The node-postgres connection a transaction runs on, for COPY; undefined on PGlite and outside a
 * transaction (a pool-level handle has no single connection).
 */
export function connectionOf(db: Database): pg.ClientBase | undefined {
  const client = (db as unknown as { session?: { client?: unknown } }).session?.client;
  return client instanceof pg.Client ? client : undefined;
}

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIAL_ALL = /[\\\n\r\t]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value in COPY's text format: backslash, newline, carriage return and tab escaped; null is `\N`. */
function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIAL_ALL, (c) => COPY_ESCAPES[c]!) : value;
}

/** A `text[]` literal: every element quoted, `"` and `\` escaped inside. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

const COPY_COLUMNS =
  'run_id, fingerprint, check_id, title, severity, status, resource_kind, resource_name, resource_namespace, ' +
  'subject_kind, subject_name, subject_namespace, message, evidence, controls, suppression';

function copyLine(runId: string, f: Finding): string {
  return `${[
    runId,
    copyField(f.fingerprint),
    copyField(f.checkId),
    copyField(f.title),
    copyField(f.severity),
    copyField(f.status),
    copyField(f.resource.kind),
    copyField(f.resource.name),
    copyField(f.resource.namespace ?? null),
    copyField(f.subject?.kind ?? null),
    copyField(f.subject?.name ?? null),
    copyField(f.subject?.namespace ?? null),
    copyField(f.message),
    copyField(JSON.stringify(f.evidence)),
    copyField(arrayLiteral(f.controls)),
    copyField(f.suppression ? JSON.stringify(f.suppression) : null),
  ].join('\t')}\n`;
}

/**
 * Streams a run's findings with `COPY ... FROM STDIN` (text format): rows are built in blocks while the
 * server parses the previous ones, and no jsonb document is parsed besides each row's evidence.
 */
async function copyFindings(
  client: pg.ClientBase,
  runId: string,
  items: readonly Finding[],
): Promise<number> {
  const BLOCK = 1_000;
  function* blocks() {
    for (let i = 0; i < items.length; i += BLOCK) {
      let text = '';
      for (let j = i; j < Math.min(i + BLOCK, items.length); j++) text += copyLine(runId, items[j]!);
      yield text;
    }
  }
  const stream = client.query(copyStreams.from(`copy findings (${COPY_COLUMNS}) from stdin`));
  await pipeline(Readable.from(blocks()), stream);
  return stream.rowCount;
}

/** Inserts a run's findings; a (run, fingerprint) that exists already is left as it is. Returns rows added. */
export async function insertFindings(
  db: Database,
  runId: string,
  items: readonly Finding[],
  options: WriteOptions = {},
): Promise<number> {
  let inserted = 0;
  const strategy = options.strategy ?? 'copy';
  const connection = strategy === 'copy' ? connectionOf(db) : undefined;
  if (connection && items.length > 0) {
    // COPY cannot skip rows that exist: it is only used when the run has none yet (always, from recordScan,
    // which writes a run's findings once, in the transaction that finalises it).
    const existing = rowsOf(
      await db.execute(sql`select 1 from ${findings} where run_id = ${runId}::uuid limit 1`),
    );
    if (existing.length === 0) return copyFindings(connection, runId, items);
  }
  if (strategy === 'values') {
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
 *    count. A row whose values do not change touches no indexed column, so its update is HOT (the table keeps
 *    half of each page free, migration 0006): the new version stays on its page and no index gets an entry.
 * 2. every fingerprint not known yet is inserted: `open` (opened now) when failing, `suppressed` otherwise —
 *    the same rule `planLifecycle` applies to new fingerprints.
 * The caller holds the cluster's lock, so nothing races these writes; the insert has no `ON CONFLICT`
 * (whose index probe and speculative insertion cost about a tenth of a first run's server time): a row
 * that exists is excluded by `not exists`, and a conflict could only mean a broken lock, which fails.
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
        where l.cluster_id = ${input.clusterId}::uuid and l.fingerprint = f.fingerprint)`);
}

export type FindingEventType = 'finding.opened' | 'finding.reopened' | 'finding.resolved';

/**
 * Writes finding events to the outbox, their payloads built in SQL from the lifecycle rows as this run left
 * them (so only fingerprints travel). Called by `recordScan` only, once per run and event type while it
 * holds the run's lock (the run is final afterwards), with fingerprints unique within a run: each event is
 * new. The unique dedupe key still guarantees one row per event; a second write of one would fail the
 * transaction rather than be skipped (no `ON CONFLICT`: its probe and speculative insertion cost a few
 * percent of a first run).
 *
 * One statement per event type by default: the lifecycle rows of a cluster are read once and matched
 * against the fingerprints (a hashed `= any`); chunking it would read them once per chunk, since the
 * rows written earlier in the same transaction have no statistics yet. The payload is `to_jsonb` of a row
 * whose columns are named like the payload's keys, nulls stripped: the same document as
 * `jsonb_build_object` of those keys, at about three quarters of the server CPU.
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
  const reason = input.reason ?? null;
  let inserted = 0;
  for (const part of chunks(input.fingerprints, options.chunkSize ?? input.fingerprints.length)) {
    const result = await db.execute(sql`
      insert into ${outboxEvents} (type, cluster_id, run_id, dedupe_key, payload)
      select ${input.type}, e."clusterId", ${input.runId}::uuid, ${`${input.runId}:${input.type}:`} || e.fingerprint,
        jsonb_strip_nulls(to_jsonb(e))
      from (
        select l.cluster_id as "clusterId", ${input.clusterName}::text as "clusterName",
          ${input.runId}::text as "runId", l.fingerprint, l.check_id as "checkId", l.title, l.severity,
          (select to_jsonb(r) from (select l.resource_kind as kind, l.resource_name as name,
            l.resource_namespace as namespace) r) as resource,
          case when l.subject_kind is not null and l.subject_name is not null then
            (select to_jsonb(s) from (select l.subject_kind as kind, l.subject_name as name,
              l.subject_namespace as namespace) s)
          end as subject,
          l.message, l.controls, ${iso(sql`l.first_seen_at`)} as "firstSeenAt",
          ${iso(sql`l.last_seen_at`)} as "lastSeenAt", l.reopened_count as "reopenedCount",
          ${reason}::text as reason,
          case when ${reason}::text = 'suppressed' then l.suppression end as suppression
        from ${findingLifecycles} l
        where l.cluster_id = ${input.clusterId}::uuid and l.fingerprint = any(${arrayParam(part, 'text')})
      ) e`);
    inserted += affectedOf(result);
  }
  return inserted;
}
