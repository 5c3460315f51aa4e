import { type AuditReport, SEVERITIES, type Severity, type Snapshot } from '@vigil/core';
import { and, desc, eq, gt, inArray, ne, sql } from 'drizzle-orm';
import type { Cluster } from './clusters/model.ts';
import { clusters } from './clusters/table.ts';
import type { Database } from './database.ts';
import { InvalidInputError, NotFoundError, RunTransitionError } from './errors.ts';
import {
  type KnownLifecycle,
  planLifecycle,
  resolvableChecks,
  type SeenTransition,
} from './findings/lifecycle.ts';
import { findingLifecycles } from './findings/table.ts';
import {
  type InsertStrategy,
  insertFindingEvents,
  insertFindings,
  writeSeenLifecycles,
} from './findings/write.ts';
import type { NewOutboxEvent } from './outbox/model.ts';
import { insertOutboxEvents } from './outbox/repository.ts';
import { regressedControls } from './runs/compliance.ts';
import type { FinalRunStatus, RunTransitions, RunTrigger, ScanRun } from './runs/model.ts';
import { insertRunIfAbsent, isFinal } from './runs/repository.ts';
import { checkSlot } from './runs/slots.ts';
import { scanRuns } from './runs/table.ts';
import { saveSnapshot } from './snapshots/repository.ts';
import { arrayParam, rowsOf, toDate } from './sql.ts';
import { isUuid } from './validate.ts';

export interface RecordScanInput {
  clusterId: string;
  /** Schedule slot (ISO instant, see `scheduleSlot`) or a manual trigger's id: names the run. */
  slot: string;
  trigger: RunTrigger;
  /** The audit's result (`runAudit` from @vigil/core). */
  report: AuditReport;
  startedAt: Date;
  finishedAt: Date;
  /** Named phase durations in milliseconds, stored with the run. */
  durations?: Record<string, number>;
  /** Kept (compressed) for later who-can questions. */
  snapshot?: Snapshot;
}

export interface RecordScanOptions {
  insertStrategy?: InsertStrategy;
  chunkSize?: number;
  /** The recording instant (`changed_at` of lifecycle changes); defaults to the current time. */
  now?: Date;
  /**
   * Test seams: called inside the transaction at the named points. A throw aborts the transaction exactly
   * as a crash there would.
   */
  faults?: {
    afterFindings?: () => void | Promise<void>;
    afterLifecycle?: () => void | Promise<void>;
    beforeFinalise?: () => void | Promise<void>;
  };
}

export interface RecordScanResult {
  runId: string;
  clusterId: string;
  slot: string;
  status: FinalRunStatus;
  /** True when the run had been finalised before this call, which then wrote nothing. */
  alreadyRecorded: boolean;
  findings: { fail: number; suppressed: number };
  transitions: RunTransitions;
  /** The cluster's open findings by severity once the run was recorded. */
  openBySeverity: Record<Severity, number>;
  recordedAt: Date;
}

const NO_TRANSITIONS: RunTransitions = {
  opened: 0,
  reopened: 0,
  resolved: 0,
  suppressed: 0,
  regressed: 0,
  appliedToLifecycle: false,
};

function zeroBySeverity(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
}

function resultOf(run: ScanRun, alreadyRecorded: boolean): RecordScanResult {
  return {
    runId: run.id,
    clusterId: run.clusterId,
    slot: run.slot,
    status: run.status as FinalRunStatus,
    alreadyRecorded,
    findings: { fail: run.findingsFailed ?? 0, suppressed: run.findingsSuppressed ?? 0 },
    transitions: run.transitions ?? NO_TRANSITIONS,
    openBySeverity: run.openBySeverity ?? zeroBySeverity(),
    recordedAt: run.recordedAt!,
  };
}

function checkInput(input: RecordScanInput): void {
  if (!isUuid(input.clusterId)) throw new NotFoundError('cluster', input.clusterId);
  checkSlot(input.slot);
  if (input.trigger !== 'schedule' && input.trigger !== 'manual') {
    throw new InvalidInputError(`trigger must be schedule or manual, got ${input.trigger}`);
  }
  if (input.report.status !== 'complete' && input.report.status !== 'partial') {
    throw new InvalidInputError(`report status must be complete or partial, got ${input.report.status}`);
  }
  if (Number.isNaN(input.startedAt.getTime()) || Number.isNaN(input.finishedAt.getTime())) {
    throw new InvalidInputError('startedAt and finishedAt must be valid instants');
  }
  if (input.finishedAt < input.startedAt) throw new InvalidInputError('finishedAt is before startedAt');
}

/**
 * Records a finished scan in one transaction: the run's findings, the cluster's finding lifecycle, the
 * notification outbox rows, the snapshot, and the run's final status. Nothing of it is visible until all of
 * it is; a crash anywhere leaves the run as it was, and a retry completes it.
 *
 * Idempotent: if the run for (cluster, slot) is already final (recorded, or failed), this writes nothing and
 * returns that run's result with `alreadyRecorded: true`. Concurrent callers serialise on the cluster row
 * lock (the lifecycle is per cluster) and then on the run row: the second sees a final run.
 *
 * A run older than a run already recorded for the cluster (a late redelivery) keeps its findings but does
 * not rewind the lifecycle or notify (`transitions.appliedToLifecycle: false`).
 */
export async function recordScan(
  db: Database,
  input: RecordScanInput,
  options: RecordScanOptions = {},
): Promise<RecordScanResult> {
  checkInput(input);
  // runAudit reports a fingerprint once; a report assembled elsewhere might not, and one fingerprint must
  // stay one finding, one lifecycle change and one event.
  const seen = new Set<string>();
  const unique = input.report.findings.filter((f) => !seen.has(f.fingerprint) && seen.add(f.fingerprint));
  const report =
    unique.length === input.report.findings.length ? input.report : { ...input.report, findings: unique };
  const write = {
    ...(options.insertStrategy ? { strategy: options.insertStrategy } : {}),
    ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
  };
  return db.transaction(async (tx) => {
    const [cluster] = await tx
      .select()
      .from(clusters)
      .where(eq(clusters.id, input.clusterId))
      .for('no key update');
    if (!cluster) throw new NotFoundError('cluster', input.clusterId);
    await insertRunIfAbsent(tx, input);
    const [run] = await tx
      .select()
      .from(scanRuns)
      .where(and(eq(scanRuns.clusterId, input.clusterId), eq(scanRuns.slot, input.slot)))
      .for('update');
    if (!run) throw new NotFoundError('run', `${input.clusterId}/${input.slot}`);
    if (isFinal(run.status)) return resultOf(run, true);

    await insertFindings(tx, run.id, report.findings, write);
    await options.faults?.afterFindings?.();

    const now = options.now ?? new Date();
    const [newer] = await tx
      .select({ id: scanRuns.id })
      .from(scanRuns)
      .where(
        and(
          eq(scanRuns.clusterId, cluster.id),
          ne(scanRuns.id, run.id),
          inArray(scanRuns.status, ['complete', 'partial']),
          gt(scanRuns.startedAt, input.startedAt),
        ),
      )
      .limit(1);
    let transitions: RunTransitions = NO_TRANSITIONS;
    const events: NewOutboxEvent[] = [];
    if (!newer) {
      const applied = await applyLifecycle(tx, {
        cluster,
        run,
        input: { ...input, report },
        now,
        write,
      });
      const regressions = await complianceRegressions(tx, { cluster, run, report, events });
      transitions = { ...applied, regressed: regressions, appliedToLifecycle: true };
    }
    await options.faults?.afterLifecycle?.();
    await insertOutboxEvents(tx, events);
    if (input.snapshot) {
      await saveSnapshot(tx, {
        runId: run.id,
        clusterId: cluster.id,
        snapshot: input.snapshot,
        supersede: report.status === 'complete' && !newer,
      });
    }
    const openBySeverity = await countOpen(tx, cluster.id);
    await options.faults?.beforeFinalise?.();
    const [final] = await tx
      .update(scanRuns)
      .set({
        status: report.status,
        startedAt: input.startedAt,
        finishedAt: input.finishedAt,
        recordedAt: sql`now()`,
        durations: input.durations ?? null,
        coverage: report.coverage,
        summary: report.summary,
        checks: report.checks,
        compliance: report.compliance,
        warnings: report.warnings,
        findingsFailed: report.summary.findings.fail,
        findingsSuppressed: report.summary.findings.suppressed,
        openBySeverity,
        transitions,
        error: null,
      })
      .where(and(eq(scanRuns.id, run.id), inArray(scanRuns.status, ['queued', 'running'])))
      .returning();
    if (!final) throw new RunTransitionError(`run ${run.id} is no longer queued or running`);
    return resultOf(final, false);
  });
}

async function applyLifecycle(
  tx: Database,
  ctx: {
    cluster: Cluster;
    run: ScanRun;
    input: RecordScanInput;
    now: Date;
    write: { strategy?: InsertStrategy; chunkSize?: number };
  },
): Promise<Omit<RunTransitions, 'regressed' | 'appliedToLifecycle'>> {
  const { cluster, run, input } = ctx;
  const report = input.report;
  const fingerprints = report.findings.map((f) => f.fingerprint);
  const knownRows = rowsOf<{
    fingerprint: string;
    state: KnownLifecycle['state'];
    check_id: string;
    first_seen_at: string;
    opened_at: string | null;
    reopened_count: number;
  }>(
    await tx.execute(sql`
      select fingerprint, state, check_id, first_seen_at, opened_at, reopened_count
      from ${findingLifecycles}
      where cluster_id = ${cluster.id}::uuid
        and (state <> 'resolved' or fingerprint = any(${arrayParam(fingerprints, 'text')}))`),
  );
  const known = new Map<string, KnownLifecycle>();
  for (const row of knownRows) {
    known.set(row.fingerprint, {
      fingerprint: row.fingerprint,
      state: row.state,
      checkId: row.check_id,
      firstSeenAt: toDate(row.first_seen_at),
      openedAt: toDate(row.opened_at),
      reopenedCount: Number(row.reopened_count),
    });
  }
  const plan = planLifecycle({
    findings: report.findings,
    known,
    resolvable: resolvableChecks(report.status as 'complete' | 'partial', report.checks),
    seenAt: input.finishedAt,
  });
  await writeSeenLifecycles(tx, {
    clusterId: cluster.id,
    runId: run.id,
    seenAt: input.finishedAt,
    changedAt: ctx.now,
    seen: plan.seen,
  });

  if (plan.resolve.length > 0) {
    await tx.execute(sql`
      update ${findingLifecycles}
      set state = 'resolved', resolved_at = ${input.finishedAt.toISOString()}::timestamptz,
        changed_at = ${ctx.now.toISOString()}::timestamptz
      where cluster_id = ${cluster.id}::uuid
        and fingerprint = any(${arrayParam(
          plan.resolve.map((r) => r.fingerprint),
          'text',
        )})
        and state <> 'resolved'`);
  }

  // Events last: their payloads are read from the lifecycle rows as this run left them.
  const fingerprintsOf = (event: SeenTransition['event']) =>
    plan.seen.filter((t) => t.event === event).map((t) => t.finding.fingerprint);
  const events = { clusterId: cluster.id, clusterName: cluster.name, runId: run.id };
  await insertFindingEvents(tx, {
    ...events,
    type: 'finding.opened',
    fingerprints: fingerprintsOf('finding.opened'),
  });
  await insertFindingEvents(tx, {
    ...events,
    type: 'finding.reopened',
    fingerprints: fingerprintsOf('finding.reopened'),
  });
  await insertFindingEvents(tx, {
    ...events,
    type: 'finding.resolved',
    reason: 'suppressed',
    fingerprints: fingerprintsOf('finding.resolved'),
  });
  await insertFindingEvents(tx, {
    ...events,
    type: 'finding.resolved',
    reason: 'absent',
    fingerprints: plan.resolve.filter((r) => r.wasOpen).map((r) => r.fingerprint),
  });
  return plan.counts;
}

async function complianceRegressions(
  tx: Database,
  ctx: { cluster: Cluster; run: ScanRun; report: AuditReport; events: NewOutboxEvent[] },
): Promise<number> {
  const [previous] = await tx
    .select({ id: scanRuns.id, compliance: scanRuns.compliance })
    .from(scanRuns)
    .where(
      and(
        eq(scanRuns.clusterId, ctx.cluster.id),
        ne(scanRuns.id, ctx.run.id),
        inArray(scanRuns.status, ['complete', 'partial']),
      ),
    )
    .orderBy(desc(scanRuns.recordedAt))
    .limit(1);
  if (!previous) return 0;
  const regressions = regressedControls(previous.compliance, ctx.report.compliance);
  for (const { framework, control } of regressions) {
    ctx.events.push({
      type: 'compliance.control_regressed',
      clusterId: ctx.cluster.id,
      runId: ctx.run.id,
      dedupeKey: `${ctx.run.id}:compliance.control_regressed:${control.qualifiedId}`,
      payload: {
        clusterId: ctx.cluster.id,
        clusterName: ctx.cluster.name,
        runId: ctx.run.id,
        previousRunId: previous.id,
        framework: framework.framework,
        frameworkVersion: framework.version,
        controlId: control.id,
        qualifiedId: control.qualifiedId,
        title: control.title,
        checks: control.checks,
      },
    });
  }
  return regressions.length;
}

async function countOpen(tx: Database, clusterId: string): Promise<Record<Severity, number>> {
  const rows = rowsOf<{ severity: Severity; n: number }>(
    await tx.execute(sql`
      select severity, count(*)::int as n from ${findingLifecycles}
      where cluster_id = ${clusterId}::uuid and state = 'open'
      group by severity`),
  );
  const counts = zeroBySeverity();
  for (const row of rows) counts[row.severity] = Number(row.n);
  return counts;
}
