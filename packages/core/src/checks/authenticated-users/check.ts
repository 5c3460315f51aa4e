import type { Check, FindingDraft, ResourceRef } from '../../audit/types.ts';
import { isFullWildcardRule } from '../../rbac/match.ts';
import { rulesBeyondDiscovery, summariseRule } from '../shared/discovery.ts';
import { compactRule, describeRef } from '../shared/held-permissions.ts';
import { meta } from './meta.ts';

const GROUP = 'system:authenticated';

/** The bindings Kubernetes creates for the group; their default roles grant discovery only. */
const DEFAULT_BINDINGS = new Set(['system:basic-user', 'system:discovery', 'system:public-info-viewer']);

function refOf(ref: { kind: string; name: string; namespace?: string }): ResourceRef {
  return ref.namespace
    ? { kind: ref.kind, name: ref.name, namespace: ref.namespace }
    : { kind: ref.kind, name: ref.name };
}

export const check: Check = {
  meta,
  run({ rbac }) {
    const findings: FindingDraft[] = [];
    for (const bound of rbac.boundRoles) {
      if (bound.binding.kind !== 'ClusterRoleBinding' && bound.binding.kind !== 'RoleBinding') continue;
      if (!bound.subjects.some((s) => s.kind === 'Group' && s.name === GROUP)) continue;
      const beyond = rulesBeyondDiscovery(bound);
      if (beyond.length === 0) continue;
      const isDefault =
        bound.binding.kind === 'ClusterRoleBinding' && DEFAULT_BINDINGS.has(bound.binding.name);
      const where = bound.namespace === null ? 'cluster-wide' : `in namespace ${bound.namespace}`;
      const full = bound.role.rules.some(isFullWildcardRule);
      const finding: FindingDraft = {
        resource: refOf(bound.binding),
        subject: { kind: 'Group', name: GROUP },
        message:
          `Group ${GROUP} (every user, ServiceAccount and node the API server authenticates) is granted ` +
          `${describeRef(bound.role)} ${where} by ${isDefault ? 'the default ' : ''}${describeRef(bound.binding)}, ` +
          `which allows more than discovery: ${beyond.map((r) => summariseRule(r.rule)).join('; ')}` +
          `${isDefault ? ' (the default role grants discovery only: it has been widened)' : ''}.`,
        evidence: {
          binding: refOf(bound.binding),
          role: refOf(bound.role),
          scope: bound.namespace === null ? 'cluster' : { namespace: bound.namespace },
          ...(isDefault ? { defaultBinding: true } : {}),
          ...(bound.role.aggregatedFrom?.length ? { aggregatedFrom: bound.role.aggregatedFrom } : {}),
          rulesBeyondDiscovery: beyond.map((r) => ({ ruleIndex: r.ruleIndex, rule: compactRule(r.rule) })),
        },
      };
      if (full) finding.severity = 'critical';
      findings.push(finding);
    }
    return findings;
  },
};
