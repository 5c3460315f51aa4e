import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'aws-auth-iam-users',
  title: 'aws-auth maps IAM users (long-lived keys) into the cluster',
  severity: 'medium',
  category: 'identity',
  rationale:
    'An IAM user signs in with access keys that do not expire unless someone rotates them; keys leak through ' +
    'laptops, CI logs and dotfiles, and every leaked key is a working cluster credential. IAM roles assumed ' +
    'through SSO or federation give short-lived credentials tied to a person and their MFA. Mapping the account ' +
    'root user is worse still: it cannot be restricted by IAM policy at all. EKS looks both aws-auth lists up by ' +
    'ARN, so an IAM user ARN counts wherever it is written (mapUsers or mapRoles).',
  remediation: {
    text:
      'Give the person or system an IAM role (IAM Identity Center permission set, or a role for the CI system), map ' +
      'that role through an access entry or mapRoles, then delete the mapUsers entry and the user access keys.',
    command: 'kubectl -n kube-system edit configmap aws-auth',
  },
  reads: ['awsAuth'],
  controls: ['cis-eks-1.8.0:5.5.1', 'nist-800-53-r5:IA-5'],
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html'],
};
