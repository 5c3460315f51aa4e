import type { Finding, FindingStatus, ResourceRef, Severity, SubjectRef } from '@vigil/core';

export const LIFECYCLE_STATES = ['open', 'resolved', 'suppressed'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/** A finding as one run recorded it. */
export interface StoredFinding {
  runId: string;
  fingerprint: string;
  checkId: string;
  title: string;
  severity: Severity;
  status: FindingStatus;
  resource: ResourceRef;
  subject?: SubjectRef;
  message: string;
  evidence: Record<string, unknown>;
  controls: string[];
  suppression?: Finding['suppression'];
}

/** A finding followed across a cluster's runs. */
export interface FindingLifecycle {
  id: number;
  clusterId: string;
  fingerprint: string;
  state: LifecycleState;
  checkId: string;
  title: string;
  severity: Severity;
  resource: ResourceRef;
  subject?: SubjectRef;
  message: string;
  controls: string[];
  suppression?: Finding['suppression'];
  firstSeenAt: Date;
  lastSeenAt: Date;
  firstRunId: string;
  lastRunId: string;
  openedAt: Date | null;
  resolvedAt: Date | null;
  reopenedCount: number;
  changedAt: Date;
}
