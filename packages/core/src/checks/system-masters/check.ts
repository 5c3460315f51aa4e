import type { Check, FindingDraft, ResourceRef } from '../../audit/types.ts';
import type { PrincipalMapping, SubjectRef } from '../../rbac/index-builder.ts';
import { meta } from './meta.ts';

const MASTERS = 'system:masters';

/** The object holding a mapping: the aws-auth ConfigMap, or the access entry itself. */
function resourceOf(mapping: PrincipalMapping): ResourceRef {
  return mapping.kind === 'aws-auth'
    ? { kind: 'ConfigMap', name: 'aws-auth', namespace: 'kube-system' }
    : { kind: 'AccessEntry', name: mapping.principalArn };
}

/** Only what identifies the entry: its ARN, list position, username and groups, never the ConfigMap text. */
function entryEvidence(mapping: PrincipalMapping): Record<string, unknown> {
  return {
    kind: mapping.kind,
    principalArn: mapping.principalArn,
    ...(mapping.source ? { list: mapping.source, index: mapping.index } : {}),
    ...(mapping.username !== undefined ? { username: mapping.username } : {}),
    groups: mapping.groups,
  };
}

export const check: Check = {
  meta,
  run({ rbac }) {
    const findings: FindingDraft[] = [];
    // One finding per principal and object. The index holds only the aws-auth entry EKS uses for an ARN, so a
    // duplicate or inert entry is the aws-auth checks' to report, not a second membership.
    const byPrincipal = new Map<
      string,
      { resource: ResourceRef; subject: SubjectRef; entries: PrincipalMapping[] }
    >();
    for (const mapping of rbac.principals) {
      if (!mapping.groups.includes(MASTERS)) continue;
      const resource = resourceOf(mapping);
      const key = `${resource.kind}|${mapping.principalArn}`;
      const found = byPrincipal.get(key);
      if (found) found.entries.push(mapping);
      else
        byPrincipal.set(key, {
          resource,
          subject: { kind: 'IAMPrincipal', name: mapping.principalArn },
          entries: [mapping],
        });
    }
    for (const { resource, subject, entries } of byPrincipal.values()) {
      const first = entries[0]!;
      const where =
        first.kind === 'aws-auth'
          ? `the aws-auth ConfigMap (${first.source}[${first.index}]${entries.length > 1 ? ` and ${entries.length - 1} more entr${entries.length > 2 ? 'ies' : 'y'}` : ''})`
          : 'its EKS access entry';
      findings.push({
        resource,
        subject,
        message:
          `IAMPrincipal ${subject.name} is put in group system:masters by ${where}: it is a cluster ` +
          'administrator that RBAC cannot restrict or revoke.',
        evidence: { entries: entries.map(entryEvidence) },
      });
    }

    const masters: SubjectRef = { kind: 'Group', name: MASTERS };
    const bound = [
      ...rbac.boundTo(masters),
      ...rbac.danglingRoleRefs.filter((d) =>
        d.subjects.some((s) => s.kind === 'Group' && s.name === MASTERS),
      ),
    ];
    for (const { binding, role } of bound) {
      // The authorizer's own entry for the group is how Kubernetes works, not a binding anyone wrote.
      if (binding.kind !== 'ClusterRoleBinding' && binding.kind !== 'RoleBinding') continue;
      const resource: ResourceRef = binding.namespace
        ? { kind: binding.kind, name: binding.name, namespace: binding.namespace }
        : { kind: binding.kind, name: binding.name };
      const where = binding.namespace
        ? `${binding.kind} ${binding.namespace}/${binding.name}`
        : `${binding.kind} ${binding.name}`;
      findings.push({
        resource,
        subject: masters,
        message:
          `${where} binds ${role.kind} ${role.name} to group system:masters: the group already bypasses ` +
          'RBAC, so the binding adds nothing but shows the group is relied on.',
        evidence: {
          binding: resource,
          roleRef: { kind: role.kind, name: role.name, exists: role.exists },
        },
        severity: 'medium',
      });
    }
    return findings;
  },
};
