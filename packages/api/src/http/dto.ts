import type {
  ApiKeyRecord,
  Cluster,
  ExceptionRecord,
  FindingDetail,
  FindingLifecycle,
  FindingLifecycleIso,
  ScanRun,
  ScanRunSummary,
  StoredFinding,
} from '@vigil/db';

/** Store records as the API answers them: instants as ISO strings, internal fields left out. */

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

export function toClusterDto(cluster: Cluster) {
  return {
    id: cluster.id,
    name: cluster.name,
    source: cluster.source,
    labels: cluster.labels,
    scheduleIntervalSeconds: cluster.scheduleIntervalSeconds,
    enabled: cluster.enabled,
    createdAt: iso(cluster.createdAt),
    updatedAt: iso(cluster.updatedAt),
  };
}

export function toScanSummaryDto(run: ScanRunSummary) {
  return {
    id: run.id,
    clusterId: run.clusterId,
    slot: run.slot,
    trigger: run.trigger,
    status: run.status,
    attempts: run.attempts,
    createdAt: iso(run.createdAt),
    startedAt: isoOrNull(run.startedAt),
    finishedAt: isoOrNull(run.finishedAt),
    recordedAt: isoOrNull(run.recordedAt),
    durations: run.durations,
    summary: run.summary,
    findingsFailed: run.findingsFailed,
    findingsSuppressed: run.findingsSuppressed,
    openBySeverity: run.openBySeverity,
    transitions: run.transitions,
    error: run.error,
  };
}

export function toScanDto(run: ScanRun) {
  return {
    ...toScanSummaryDto(run),
    coverage: run.coverage,
    checks: run.checks,
    compliance: run.compliance,
    warnings: run.warnings,
  };
}

/** A finding as the list answers it; the database already gives its instants as ISO strings. */
export function toFindingListDto(f: FindingLifecycleIso) {
  return {
    id: f.id,
    clusterId: f.clusterId,
    fingerprint: f.fingerprint,
    state: f.state,
    checkId: f.checkId,
    title: f.title,
    severity: f.severity,
    resource: f.resource,
    ...(f.subject ? { subject: f.subject } : {}),
    message: f.message,
    controls: f.controls,
    ...(f.suppression ? { suppression: f.suppression } : {}),
    firstSeenAt: f.firstSeenAt,
    lastSeenAt: f.lastSeenAt,
    firstRunId: f.firstRunId,
    lastRunId: f.lastRunId,
    openedAt: f.openedAt,
    resolvedAt: f.resolvedAt,
    reopenedCount: f.reopenedCount,
    changedAt: f.changedAt,
  };
}

export function toFindingDto(f: FindingLifecycle) {
  return toFindingListDto({
    ...f,
    firstSeenAt: iso(f.firstSeenAt),
    lastSeenAt: iso(f.lastSeenAt),
    openedAt: isoOrNull(f.openedAt),
    resolvedAt: isoOrNull(f.resolvedAt),
    changedAt: iso(f.changedAt),
  });
}

export function toFindingDetailDto(f: FindingDetail) {
  return { ...toFindingDto(f), evidence: f.evidence };
}

export function toRunFindingDto(f: StoredFinding) {
  return {
    fingerprint: f.fingerprint,
    checkId: f.checkId,
    title: f.title,
    severity: f.severity,
    status: f.status,
    resource: f.resource,
    ...(f.subject ? { subject: f.subject } : {}),
    message: f.message,
    evidence: f.evidence,
    controls: f.controls,
    ...(f.suppression ? { suppression: f.suppression } : {}),
  };
}

export function toExceptionDto(e: ExceptionRecord) {
  return {
    id: e.id,
    clusterSelector: e.clusterSelector,
    checks: e.checks,
    subject: e.subject ?? null,
    resource: e.resource ?? null,
    reason: e.reason,
    owner: e.owner,
    expiresAt: isoOrNull(e.expiresAt),
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
    revokedAt: isoOrNull(e.revokedAt),
  };
}

export function toApiKeyDto(k: ApiKeyRecord) {
  return {
    id: k.id,
    keyId: k.keyId,
    name: k.name,
    scopes: k.scopes,
    clusterSelector: k.clusterSelector,
    createdBy: k.createdBy,
    createdAt: iso(k.createdAt),
    expiresAt: isoOrNull(k.expiresAt),
    lastUsedAt: isoOrNull(k.lastUsedAt),
    revokedAt: isoOrNull(k.revokedAt),
  };
}
