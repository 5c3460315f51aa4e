import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'authenticated-users',
  title: 'Bindings that grant every authenticated user more than discovery',
  severity: 'high',
  category: 'rbac',
  rationale:
    'Group system:authenticated holds every identity the API server accepts: every user, every ServiceAccount ' +
    'of every namespace, every node, and on EKS every IAM principal with an access entry or aws-auth mapping. ' +
    'A permission bound to it is held by all of them, so one leaked pod token carries it. Kubernetes binds the ' +
    'group to system:basic-user, system:discovery and system:public-info-viewer, which let a client read API ' +
    'discovery, health and version endpoints and ask what it may do itself (self-subject access, rules and ' +
    'identity reviews); that much is expected. Any binding of the group to a role with a rule beyond that is ' +
    'reported, including a default binding whose role has been widened; critical when the role amounts to full ' +
    'control.',
  remediation: {
    text:
      'Bind the permission to the groups or ServiceAccounts that need it instead of system:authenticated, and ' +
      'restore widened default roles (kubectl auth reconcile of the defaults, or delete the extra rules).',
    command:
      'kubectl get clusterrolebindings,rolebindings -A -o json | jq \'.items[] | select(.subjects[]? | .name == "system:authenticated") | .metadata\'',
  },
  reads: ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings'],
  controls: ['nist-800-53-r5:AC-6', 'iso-27001-2022:5.15'],
  references: ['https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles'],
};
