import type { Finding, ResourceRef, Severity, SubjectRef } from '@vigil/core';

export const OUTBOX_EVENT_TYPES = [
  'finding.opened',
  'finding.resolved',
  'finding.reopened',
  'scan.failed',
  'compliance.control_regressed',
] as const;
export type OutboxEventType = (typeof OUTBOX_EVENT_TYPES)[number];

/** `finding.opened`, `finding.reopened`, `finding.resolved`: the finding as of the run that changed it. */
export interface FindingEventPayload {
  clusterId: string;
  clusterName: string;
  runId: string;
  fingerprint: string;
  checkId: string;
  title: string;
  severity: Severity;
  resource: ResourceRef;
  subject?: SubjectRef;
  message: string;
  controls: string[];
  firstSeenAt: string;
  lastSeenAt: string;
  reopenedCount: number;
  /** For `finding.resolved`: gone from the cluster, or covered by an exception from now on. */
  reason?: 'absent' | 'suppressed';
  suppression?: Finding['suppression'];
}

export interface ScanFailedPayload {
  clusterId: string;
  clusterName: string;
  runId: string;
  slot: string;
  trigger: string;
  attempts: number;
  reason: string;
}

export interface ControlRegressedPayload {
  clusterId: string;
  clusterName: string;
  runId: string;
  previousRunId: string;
  framework: string;
  frameworkVersion: string;
  controlId: string;
  qualifiedId: string;
  title: string;
  checks: string[];
}

export type OutboxPayload = FindingEventPayload | ScanFailedPayload | ControlRegressedPayload;

export interface NewOutboxEvent {
  type: OutboxEventType;
  clusterId: string;
  runId: string | null;
  /** Unique per event: writing the same key twice stores one row. */
  dedupeKey: string;
  payload: OutboxPayload;
}

export interface OutboxEvent {
  id: string;
  type: OutboxEventType;
  clusterId: string;
  runId: string | null;
  payload: OutboxPayload;
  createdAt: Date;
  availableAt: Date;
  leasedUntil: Date | null;
  attempts: number;
  lastError: string | null;
  dispatchedAt: Date | null;
}
