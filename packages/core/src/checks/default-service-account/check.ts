import type { Check, FindingDraft } from '../../audit/types.ts';
import { type BoundRole, type SubjectRef, subjectKey } from '../../rbac/index-builder.ts';
import { joinWords } from '../shared/held-permissions.ts';
import { meta } from './meta.ts';

interface Binding {
  kind: string;
  name: string;
  namespace?: string;
  role: { kind: string; name: string; namespace?: string; exists: boolean };
}

function describeRef(ref: { kind: string; name: string; namespace?: string }): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

export const check: Check = {
  meta,
  run({ snapshot, rbac }) {
    const findings: FindingDraft[] = [];
    // Dangling bindings by the subjects they name, in one pass: scanning them all for every namespace's
    // default account grows with the square of the cluster.
    const danglingBySubject = new Map<string, BoundRole[]>();
    for (const dangling of rbac.danglingRoleRefs) {
      for (const key of new Set(dangling.subjects.map(subjectKey))) {
        const list = danglingBySubject.get(key);
        if (list) list.push(dangling);
        else danglingBySubject.set(key, [dangling]);
      }
    }
    for (const account of snapshot.kubernetes.serviceAccounts) {
      if (account.name !== 'default') continue;
      const subject: SubjectRef = { kind: 'ServiceAccount', name: 'default', namespace: account.namespace };
      const key = subjectKey(subject);
      // Bindings that name this account; groups every service account is in are another check's concern.
      const bound = [
        ...rbac.boundTo(subject),
        // A binding to a role that does not exist yet grants it the moment someone creates that role.
        ...(danglingBySubject.get(key) ?? []),
      ];
      const bindings: Binding[] = bound.map(({ binding, role }) => ({
        kind: binding.kind,
        name: binding.name,
        ...(binding.namespace ? { namespace: binding.namespace } : {}),
        role: {
          kind: role.kind,
          name: role.name,
          ...(role.namespace ? { namespace: role.namespace } : {}),
          exists: role.exists,
        },
      }));
      const automount = account.automountServiceAccountToken;
      const mounts = automount !== false;
      if (bindings.length === 0 && !mounts) continue;
      const problems: string[] = [];
      if (bindings.length > 0) {
        const shown = bindings
          .slice(0, 5)
          .map((b) => `${describeRef(b.role)}${b.role.exists ? '' : ' (missing)'} by ${describeRef(b)}`);
        const more = bindings.length > 5 ? ` and ${bindings.length - 5} more` : '';
        problems.push(`is bound to ${joinWords(shown)}${more}`);
      }
      if (mounts) {
        problems.push(
          automount === true
            ? 'sets automountServiceAccountToken: true'
            : 'does not set automountServiceAccountToken: false',
        );
      }
      const finding: FindingDraft = {
        resource: { kind: 'ServiceAccount', name: 'default', namespace: account.namespace },
        subject,
        message:
          `ServiceAccount ${account.namespace}/default ${joinWords(problems)}: every pod in the namespace that ` +
          `names no service account runs as it${mounts ? ' and gets its token' : ''}.`,
        evidence: {
          bindings,
          automountServiceAccountToken: automount ?? null,
        },
      };
      if (bindings.length === 0) finding.severity = 'low';
      findings.push(finding);
    }
    return findings;
  },
};
