import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'aws-auth-masters',
  title: 'aws-auth maps IAM principals into system:masters',
  severity: 'critical',
  category: 'identity',
  rationale:
    'Members of system:masters are allowed every request by the API server before RBAC is consulted: no Role, ' +
    'binding or deny can narrow them, and removing RBAC objects does not revoke their access. An aws-auth entry ' +
    'that adds an IAM role or user to that group hands full, unrevocable control of the cluster to everyone who ' +
    'can assume the role or use the user keys.',
  remediation: {
    text:
      'Map the principal to a dedicated group instead and bind that group to the narrowest role it needs (to ' +
      'cluster-admin through a ClusterRoleBinding only for break-glass use, where RBAC can still revoke it), or ' +
      'replace the entry with an access entry.',
    command: 'kubectl -n kube-system edit configmap aws-auth',
  },
  reads: ['awsAuth'],
  controls: ['cis-k8s-1.12.0:5.1.7', 'nist-800-53-r5:AC-6(5)'],
  references: ['https://kubernetes.io/docs/concepts/security/rbac-good-practices/'],
};
