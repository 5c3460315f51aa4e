import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'system-masters',
  title: 'Principals put in the system:masters group',
  severity: 'critical',
  category: 'rbac',
  rationale:
    'Requests from members of system:masters are allowed before RBAC is consulted: no binding grants the ' +
    'power, so none can take it away, and removing a role does nothing while the membership stays. An IAM ' +
    'role or user mapped into the group by aws-auth or an EKS access entry is therefore an unrevocable ' +
    'cluster administrator (critical). A RoleBinding or ClusterRoleBinding that names the group grants it ' +
    'nothing new but shows the group is relied on; it is reported at medium, apart from the default ' +
    'cluster-admin binding the API server creates, which is suppressed by a default exception.',
  remediation: {
    text:
      'Map administrators to a group of your own bound to cluster-admin (or, better, to narrower roles), or use ' +
      'an EKS access entry with an access policy, so that access can be revoked through RBAC. Remove ' +
      'system:masters from aws-auth entries and access entries, and delete bindings that name the group.',
    command: 'kubectl get configmap aws-auth -n kube-system -o yaml | grep -n "system:masters"',
  },
  reads: ['clusterrolebindings', 'rolebindings', 'awsAuth', 'accessEntries'],
  controls: ['cis-k8s-1.12.0:5.1.7', 'nist-800-53-r5:AC-6(5)'],
  references: [
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege',
    'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html',
  ],
};
