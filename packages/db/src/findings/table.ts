import type { Finding, FindingStatus, Severity } from '@vigil/core';
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { clusters } from '../clusters/table.ts';
import { timestamptz } from '../columns.ts';
import { scanRuns } from '../runs/table.ts';
import type { LifecycleState } from './model.ts';

/** What one run found: written once per (run, fingerprint) and never changed afterwards. */
export const findings = pgTable(
  'findings',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => scanRuns.id, { onDelete: 'cascade' }),
    fingerprint: text('fingerprint').notNull(),
    checkId: text('check_id').notNull(),
    title: text('title').notNull(),
    severity: text('severity').$type<Severity>().notNull(),
    status: text('status').$type<FindingStatus>().notNull(),
    resourceKind: text('resource_kind').notNull(),
    resourceName: text('resource_name').notNull(),
    resourceNamespace: text('resource_namespace'),
    subjectKind: text('subject_kind'),
    subjectName: text('subject_name'),
    subjectNamespace: text('subject_namespace'),
    message: text('message').notNull(),
    evidence: jsonb('evidence').$type<Record<string, unknown>>().notNull(),
    controls: text('controls').array().notNull(),
    suppression: jsonb('suppression').$type<Finding['suppression']>(),
  },
  (t) => [
    primaryKey({ name: 'findings_pkey', columns: [t.runId, t.fingerprint] }),
    check('findings_status_check', sql`${t.status} in ('fail', 'suppressed')`),
  ],
);

/**
 * A finding followed across runs, per (cluster, fingerprint): derived when a run is recorded. Denormalised
 * (check, severity, resource, subject, controls) so that listing open findings never touches `findings`.
 * Stored with `fillfactor = 50` (custom migration 0006, drizzle-kit cannot express it) so that the daily
 * update of an unchanged finding (`last_seen_at`, `last_run_id`) is a HOT update.
 */
export const findingLifecycles = pgTable(
  'finding_lifecycles',
  {
    /** Keyset for listings; assigned when a fingerprint is first seen in the cluster. */
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    clusterId: uuid('cluster_id')
      .notNull()
      .references(() => clusters.id),
    fingerprint: text('fingerprint').notNull(),
    state: text('state').$type<LifecycleState>().notNull(),
    checkId: text('check_id').notNull(),
    title: text('title').notNull(),
    severity: text('severity').$type<Severity>().notNull(),
    resourceKind: text('resource_kind').notNull(),
    resourceName: text('resource_name').notNull(),
    resourceNamespace: text('resource_namespace'),
    subjectKind: text('subject_kind'),
    subjectName: text('subject_name'),
    subjectNamespace: text('subject_namespace'),
    message: text('message').notNull(),
    controls: text('controls').array().notNull(),
    suppression: jsonb('suppression').$type<Finding['suppression']>(),
    firstSeenAt: timestamptz('first_seen_at').notNull(),
    lastSeenAt: timestamptz('last_seen_at').notNull(),
    firstRunId: uuid('first_run_id').notNull(),
    /** The last run that reported it: its `findings` row holds the latest evidence. */
    lastRunId: uuid('last_run_id').notNull(),
    /** When it first became open (null while it has only ever been suppressed). */
    openedAt: timestamptz('opened_at'),
    resolvedAt: timestamptz('resolved_at'),
    reopenedCount: integer('reopened_count').notNull().default(0),
    /** When `state` last changed; "lifecycle changes since T" reads this. */
    changedAt: timestamptz('changed_at').notNull(),
  },
  (t) => [
    uniqueIndex('finding_lifecycles_cluster_fingerprint_key').on(t.clusterId, t.fingerprint),
    index('finding_lifecycles_cluster_state_idx').on(t.clusterId, t.state, t.id),
    index('finding_lifecycles_state_severity_idx').on(t.state, t.severity, t.id),
    index('finding_lifecycles_state_check_idx').on(t.state, t.checkId, t.id),
    index('finding_lifecycles_subject_idx').on(t.subjectName, t.subjectKind),
    index('finding_lifecycles_changed_idx').on(t.changedAt, t.id),
    index('finding_lifecycles_controls_idx').using('gin', t.controls),
    check('finding_lifecycles_state_check', sql`${t.state} in ('open', 'resolved', 'suppressed')`),
  ],
);
