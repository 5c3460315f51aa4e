export { collectSnapshot } from './collect.ts';
export { roleSessionName } from './eks/credentials.ts';
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
