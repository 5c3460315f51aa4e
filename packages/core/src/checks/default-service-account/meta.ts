import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'default-service-account',
  title: 'Default service accounts that are bound to roles or mount tokens',
  severity: 'medium',
  category: 'identity',
  rationale:
    "Every pod that names no service account runs as its namespace's `default` one. A role bound to `default` " +
    'is therefore handed to every such pod, present and future, and a token mounted by default lets any of ' +
    'them call the API server. Workloads that need API access should use a service account of their own. A ' +
    '`default` account bound to a role (by a binding that names it, not through the groups every service ' +
    'account is in) is rated medium; one that only leaves token automounting on is rated low.',
  remediation: {
    text:
      'Remove bindings that name the default service account and give the workloads that need them a ' +
      'dedicated service account. Set automountServiceAccountToken: false on every default service account.',
    command:
      'kubectl patch serviceaccount default -n NAMESPACE -p \'{"automountServiceAccountToken": false}\'',
    manifest:
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: NAMESPACE\nautomountServiceAccountToken: false\n',
  },
  reads: ['serviceaccounts', 'clusterroles', 'roles', 'clusterrolebindings', 'rolebindings'],
  controls: ['cis-eks-1.8.0:4.1.5', 'cis-k8s-1.12.0:5.1.5'],
};
