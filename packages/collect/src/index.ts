export { collectSnapshot } from './collect.ts';
export { roleSessionName } from './eks/credentials.ts';
export { ASSUME_ROLE_ACTION, IAM_ACTIONS, SCANNER_IAM_ACTIONS } from './eks/iam-actions.ts';
export { EKS_TOKEN_PREFIX, EksTokenProvider, presignEksToken, stsHostname } from './eks/token.ts';
export * from './errors.ts';
export { parseRetryAfter, type RetryPolicy } from './retry.ts';
export type {
  AwsClientConfig,
  AwsClientFactories,
  AwsCredentials,
  AwsCredentialsProvider,
  ClusterSource,
  CollectLogger,
  CollectOptions,
  CollectProgress,
} from './types.ts';
