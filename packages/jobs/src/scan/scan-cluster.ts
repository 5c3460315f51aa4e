import type { CollectOptions } from '@vigil/collect';
import { CHECKS, runAudit } from '@vigil/core';
import {
  type Cluster,
  claimRun,
  type Database,
  exceptionsForCluster,
  getCluster,
  type RecordScanOptions,
  recordScan,
} from '@vigil/db';
import { InsufficientTimeError, PermanentScanError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ScanMessage } from '../messages/scan-message.ts';
import { readCluster, type SourcePolicy } from './read-cluster.ts';

export interface ScanDeps {
  db: Database;
  logger: Logger;
  sources: SourcePolicy;
  /** The wall clock (tests pin it). */
  now?: () => Date;
  /** Options passed on to @vigil/collect (AWS client factories, page size, request timeout...). */
  collect?: Omit<CollectOptions, 'deadline' | 'scanId' | 'logger'>;
  /**
   * Time kept back from the invocation's deadline for the audit and the recording transaction; collection
   * must end this long before the function would be stopped. Default 20 s.
   */
  reserveMs?: number;
  /** A scan is not started with less collection time than this (the message comes back). Default 5 s. */
  minCollectMs?: number;
  /** Keep each run's snapshot (compressed) for later who-can questions. Default true. */
  saveSnapshots?: boolean;
  /** AWS accounts whose principals are not foreign, beside each cluster's own. */
  trustedAccountIds?: string[];
  /** Passed to recordScan (tests inject crashes inside the transaction through it). */
  recordOptions?: RecordScanOptions;
  /**
   * Called after a run was finalised with outbox rows to deliver (a recorded scan, a failed run), so the
   * notifier fans them out now instead of at its next sweep. A failure is logged, never the scan's: the
   * rows are committed and the sweep picks them up anyway.
   */
  nudgeNotifications?: () => Promise<void>;
}

/** Tells the notifier there is new outbox work; only logs when that fails. */
export async function nudgeNotifier(deps: Pick<ScanDeps, 'nudgeNotifications' | 'logger'>, runId: string) {
  if (!deps.nudgeNotifications) return;
  try {
    await deps.nudgeNotifications();
  } catch (error) {
    deps.logger.warn({ msg: 'could not nudge the notifier; the sweep will deliver', runId, error });
  }
}

export type ScanOutcome =
  | {
      kind: 'recorded';
      runId: string;
      status: 'complete' | 'partial';
      /** The run had been recorded by another delivery of the same message first. */
      alreadyRecorded: boolean;
      findings: { fail: number; suppressed: number };
      durations: Record<string, number>;
    }
  | { kind: 'already-final'; runId: string; status: string };

export const DEFAULT_RESERVE_MS = 20_000;
export const DEFAULT_MIN_COLLECT_MS = 5_000;

/**
 * Runs one scan: claims the run for (cluster, slot), reads the cluster within the deadline, audits it with
 * the exceptions that apply to it, and records run, findings, lifecycle and outbox rows in one transaction.
 *
 * Idempotent on (cluster, slot): a run that is already final is left alone (`already-final`), and two
 * deliveries racing through it end in one recorded run (the second `alreadyRecorded`). Work not finished
 * by the deadline is never reported as complete: kinds the collector could not finish make the run partial.
 * Throws when the scan could not be done; `classifyScanError` tells whether to retry.
 */
export async function scanCluster(
  deps: ScanDeps,
  message: ScanMessage,
  options: { deadlineAt: number; attempt?: number },
): Promise<ScanOutcome> {
  const now = deps.now ?? (() => new Date());
  const cluster = await loadScannableCluster(deps.db, message.clusterId);
  const reserve = deps.reserveMs ?? DEFAULT_RESERVE_MS;
  const collectDeadline = options.deadlineAt - reserve;
  const available = collectDeadline - Date.now();
  if (available < (deps.minCollectMs ?? DEFAULT_MIN_COLLECT_MS)) {
    throw new InsufficientTimeError(
      `only ${Math.max(0, available)} ms of the invocation left for collection; the message will come back`,
    );
  }
  const startedAt = now();
  const key = { clusterId: cluster.id, slot: message.slot, trigger: message.trigger };
  const claim = await claimRun(deps.db, { ...key, at: startedAt });
  if (!claim.claimed) return { kind: 'already-final', runId: claim.run.id, status: claim.run.status };
  const runId = claim.run.id;
  const log = { runId, clusterId: cluster.id, cluster: cluster.name, slot: message.slot };
  deps.logger.info({ msg: 'scan started', ...log, attempt: claim.run.attempts, source: cluster.source.type });

  const t0 = performance.now();
  const snapshot = await readCluster(cluster, {
    policy: deps.sources,
    deadline: collectDeadline,
    scanId: runId,
    logger: deps.logger,
    now: startedAt,
    ...(deps.collect ? { collect: deps.collect } : {}),
  });
  const t1 = performance.now();
  const auditNow = now();
  const exceptions = await exceptionsForCluster(deps.db, cluster.id, auditNow);
  const report = runAudit({
    snapshot,
    checks: CHECKS,
    options: { now: auditNow.toISOString(), trustedAccountIds: deps.trustedAccountIds ?? [] },
    exceptions,
  });
  const t2 = performance.now();
  const durations = { collectMs: Math.round(t1 - t0), auditMs: Math.round(t2 - t1) };
  const recorded = await recordScan(
    deps.db,
    {
      ...key,
      report,
      startedAt,
      finishedAt: now(),
      durations,
      ...((deps.saveSnapshots ?? true) ? { snapshot } : {}),
    },
    deps.recordOptions,
  );
  const allDurations = { ...durations, recordMs: Math.round(performance.now() - t2) };
  deps.logger.info({
    msg: recorded.alreadyRecorded ? 'scan already recorded by another delivery' : 'scan recorded',
    ...log,
    status: recorded.status,
    findings: recorded.findings,
    durations: allDurations,
  });
  if (!recorded.alreadyRecorded) await nudgeNotifier(deps, runId);
  if (recorded.status === 'failed') {
    // Another delivery failed the run while this one scanned; its verdict stands.
    return { kind: 'already-final', runId, status: recorded.status };
  }
  return {
    kind: 'recorded',
    runId,
    status: recorded.status,
    alreadyRecorded: recorded.alreadyRecorded,
    findings: recorded.findings,
    durations: allDurations,
  };
}

/** The live, enabled cluster; a deleted or disabled one fails the run for good. */
async function loadScannableCluster(db: Database, clusterId: string): Promise<Cluster> {
  const cluster = await getCluster(db, clusterId, { includeDeleted: true });
  if (!cluster) throw new PermanentScanError('CLUSTER_NOT_FOUND', `cluster ${clusterId} does not exist`);
  if (cluster.deletedAt) {
    throw new PermanentScanError('CLUSTER_DELETED', `cluster ${cluster.name} was deleted`);
  }
  if (!cluster.enabled) {
    throw new PermanentScanError('CLUSTER_DISABLED', `cluster ${cluster.name} is disabled`);
  }
  return cluster;
}
