import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'audit-logging',
  title: 'EKS control-plane audit, authenticator or API server logs are off',
  severity: 'medium',
  category: 'control-plane',
  rationale:
    'EKS keeps no control-plane logs unless told to. The audit log is the only record of who read which Secret, ' +
    'who exec-ed into which pod and who changed RBAC; the authenticator log ties each Kubernetes username to the ' +
    'IAM role or user behind it, without which the audit log names templated session users no one can trace; the ' +
    'API server log shows errors and flags. Logs switched on after an incident cannot show how it happened.',
  remediation: {
    text: 'Enable at least the audit, authenticator and api log types (CloudWatch Logs charges apply) and set a retention that fits your policy.',
    command:
      'aws eks update-cluster-config --name CLUSTER --logging \'{"clusterLogging":[{"types":["api","audit","authenticator"],"enabled":true}]}\'',
  },
  reads: ['eksCluster'],
  controls: ['cis-eks-1.8.0:2.1.1', 'nist-800-53-r5:AU-2', 'nist-800-53-r5:AU-12', 'iso-27001-2022:8.15'],
  references: ['https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html'],
};
