import type { Check, CheckContext, FindingDraft } from '../../audit/types.ts';
import { ACCESS_POLICIES, accessPolicyName } from '../../identity/access-policies.ts';
import { isTemplated } from '../../identity/aws-auth.ts';
import type { SubjectRef } from '../../rbac/index-builder.ts';
import { isFullWildcardRule } from '../../rbac/match.ts';
import type { AccessEntry } from '../../snapshot/model.ts';
import { accessEntryRef } from '../shared/eks.ts';
import { meta } from './meta.ts';

const ADMIN_POLICIES: Record<string, { severity: 'critical' | 'high'; grants: string }> = {
  AmazonEKSClusterAdminPolicy: { severity: 'critical', grants: 'is cluster-admin over the whole cluster' },
  AmazonEKSAdminPolicy: {
    severity: 'high',
    grants: 'grants the admin role in every namespace, Secrets and Roles/RoleBindings included',
  },
};

export const check: Check = {
  meta,
  run(context) {
    const findings: FindingDraft[] = [];
    for (const entry of context.snapshot.eks?.accessEntries ?? []) {
      const subject: SubjectRef = { kind: 'IAMPrincipal', name: entry.principalArn };
      for (const association of entry.associatedAccessPolicies) {
        const name = accessPolicyName(association.policyArn);
        const admin = ADMIN_POLICIES[name];
        if (!admin || association.accessScope.type !== 'cluster') continue;
        findings.push({
          resource: accessEntryRef(entry.principalArn),
          subject,
          message: `Access entry ${entry.principalArn} is associated with ${name} at cluster scope, which ${admin.grants}.`,
          evidence: {
            accessEntry: entry.principalArn,
            type: entry.type ?? null,
            policyArn: association.policyArn,
            accessScope: { type: 'cluster' },
            equivalentTo: ACCESS_POLICIES[name]?.equivalentTo ?? null,
          },
          severity: admin.severity,
          discriminator: `policy:${name}`,
        });
      }
      for (const identity of kubernetesIdentities(entry)) {
        const bindings = adminBindings(context, identity);
        if (bindings.length === 0) continue;
        const names = bindings.map(
          (b) => `${b.binding.kind} ${b.binding.name} (${b.role.kind} ${b.role.name})`,
        );
        findings.push({
          resource: accessEntryRef(entry.principalArn),
          subject,
          message:
            `Access entry ${entry.principalArn} makes the principal ${identity.kind} ${identity.name}, which ` +
            `${names.join(', ')} make${names.length === 1 ? 's' : ''} cluster-admin.`,
          evidence: {
            accessEntry: entry.principalArn,
            type: entry.type ?? null,
            [identity.kind === 'Group' ? 'kubernetesGroup' : 'username']: identity.name,
            bindings: bindings.map((b) => ({
              kind: b.binding.kind,
              name: b.binding.name,
              role: { kind: b.role.kind, name: b.role.name },
            })),
          },
          severity: 'critical',
          discriminator: `${identity.kind === 'Group' ? 'group' : 'user'}:${identity.name}`,
        });
      }
    }
    return findings;
  },
};

function kubernetesIdentities(entry: AccessEntry): SubjectRef[] {
  const out: SubjectRef[] = entry.kubernetesGroups.map((name) => ({ kind: 'Group', name }));
  if (entry.username && !isTemplated(entry.username)) out.push({ kind: 'User', name: entry.username });
  return out;
}

/** Cluster-wide bindings whose role allows everything (system:masters counts: the authorizer allows it all). */
function adminBindings({ rbac }: CheckContext, identity: SubjectRef) {
  return rbac
    .boundTo(identity)
    .filter((bound) => bound.namespace === null && bound.role.rules.some(isFullWildcardRule));
}
