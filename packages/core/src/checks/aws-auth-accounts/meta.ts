import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'aws-auth-accounts',
  title: 'aws-auth admits every IAM principal of an AWS account',
  severity: 'medium',
  category: 'identity',
  rationale:
    'A mapAccounts entry lets every IAM user and role in that account authenticate, each as a user named by its ' +
    'ARN, with no list of who that is and no review when the account gains principals. Whatever the cluster ' +
    'grants to system:authenticated, or to any binding that names an ARN from that account, is then open to all ' +
    'of them.',
  remediation: {
    text: 'Replace the account entry with explicit role mappings (access entries or mapRoles) for the principals that need access.',
    command: 'kubectl -n kube-system edit configmap aws-auth',
  },
  reads: ['awsAuth'],
  controls: ['nist-800-53-r5:AC-2'],
};
