/** Deterministic findings for the db benches: realistic sizes, spread over checks, severities and controls. */
import { type Finding, fingerprintOf, SEVERITIES } from '@vigil/core';

export const CHECK_COUNT = 30;

export function controlsOf(check: number): string[] {
  return [
    `cis-eks-1.8.0:4.1.${check % 8}`,
    `cis-k8s-1.12.0:5.1.${check % 6}`,
    `nist-800-53-r5:AC-${check % 10}`,
    `iso-27001-2022:8.${check % 12}`,
  ];
}

/**
 * `count` distinct findings numbered from `from`. `changed(n)` marks findings whose severity and message
 * differ from the base scan, as a later scan's would after someone edited a binding.
 */
export function generateFindings(
  count: number,
  options: { from?: number; changed?: (n: number) => boolean } = {},
): Finding[] {
  const out: Finding[] = [];
  const from = options.from ?? 0;
  for (let n = from; n < from + count; n++) {
    const variant = options.changed?.(n) ? 1 : 0;
    const check = n % CHECK_COUNT;
    const checkId = `check-${check}`;
    const namespace = n % 2 === 0 ? `ns-${n % 50}` : undefined;
    const resource = {
      kind: ['ClusterRoleBinding', 'RoleBinding', 'ServiceAccount', 'Pod'][n % 4]!,
      name: `binding-${n}`,
      ...(namespace ? { namespace } : {}),
    };
    const subject = { kind: 'User' as const, name: `user-${n % 5000}` };
    const suppressed = n % 10 === 9;
    const finding: Finding = {
      checkId,
      title: `Check ${check} title`,
      severity: SEVERITIES[(n * 7 + variant) % SEVERITIES.length]!,
      status: suppressed ? 'suppressed' : 'fail',
      resource,
      subject,
      message: `user-${n % 5000} can escalate through binding-${n} (scan ${variant})`,
      evidence: {
        binding: { kind: resource.kind, name: resource.name, namespace: namespace ?? null },
        role: { kind: 'ClusterRole', name: `role-${n % 300}` },
        rule: { verbs: ['get', 'list', 'create'], apiGroups: [''], resources: ['secrets', 'pods/exec'] },
      },
      controls: controlsOf(check),
      fingerprint: fingerprintOf(checkId, resource, subject),
    };
    if (suppressed)
      finding.suppression = { exceptionId: 'bench-exception', reason: 'accepted', source: 'user' };
    out.push(finding);
  }
  return out;
}
