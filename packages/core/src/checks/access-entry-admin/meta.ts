import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'access-entry-admin',
  title: 'EKS access entries with cluster-wide administrator power',
  severity: 'high',
  category: 'identity',
  rationale:
    'An access entry associated with AmazonEKSClusterAdminPolicy at cluster scope is cluster-admin; with ' +
    'AmazonEKSAdminPolicy at cluster scope it can read every Secret and rewrite Roles and RoleBindings in every ' +
    'namespace. The same power arrives less visibly when the entry puts the principal in a Kubernetes group (or ' +
    'gives it a username) that a ClusterRoleBinding makes cluster-admin. Every such entry is a path from an IAM ' +
    'role to full control of the cluster and should be a short, reviewed list.',
  remediation: {
    text:
      'Scope the policy association to the namespaces the principal works in (accessScope type namespace), use ' +
      'AmazonEKSEditPolicy or AmazonEKSViewPolicy where they suffice, or map the principal to a group bound to a ' +
      'narrower role. Keep cluster-wide admin for a break-glass role whose use is logged.',
    command:
      'aws eks disassociate-access-policy --cluster-name CLUSTER --principal-arn ARN --policy-arn POLICY_ARN',
  },
  reads: ['accessEntries', 'clusterroles', 'clusterrolebindings'],
  appliesWith: ['accessEntries'],
  controls: ['cis-eks-1.8.0:4.1.1', 'nist-800-53-r5:AC-6(5)'],
  references: ['https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html'],
};
