import {
  type AuditReport,
  type CheckResult,
  type CheckStatus,
  emptyObjects,
  type Finding,
  type FrameworkResult,
  fingerprintOf,
  SEVERITIES,
  type Severity,
  type Snapshot,
} from '@vigil/core';
import type { Cluster } from '../clusters/model.ts';
import { createCluster, type NewCluster } from '../clusters/repository.ts';
import type { Database } from '../database.ts';

let clusterCounter = 0;

/** A live cluster with a unique name (tests in one file share a database). */
export function createTestCluster(db: Database, overrides: Partial<NewCluster> = {}): Promise<Cluster> {
  clusterCounter++;
  return createCluster(db, {
    name: `cluster-${process.pid}-${clusterCounter}`,
    source: { type: 'snapshot', path: `fixtures/cluster-${clusterCounter}.json` },
    labels: { env: 'test' },
    scheduleIntervalSeconds: 86_400,
    ...overrides,
  });
}

/** A failing finding of `checkId` on a ClusterRoleBinding called `name`; fingerprinted as core does. */
export function makeFinding(
  checkId: string,
  name: string,
  overrides: Partial<Omit<Finding, 'fingerprint' | 'checkId'>> = {},
): Finding {
  const resource = overrides.resource ?? { kind: 'ClusterRoleBinding', name };
  const subject = overrides.subject ?? { kind: 'User' as const, name: `user-${name}` };
  const finding: Finding = {
    checkId,
    title: `${checkId} title`,
    severity: 'high',
    status: 'fail',
    message: `${subject.name} holds ${checkId} through ${resource.name}`,
    evidence: { binding: resource.name, rule: { verbs: ['*'], resources: ['*'] } },
    controls: [`cis-eks-1.8.0:${checkId}`],
    ...overrides,
    resource,
    subject,
    fingerprint: fingerprintOf(checkId, resource, subject),
  };
  return finding;
}

/** Marks a finding suppressed by an exception, as `runAudit` does. */
export function suppress(finding: Finding, exceptionId = 'exception-1'): Finding {
  return {
    ...finding,
    status: 'suppressed',
    suppression: { exceptionId, reason: 'accepted', source: 'user' },
  };
}

export interface ReportSpec {
  findings?: Finding[];
  status?: 'complete' | 'partial';
  /** Check statuses; checks with findings default to fail, `passing` ones to pass. */
  checks?: Record<string, CheckStatus>;
  compliance?: FrameworkResult[];
  clusterName?: string;
}

/** An AuditReport with consistent summary and check results, for feeding recordScan. */
export function makeReport(spec: ReportSpec = {}): AuditReport {
  const findings = spec.findings ?? [];
  const statuses = new Map<string, CheckStatus>(Object.entries(spec.checks ?? {}));
  for (const f of findings) if (!statuses.has(f.checkId)) statuses.set(f.checkId, 'fail');
  const checks: CheckResult[] = [...statuses].map(([checkId, status]) => {
    const mine = findings.filter((f) => f.checkId === checkId);
    const result: CheckResult = {
      checkId,
      status,
      failed: mine.filter((f) => f.status === 'fail').length,
      suppressed: mine.filter((f) => f.status === 'suppressed').length,
    };
    if (status === 'not_evaluated') result.reason = 'clusterrolebindings: forbidden';
    return result;
  });
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (f.status === 'fail') bySeverity[f.severity]++;
  const checkCounts: Record<CheckStatus, number> = { pass: 0, fail: 0, not_evaluated: 0, not_applicable: 0 };
  for (const c of checks) checkCounts[c.status]++;
  return {
    cluster: { name: spec.clusterName ?? 'test-cluster', platform: 'kubernetes' },
    status: spec.status ?? 'complete',
    coverage:
      spec.status === 'partial'
        ? { clusterrolebindings: { status: 'forbidden', reason: 'RBAC denies list' } }
        : { clusterrolebindings: { status: 'complete', count: findings.length } },
    summary: {
      findings: {
        fail: findings.filter((f) => f.status === 'fail').length,
        suppressed: findings.filter((f) => f.status === 'suppressed').length,
      },
      bySeverity,
      checks: checkCounts,
    },
    findings,
    checks,
    compliance: spec.compliance ?? [],
    warnings: [],
  };
}

/** A one-framework compliance result with the given control statuses. */
export function makeCompliance(
  controls: Record<string, 'pass' | 'fail' | 'not_evaluated'>,
): FrameworkResult[] {
  const summary = { pass: 0, fail: 0, not_evaluated: 0, not_applicable: 0, manual: 0 };
  for (const status of Object.values(controls)) summary[status]++;
  return [
    {
      framework: 'cis-eks-1.8.0',
      title: 'CIS Amazon EKS Benchmark',
      version: '1.8.0',
      summary,
      controls: Object.entries(controls).map(([id, status]) => ({
        id,
        qualifiedId: `cis-eks-1.8.0:${id}`,
        title: `Control ${id}`,
        status,
        checks: [id],
      })),
    },
  ];
}

/** A snapshot of a cluster with no objects, for tests that store one; `kubernetes` and `cluster` override. */
export function makeSnapshot(
  name: string,
  overrides: { cluster?: Partial<Snapshot['cluster']>; kubernetes?: Partial<Snapshot['kubernetes']> } = {},
): Snapshot {
  return {
    schemaVersion: 1,
    cluster: { name, platform: 'kubernetes', ...overrides.cluster },
    kubernetes: {
      ...emptyObjects(),
      ...overrides.kubernetes,
    },
    eks: null,
    coverage: {},
    warnings: [],
  };
}
