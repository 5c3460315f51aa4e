import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'token-creation',
  title: 'Subjects that can mint service account tokens',
  severity: 'high',
  category: 'rbac',
  rationale:
    'Creating the token subresource of a ServiceAccount issues a fresh bearer token for that account. Whoever ' +
    'holds it can act as any ServiceAccount in scope, with all of its permissions, from anywhere that reaches ' +
    'the API server, and the token outlives the session that minted it. A rule limited by resourceNames still ' +
    'lets the subject become the ServiceAccounts it names.',
  remediation: {
    text:
      'Remove create on serviceaccounts/token from roles that do not issue tokens for a living. Workloads get ' +
      'their tokens from the kubelet through projected volumes and need no such permission.',
    command: 'kubectl auth can-i create serviceaccounts --subresource=token --as=SUBJECT -n NAMESPACE',
  },
  reads: ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings', 'awsAuth', 'accessEntries'],
  controls: ['cis-eks-1.8.0:4.1.12', 'cis-k8s-1.12.0:5.1.13', 'nist-800-53-r5:AC-6'],
  references: [
    'https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/',
  ],
};
