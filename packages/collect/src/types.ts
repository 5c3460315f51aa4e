import type { EKSClient } from '@aws-sdk/client-eks';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { STSClient } from '@aws-sdk/client-sts';
import type { Source } from '@vigil/core/snapshot';
import type { RetryPolicy } from './retry.ts';

/** Where a snapshot comes from: a kubeconfig as users have it, or an EKS cluster by ARN (optionally cross-account). */
export type ClusterSource =
  | {
      type: 'kubeconfig';
      /** A kubeconfig file; without it (and without `kubeconfigYaml`) KUBECONFIG / ~/.kube/config / in-cluster. */
      kubeconfigPath?: string;
      /** Kubeconfig text, e.g. from a secret store; relative file paths in it resolve against the cwd. */
      kubeconfigYaml?: string;
      /** Context to use instead of the current one. */
      context?: string;
      /** Cluster name in the snapshot (default: the context's cluster name). */
      name?: string;
    }
  | {
      type: 'eks';
      clusterArn: string;
      /** A role in the cluster's account to assume first (cross-account scanning). */
      roleArn?: string;
      /** The external id that role's trust policy requires; always sent when set. */
      externalId?: string;
    };

export interface CollectProgress {
  source: Source;
  /** Objects of that source read so far. */
  fetched: number;
  done: boolean;
}

/** Structured logging; entries carry the scan id and never a credential, token or ConfigMap value. */
export interface CollectLogger {
  info(entry: Record<string, unknown>): void;
  warn(entry: Record<string, unknown>): void;
  error(entry: Record<string, unknown>): void;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
}
export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

export interface AwsClientConfig {
  region: string;
  credentials: AwsCredentialsProvider;
}

/**
 * How AWS clients are made. The defaults make plain SDK clients (which honour `AWS_ENDPOINT_URL`, e.g. for
 * LocalStack) with SDK retries off, because the collector retries inside the scan deadline itself.
 */
export interface AwsClientFactories {
  eks?: (config: AwsClientConfig) => EKSClient;
  kms?: (config: AwsClientConfig) => KMSClient;
  /** `credentials` is absent for the call that assumes the scanner role with the default credentials. */
  sts?: (config: { region: string; credentials?: AwsCredentialsProvider }) => STSClient;
  /** Credentials when the source names no role to assume (default: the SDK's default provider chain). */
  credentials?: AwsCredentialsProvider;
}

export interface CollectOptions {
  /** Epoch milliseconds by which collection must end; unfinished kinds are reported `timed_out`. */
  deadline: number;
  /** Carried in logs and in the AssumeRole session name (`vigil-<scanId>`). */
  scanId?: string;
  /** Objects per list page (`limit`), default 500. */
  pageSize?: number;
  /** Kinds (and EKS calls) fetched at once, default 4. */
  concurrency?: number;
  onProgress?: (progress: CollectProgress) => void;
  logger?: CollectLogger;
  /** Epoch milliseconds now (default Date.now). */
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1), for backoff jitter (default Math.random). */
  random?: () => number;
  aws?: AwsClientFactories;
  retry?: RetryPolicy;
  /** One HTTP request's time limit, default 30 s (never beyond the deadline). */
  requestTimeoutMs?: number;
  /** Largest list page or object accepted, after decompression; default 64 MiB. */
  maxPageBytes?: number;
  /** Most objects of one kind kept; a list that goes on past it is an error, not an OOM. Default 1,000,000. */
  maxObjectsPerKind?: number;
}
