import type { RbacIndex, SubjectRef } from '../rbac/index-builder.ts';
import type { Snapshot, Source } from '../snapshot/model.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

/** The object a finding is about. */
export interface ResourceRef {
  kind: string;
  name: string;
  namespace?: string;
}

/** Human text and facts about a check; logic lives apart, in `check.ts`. */
export interface CheckMeta {
  id: string;
  title: string;
  severity: Severity;
  category: 'rbac' | 'identity' | 'control-plane';
  rationale: string;
  remediation: { text: string; command?: string; manifest?: string };
  /** Inputs the check needs; any of them missing makes it `not_evaluated`, all not applicable `not_applicable`. */
  reads: Source[];
  /**
   * Inputs the check is about: when one of them does not apply to the cluster (`not_applicable`: not an EKS
   * cluster, an authentication mode without access entries), the check is `not_applicable` even though other
   * inputs it reads apply, rather than passing on a cluster it says nothing about.
   */
  appliesWith?: Source[];
  /** Framework-qualified controls, e.g. `cis-eks-1.8.0:4.1.2`. */
  controls: string[];
  references?: string[];
}

/** What a check knows beyond the snapshot, supplied by the caller (core reads no clock or environment). */
export interface AuditOptions {
  /** The audit's "now", ISO 8601; used by date-based checks such as the supported-version check. */
  now: string;
  /** AWS accounts whose principals are not foreign, beside the cluster's own. */
  trustedAccountIds?: string[];
}

export interface CheckContext {
  snapshot: Snapshot;
  rbac: RbacIndex;
  options: AuditOptions;
}

/** A finding as a check reports it; the engine adds the check's metadata, status and fingerprint. */
export interface FindingDraft {
  resource: ResourceRef;
  subject?: SubjectRef;
  message: string;
  /** JSON-safe facts that point at the exact rule, binding or field. */
  evidence: Record<string, unknown>;
  /** Overrides the check's severity for this finding (e.g. a narrower variant). */
  severity?: Severity;
  /** Distinguishes two findings on the same resource and subject (e.g. which wildcard field). */
  discriminator?: string;
}

export interface Check {
  meta: CheckMeta;
  run(context: CheckContext): FindingDraft[];
}

export type FindingStatus = 'fail' | 'suppressed';

export interface Finding {
  checkId: string;
  title: string;
  severity: Severity;
  status: FindingStatus;
  resource: ResourceRef;
  subject?: SubjectRef;
  message: string;
  evidence: Record<string, unknown>;
  controls: string[];
  fingerprint: string;
  suppression?: { exceptionId: string; reason: string; source: 'default' | 'user' };
}

export type CheckStatus = 'pass' | 'fail' | 'not_evaluated' | 'not_applicable';

export interface CheckResult {
  checkId: string;
  status: CheckStatus;
  reason?: string;
  /** Findings with status fail / suppressed. */
  failed: number;
  suppressed: number;
}
