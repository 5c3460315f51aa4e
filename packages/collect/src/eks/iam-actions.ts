/**
 * Every AWS API action the collector calls in the cluster's account. The shipped IAM policy
 * (deploy/aws/scanner-policy.json) grants exactly these, and a test keeps the two in step.
 */
export const IAM_ACTIONS = {
  describeCluster: 'eks:DescribeCluster',
  listAccessEntries: 'eks:ListAccessEntries',
  describeAccessEntry: 'eks:DescribeAccessEntry',
  listAssociatedAccessPolicies: 'eks:ListAssociatedAccessPolicies',
  listIdentityProviderConfigs: 'eks:ListIdentityProviderConfigs',
  describeIdentityProviderConfig: 'eks:DescribeIdentityProviderConfig',
  describeKey: 'kms:DescribeKey',
  getKeyRotationStatus: 'kms:GetKeyRotationStatus',
} as const;

/** Called with the scanner's own identity, on the role in the cluster's account. */
export const ASSUME_ROLE_ACTION = 'sts:AssumeRole';

export const SCANNER_IAM_ACTIONS: readonly string[] = Object.values(IAM_ACTIONS);
