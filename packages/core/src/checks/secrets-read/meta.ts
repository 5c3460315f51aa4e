import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'secrets-read',
  title: 'Subjects that can read Secrets',
  severity: 'high',
  category: 'rbac',
  rationale:
    'Secrets hold service account tokens, registry credentials, TLS keys and application passwords. get returns ' +
    'one Secret, and list or watch return every Secret in scope with its values, so each of the three verbs ' +
    'discloses credentials that usually lead further (to other service accounts, databases or cloud accounts). ' +
    'Grants limited by resourceNames are reported one level lower, naming the Secrets they cover.',
  remediation: {
    text:
      'Grant get, list and watch on secrets only to the workloads that need them, in their own namespace, and ' +
      'prefer resourceNames that name the exact Secrets. Remove secrets (and wildcards that cover them) from ' +
      'roles given to people; mount Secrets into pods instead of reading them through the API.',
    command: 'kubectl auth can-i get secrets --all-namespaces --as=SUBJECT',
  },
  reads: ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings', 'awsAuth', 'accessEntries'],
  controls: ['cis-eks-1.8.0:4.1.2', 'cis-k8s-1.12.0:5.1.2', 'nist-800-53-r5:AC-6', 'iso-27001-2022:8.3'],
  references: ['https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets'],
};
