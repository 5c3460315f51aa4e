import type { Check, FindingDraft, ResourceRef } from '../../audit/types.ts';
import type { BoundRole, SubjectRef } from '../../rbac/index-builder.ts';
import { describeSubject } from '../shared/grants.ts';
import { describeRef, joinWords } from '../shared/held-permissions.ts';
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
    const existing = new Set(snapshot.kubernetes.serviceAccounts.map((sa) => `${sa.namespace}/${sa.name}`));
    const missingAccounts = (bound: BoundRole): SubjectRef[] => {
      const seen = new Set<string>();
      return bound.subjects.filter((subject) => {
        if (subject.kind !== 'ServiceAccount') return false;
        const key = `${subject.namespace ?? ''}/${subject.name}`;
        if (existing.has(key) || seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    };

    // A binding whose role is gone is one finding, which also names the accounts it lacks: an operator
    // uninstalled without its binding leaves both behind, and it is one thing to delete.
    for (const bound of rbac.danglingRoleRefs) {
      if (!isRbacBinding(bound)) continue;
      const where = bound.namespace === null ? 'cluster-wide' : `in namespace ${bound.namespace}`;
      const subjects = bound.subjects.map(describeSubject);
      const absent = missingAccounts(bound);
      findings.push({
        resource: refOf(bound.binding),
        message:
          `${describeRef(bound.binding)} refers to ${describeRef(bound.role)}, which does not exist: whoever creates ` +
          `it decides what ${subjects.length ? subjects.join(', ') : "the binding's subjects"} may do ${where}.` +
          (absent.length
            ? ` ${joinWords(absent.map(describeSubject))} ${absent.length === 1 ? 'does' : 'do'} not exist either: ` +
              'whoever creates both gets whatever the role is made to hold.'
            : ''),
        evidence: {
          roleRef: refOf(bound.role),
          roleExists: false,
          scope: bound.namespace === null ? 'cluster' : { namespace: bound.namespace },
          subjects: bound.subjects,
          ...(absent.length
            ? {
                missingServiceAccounts: absent.map((s) => ({ namespace: s.namespace ?? null, name: s.name })),
              }
            : {}),
        },
        discriminator: 'missing-role',
      });
    }

    for (const bound of rbac.boundRoles) {
      if (!isRbacBinding(bound)) continue;
      for (const subject of missingAccounts(bound)) findings.push(missingServiceAccount(bound, subject));
    }
    return findings;
  },
};

function missingServiceAccount(bound: BoundRole, subject: SubjectRef): FindingDraft {
  const role = describeRef(bound.role);
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
      scope: bound.namespace === null ? 'cluster' : { namespace: bound.namespace },
    },
    discriminator: 'missing-service-account',
  };
}
