import type { Check, FindingDraft, ResourceRef } from '../../audit/types.ts';
import type { BoundRole, SubjectRef } from '../../rbac/index-builder.ts';
import { describeSubject } from '../shared/grants.ts';
import { describeRef } from '../shared/held-permissions.ts';
import { meta } from './meta.ts';

function refOf(ref: { kind: string; name: string; namespace?: string }): ResourceRef {
  return ref.namespace
    ? { kind: ref.kind, name: ref.name, namespace: ref.namespace }
    : { kind: ref.kind, name: ref.name };
}

function isRbacBinding(bound: BoundRole): boolean {
  return bound.binding.kind === 'ClusterRoleBinding' || bound.binding.kind === 'RoleBinding';
}

export const check: Check = {
  meta,
  run({ rbac, snapshot }) {
    const findings: FindingDraft[] = [];
    for (const bound of rbac.danglingRoleRefs) {
      if (!isRbacBinding(bound)) continue;
      const where = bound.namespace === null ? 'cluster-wide' : `in namespace ${bound.namespace}`;
      const subjects = bound.subjects.map(describeSubject);
      findings.push({
        resource: refOf(bound.binding),
        message:
          `${describeRef(bound.binding)} refers to ${describeRef(bound.role)}, which does not exist: whoever creates ` +
          `it decides what ${subjects.length ? subjects.join(', ') : "the binding's subjects"} may do ${where}.`,
        evidence: {
          roleRef: refOf(bound.role),
          roleExists: false,
          scope: bound.namespace === null ? 'cluster' : { namespace: bound.namespace },
          subjects: bound.subjects,
        },
        discriminator: 'missing-role',
      });
    }

    const existing = new Set(snapshot.kubernetes.serviceAccounts.map((sa) => `${sa.namespace}/${sa.name}`));
    for (const bound of [...rbac.boundRoles, ...rbac.danglingRoleRefs]) {
      if (!isRbacBinding(bound)) continue;
      const seen = new Set<string>();
      for (const subject of bound.subjects) {
        if (subject.kind !== 'ServiceAccount') continue;
        const key = `${subject.namespace ?? ''}/${subject.name}`;
        if (existing.has(key) || seen.has(key)) continue;
        seen.add(key);
        findings.push(missingServiceAccount(bound, subject));
      }
    }
    return findings;
  },
};

function missingServiceAccount(bound: BoundRole, subject: SubjectRef): FindingDraft {
  const role = bound.role.exists
    ? describeRef(bound.role)
    : `${describeRef(bound.role)} (which does not exist either)`;
  const where = bound.namespace === null ? 'cluster-wide' : `in namespace ${bound.namespace}`;
  const message =
    subject.namespace === undefined
      ? `${describeRef(bound.binding)} names ServiceAccount ${subject.name} without a namespace, so it matches no ` +
        'ServiceAccount; the subject is dead weight or a typo.'
      : `${describeRef(bound.binding)} grants ${role} ${where} to ${describeSubject(subject)}, which does not exist: ` +
        `anyone who may create ServiceAccounts in namespace ${subject.namespace} can create it and inherit the binding.`;
  return {
    resource: refOf(bound.binding),
    subject,
    message,
    evidence: {
      serviceAccount: { namespace: subject.namespace ?? null, name: subject.name },
      serviceAccountExists: false,
      role: refOf(bound.role),
      roleExists: bound.role.exists,
      scope: bound.namespace === null ? 'cluster' : { namespace: bound.namespace },
    },
    discriminator: 'missing-service-account',
  };
}
