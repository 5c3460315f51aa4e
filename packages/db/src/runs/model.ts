import type { AuditReport, AuditSummary, CheckResult, FrameworkResult, Severity } from '@vigil/core';

export const RUN_STATUSES = ['queued', 'running', 'complete', 'partial', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINAL_RUN_STATUSES = ['complete', 'partial', 'failed'] as const satisfies readonly RunStatus[];
export type FinalRunStatus = (typeof FINAL_RUN_STATUSES)[number];
export type RunTrigger = 'schedule' | 'manual';

/** What recording a run changed in the cluster's finding lifecycle (and what it notified). */
export interface RunTransitions {
  opened: number;
  reopened: number;
  resolved: number;
  suppressed: number;
  /** Compliance controls that went from pass to fail against the previous finalised run. */
  regressed: number;
  /** False when a newer run had already been recorded: the findings are kept, the lifecycle is not rewound. */
  appliedToLifecycle: boolean;
}

/** A run as listings return it: everything but the per-check, per-control and coverage detail. */
export interface ScanRunSummary {
  id: string;
  clusterId: string;
  slot: string;
  trigger: RunTrigger;
  status: RunStatus;
  attempts: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  recordedAt: Date | null;
  durations: Record<string, number> | null;
  summary: AuditSummary | null;
  findingsFailed: number | null;
  findingsSuppressed: number | null;
  openBySeverity: Record<Severity, number> | null;
  transitions: RunTransitions | null;
  error: string | null;
}

export interface ScanRun extends ScanRunSummary {
  coverage: AuditReport['coverage'] | null;
  checks: CheckResult[] | null;
  compliance: FrameworkResult[] | null;
  warnings: string[] | null;
}
