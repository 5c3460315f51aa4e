import type { AuditReport, AuditSummary, CheckResult, FrameworkResult, Severity } from '@vigil/core';
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { clusters } from '../clusters/table.ts';
import { timestamptz } from '../columns.ts';
import type { RunStatus, RunTransitions, RunTrigger } from './model.ts';

export const scanRuns = pgTable(
  'scan_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    clusterId: uuid('cluster_id')
      .notNull()
      .references(() => clusters.id),
    /** The schedule slot (ISO instant) or the manual trigger's id: one run per (cluster, slot). */
    slot: text('slot').notNull(),
    trigger: text('trigger').$type<RunTrigger>().notNull(),
    status: text('status').$type<RunStatus>().notNull().default('queued'),
    /** How many times a scanner claimed the run; above 1 means a redelivery after a crash or timeout. */
    attempts: integer('attempts').notNull().default(0),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    startedAt: timestamptz('started_at'),
    finishedAt: timestamptz('finished_at'),
    /** When the run was finalised in the store (recordScan / failRun), as opposed to when the scan ended. */
    recordedAt: timestamptz('recorded_at'),
    /** Named phase durations in milliseconds (collect, audit, record, ...). */
    durations: jsonb('durations').$type<Record<string, number>>(),
    coverage: jsonb('coverage').$type<AuditReport['coverage']>(),
    summary: jsonb('summary').$type<AuditSummary>(),
    checks: jsonb('checks').$type<CheckResult[]>(),
    compliance: jsonb('compliance').$type<FrameworkResult[]>(),
    warnings: jsonb('warnings').$type<string[]>(),
    findingsFailed: integer('findings_failed'),
    findingsSuppressed: integer('findings_suppressed'),
    /** The cluster's open findings by severity once this run was recorded (the lifecycle, not this run). */
    openBySeverity: jsonb('open_by_severity').$type<Record<Severity, number>>(),
    transitions: jsonb('transitions').$type<RunTransitions>(),
    error: text('error'),
  },
  (t) => [
    unique('scan_runs_cluster_slot_key').on(t.clusterId, t.slot),
    index('scan_runs_cluster_created_idx').on(t.clusterId, t.createdAt, t.id),
    index('scan_runs_created_idx').on(t.createdAt, t.id),
    index('scan_runs_status_created_idx').on(t.status, t.createdAt, t.id),
    // Latest recorded result per cluster (fleet summary, compliance baseline) and last success (staleness).
    index('scan_runs_cluster_recorded_idx')
      .on(t.clusterId, t.recordedAt)
      .where(sql`${t.status} in ('complete', 'partial')`),
    index('scan_runs_cluster_finished_idx')
      .on(t.clusterId, t.finishedAt)
      .where(sql`${t.status} in ('complete', 'partial')`),
    check(
      'scan_runs_status_check',
      sql`${t.status} in ('queued', 'running', 'complete', 'partial', 'failed')`,
    ),
    check('scan_runs_trigger_check', sql`${t.trigger} in ('schedule', 'manual')`),
  ],
);
