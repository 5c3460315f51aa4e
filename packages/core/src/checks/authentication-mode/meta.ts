import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'authentication-mode',
  title: 'EKS cluster authenticates IAM principals only through aws-auth',
  severity: 'medium',
  category: 'identity',
  rationale:
    'In CONFIG_MAP mode the only record of which IAM principals may use the cluster is the kube-system/aws-auth ' +
    'ConfigMap: anyone who can edit that object can grant themselves access, a typo can lock everyone out, and ' +
    'changes leave no trace in CloudTrail. Access entries are managed through the EKS API, under IAM policy and ' +
    'CloudTrail, and can be listed without Kubernetes credentials. Clusters whose description reports no access ' +
    'configuration predate access entries and behave as CONFIG_MAP.',
  remediation: {
    text:
      'Switch the cluster to API_AND_CONFIG_MAP, recreate each aws-auth entry as an access entry, then switch to ' +
      'API (the change is one-way; test access before the final step).',
    command:
      'aws eks update-cluster-config --name CLUSTER --access-config authenticationMode=API_AND_CONFIG_MAP',
  },
  reads: ['eksCluster'],
  controls: ['cis-eks-1.8.0:4.1.7', 'nist-800-53-r5:AC-2'],
  references: ['https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html'],
};
