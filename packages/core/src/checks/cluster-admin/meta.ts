import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'cluster-admin',
  title: 'Subjects with cluster-admin power',
  severity: 'critical',
  category: 'rbac',
  rationale:
    'A subject bound cluster-wide to cluster-admin, or to any role whose rules amount to every verb on every ' +
    'resource, controls the whole cluster: it can read every Secret, run any workload and rewrite RBAC. Such ' +
    'power belongs to break-glass identities only.',
  remediation: {
    text:
      'Replace the binding with a role that grants only what the subject needs, bound in the namespaces where it ' +
      'needs it. Keep cluster-admin for a break-glass identity whose use is logged and reviewed.',
    command: 'kubectl get clusterrolebindings -o wide | grep -E "cluster-admin"',
  },
  reads: ['clusterroles', 'clusterrolebindings', 'awsAuth', 'accessEntries'],
  controls: ['cis-eks-1.8.0:4.1.1', 'cis-k8s-1.12.0:5.1.1', 'nist-800-53-r5:AC-6(5)', 'iso-27001-2022:8.2'],
};
