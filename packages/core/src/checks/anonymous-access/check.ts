import type { Check, FindingDraft, ResourceRef } from '../../audit/types.ts';
import type { BoundRole, SubjectRef } from '../../rbac/index-builder.ts';
import type { PolicyRule } from '../../snapshot/model.ts';
import { rulesBeyondDiscovery, summariseRule } from '../shared/discovery.ts';
import { compactRule, describeRef } from '../shared/held-permissions.ts';
import { meta } from './meta.ts';

function isAnonymous(subject: SubjectRef): boolean {
  return (
    (subject.kind === 'User' && subject.name === 'system:anonymous') ||
    (subject.kind === 'Group' && subject.name === 'system:unauthenticated')
  );
}

/**
 * Bindings Kubernetes distributions create for anonymous clients on purpose, and the most their roles grant by
 * default. A default exception suppresses the binding's finding; a role widened beyond this is reported
 * against the role, which no default exception covers.
 */
const DEFAULT_ANONYMOUS_BINDINGS: {
  binding: { kind: string; name: string; namespace?: string };
  subject: SubjectRef;
  allows: (rule: PolicyRule) => boolean;
}[] = [
  {
    binding: { kind: 'ClusterRoleBinding', name: 'system:public-info-viewer' },
    subject: { kind: 'Group', name: 'system:unauthenticated' },
    allows: (rule) =>
      rule.resources.length === 0 &&
      rule.verbs.every((v) => v === 'get') &&
      rule.nonResourceURLs.every((u) =>
        ['/healthz', '/livez', '/readyz', '/version', '/version/'].includes(u),
      ),
  },
  {
    binding: { kind: 'RoleBinding', namespace: 'kube-public', name: 'kubeadm:bootstrap-signer-clusterinfo' },
    subject: { kind: 'User', name: 'system:anonymous' },
    allows: (rule) =>
      rule.nonResourceURLs.length === 0 &&
      rule.verbs.every((v) => v === 'get') &&
      rule.apiGroups.every((g) => g === '') &&
      rule.resources.every((r) => r === 'configmaps') &&
      rule.resourceNames.length > 0 &&
      rule.resourceNames.every((n) => n === 'cluster-info'),
  },
];

function defaultFor(bound: BoundRole, subject: SubjectRef) {
  return DEFAULT_ANONYMOUS_BINDINGS.find(
    (d) =>
      d.binding.kind === bound.binding.kind &&
      d.binding.name === bound.binding.name &&
      d.binding.namespace === bound.binding.namespace &&
      d.subject.kind === subject.kind &&
      d.subject.name === subject.name,
  );
}

function refOf(ref: { kind: string; name: string; namespace?: string }): ResourceRef {
  return ref.namespace
    ? { kind: ref.kind, name: ref.name, namespace: ref.namespace }
    : { kind: ref.kind, name: ref.name };
}

function who(subject: SubjectRef): string {
  return subject.kind === 'User'
    ? 'User system:anonymous (any request without credentials)'
    : 'Group system:unauthenticated (every request without credentials)';
}

export const check: Check = {
  meta,
  run({ rbac }) {
    const findings: FindingDraft[] = [];
    const where = (bound: BoundRole) =>
      bound.namespace === null ? 'cluster-wide' : `in namespace ${bound.namespace}`;
    for (const bound of rbac.boundRoles) {
      if (bound.binding.kind !== 'ClusterRoleBinding' && bound.binding.kind !== 'RoleBinding') continue;
      for (const subject of bound.subjects.filter(isAnonymous)) {
        const beyond = rulesBeyondDiscovery(bound);
        const known = defaultFor(bound, subject);
        const widened = known
          ? bound.role.rules
              .map((rule, ruleIndex) => ({ rule, ruleIndex }))
              .filter((r) => !known.allows(r.rule))
          : [];
        const trace = {
          binding: refOf(bound.binding),
          role: refOf(bound.role),
          scope: bound.namespace === null ? 'cluster' : { namespace: bound.namespace },
        };
        if (known && widened.length > 0) {
          findings.push({
            resource: refOf(bound.role),
            subject,
            message:
              `${describeRef(bound.role)}, which the default ${describeRef(bound.binding)} grants to ${who(subject)}, ` +
              `has been widened beyond its default: ${widened.map((r) => summariseRule(r.rule)).join('; ')}.`,
            evidence: {
              ...trace,
              widenedRules: widened.map((r) => ({ ruleIndex: r.ruleIndex, rule: compactRule(r.rule) })),
            },
          });
          continue;
        }
        const grants = `${describeRef(bound.role)} ${where(bound)} through ${describeRef(bound.binding)}`;
        const rules = bound.role.rules.map((rule, ruleIndex) => ({ ruleIndex, rule: compactRule(rule) }));
        if (known) {
          // A default binding in its default shape: low, and suppressed by its default exception.
          findings.push({
            resource: refOf(bound.binding),
            subject,
            severity: 'low',
            message:
              `${who(subject)} is granted ${grants}, a binding Kubernetes tooling creates on purpose, which allows ` +
              `${bound.role.rules.map(summariseRule).join('; ')} and nothing more.`,
            evidence: { ...trace, defaultBinding: true, rules },
          });
        } else if (beyond.length > 0) {
          findings.push({
            resource: refOf(bound.binding),
            subject,
            message: `${who(subject)} is granted ${grants}, which allows ${beyond.map((r) => summariseRule(r.rule)).join('; ')}.`,
            evidence: {
              ...trace,
              rulesBeyondDiscovery: beyond.map((r) => ({
                ruleIndex: r.ruleIndex,
                rule: compactRule(r.rule),
              })),
            },
          });
        } else {
          findings.push({
            resource: refOf(bound.binding),
            subject,
            severity: 'low',
            message: `${who(subject)} is granted ${grants}; it allows discovery and health endpoints only.`,
            evidence: { ...trace, rules },
          });
        }
      }
    }
    for (const bound of rbac.danglingRoleRefs) {
      for (const subject of bound.subjects.filter(isAnonymous)) {
        findings.push({
          resource: refOf(bound.binding),
          subject,
          severity: 'medium',
          message:
            `${describeRef(bound.binding)} binds ${who(subject)} to ${describeRef(bound.role)} ${where(bound)}, which does not exist: ` +
            'whoever creates a role of that name decides what anonymous requests may do.',
          evidence: {
            binding: refOf(bound.binding),
            roleRef: refOf(bound.role),
            roleExists: false,
            scope: bound.namespace === null ? 'cluster' : { namespace: bound.namespace },
          },
        });
      }
    }
    return findings;
  },
};
