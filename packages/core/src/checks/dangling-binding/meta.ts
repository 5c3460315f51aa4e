import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'dangling-binding',
  title: 'Bindings to roles or ServiceAccounts that do not exist',
  severity: 'medium',
  category: 'rbac',
  rationale:
    'A binding is a standing promise. When its role does not exist, whoever later creates a role of that name ' +
    "decides what the binding's subjects may do, and a review of existing roles never shows it. When it names a " +
    'ServiceAccount that does not exist, anyone who may create ServiceAccounts in that namespace (often every ' +
    'namespace editor) can create one of that name and inherit the binding, which is an escalation whenever the ' +
    'binding grants more than they hold. Both are usually leftovers of something uninstalled or renamed; a ' +
    'binding that lost its role is one finding, which also names the ServiceAccounts it lacks.',
  remediation: {
    text:
      'Delete bindings whose role or ServiceAccount is gone, or recreate what they refer to on purpose. Remove ' +
      'ServiceAccount subjects that no longer exist from bindings that still serve other subjects.',
    command: 'kubectl get clusterrolebindings,rolebindings -A -o wide',
  },
  reads: ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings', 'serviceaccounts'],
  controls: ['nist-800-53-r5:AC-2'],
};
