import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'escalation-path',
  title: 'Subjects that can make themselves cluster-admin',
  severity: 'critical',
  category: 'rbac',
  rationale:
    'Reviews of who is cluster-admin miss those who can become it. This check takes every subject that is not ' +
    'already cluster-admin-equivalent and looks for a route to that power, spelling out each step and the ' +
    'grant behind it: running pods (directly, or through a workload controller it can create or re-point) as ' +
    'a ServiceAccount that is cluster-admin-equivalent, since a pod may use any ServiceAccount of its namespace; ' +
    'creating a ClusterRoleBinding with bind on a full-control ClusterRole, or a RoleBinding to one in a ' +
    'namespace that holds such a ServiceAccount; escalate plus update on a role it is bound to (or create, for an ' +
    'aggregated role); impersonating a privileged user, group (system:masters included, together with some user ' +
    'to impersonate) or ServiceAccount; requesting tokens for a privileged ServiceAccount; creating and reading ' +
    'Secrets where a privileged ServiceAccount lives (a service-account-token Secret gets a token for it); and ' +
    'changing kube-system/aws-auth on EKS, which maps any IAM identity into system:masters. Privileged means ' +
    '`*` on `*` cluster-wide, or membership of system:masters. A route counts when the subject holds every step, ' +
    'at least one through its own binding; a route held entirely through a group every identity belongs to ' +
    '(system:authenticated, system:serviceaccounts) is reported once, on that group. Routes through a single ' +
    'namespace (a RoleBinding, a role edited there) are high; direct routes are critical.',
  remediation: {
    text:
      'Break the route at its cheapest step: remove the permission the finding lists first, or take the ' +
      'privileged ServiceAccount out of a namespace others deploy into (a dedicated namespace, a narrower role). ' +
      'Keep bind, escalate, impersonate, token requests and aws-auth changes for administrators only.',
    command: 'kubectl auth can-i --list --as=SUBJECT -n NAMESPACE',
  },
  reads: ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings', 'awsAuth', 'accessEntries'],
  controls: ['nist-800-53-r5:AC-6', 'nist-800-53-r5:AC-3', 'iso-27001-2022:8.2'],
  references: [
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks',
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping',
  ],
};
