import { EKSClient } from '@aws-sdk/client-eks';
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import {
  type Coverage,
  parseEksArn,
  type Snapshot,
  type SnapshotInput,
  SOURCES,
  type Source,
  snapshotSchema,
} from '@vigil/core/snapshot';
import { collectEksDetails, describeCluster, type EksContext } from './eks/collect-eks.ts';
import { assumeRoleProvider, roleSessionName } from './eks/credentials.ts';
import { eksKubeConfig } from './eks/kubeconfig.ts';
import { EksTokenProvider } from './eks/token.ts';
import { ClusterUnreachableError, InvalidSourceError } from './errors.ts';
import type { AwsAuthRead } from './kube/aws-auth.ts';
import { collectKubernetes, type KubernetesCollection } from './kube/collect-kubernetes.ts';
import type { KubeContext } from './kube/fetch.ts';
import { loadKubeconfig } from './kube/kubeconfig.ts';
import { KubeTransport } from './kube/transport.ts';
import { defaultSleep, type RetryTiming } from './retry.ts';
import type { AwsCredentialsProvider, ClusterSource, CollectLogger, CollectOptions } from './types.ts';

const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_PAGE_BYTES = 64 * 1024 * 1024;
const EKS_SOURCES = ['eksCluster', 'accessEntries', 'identityProviderConfigs', 'kmsKey'] as const;

const silentLogger: CollectLogger = { info() {}, warn() {}, error() {} };

interface Resolved {
  options: CollectOptions;
  timing: RetryTiming;
  logger: CollectLogger;
  pageSize: number;
  concurrency: number;
  requestTimeoutMs: number;
  maxPageBytes: number;
}

function resolve(options: CollectOptions): Resolved {
  if (!Number.isFinite(options.deadline))
    throw new InvalidSourceError('collect needs a deadline (epoch milliseconds)');
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000) {
    throw new InvalidSourceError(`page size must be an integer from 1 to 10000, not ${pageSize}`);
  }
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new InvalidSourceError(`concurrency must be an integer from 1 to 64, not ${concurrency}`);
  }
  return {
    options,
    timing: {
      deadline: options.deadline,
      now: options.clock ?? Date.now,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
    },
    logger: options.logger ?? silentLogger,
    pageSize,
    concurrency,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    maxPageBytes: options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES,
  };
}

function kubeContext(resolved: Resolved, transport: KubeTransport): KubeContext {
  return {
    transport,
    timing: resolved.timing,
    retryPolicy: resolved.options.retry ?? {},
    pageSize: resolved.pageSize,
    logger: resolved.logger,
    scanId: resolved.options.scanId,
  };
}

function newTransport(
  resolved: Resolved,
  kubeConfig: ConstructorParameters<typeof KubeTransport>[0],
  server: string,
) {
  return new KubeTransport(kubeConfig, server, {
    deadline: resolved.options.deadline,
    clock: resolved.timing.now,
    requestTimeoutMs: resolved.requestTimeoutMs,
    maxBytes: resolved.maxPageBytes,
    maxSockets: resolved.concurrency + 1,
  });
}

/**
 * Coverage of aws-auth once the platform is known. On EKS an absent ConfigMap is a complete read of "no
 * mappings" (clusters in API mode have none, and EKS ignores it there anyway); elsewhere it is not applicable.
 */
function awsAuthCoverage(
  read: AwsAuthRead,
  platform: { eks: boolean; authenticationMode?: string | undefined },
): Coverage {
  if (read.state === 'failed') return read.outcome.coverage;
  if (read.state === 'found') return { status: 'complete', count: 1 };
  if (!platform.eks) return { status: 'not_applicable', reason: 'not an EKS cluster' };
  if (platform.authenticationMode === 'API') {
    return { status: 'not_applicable', reason: 'authentication mode is API: EKS ignores aws-auth' };
  }
  return { status: 'complete', count: 0, reason: 'not present' };
}

/** EKS endpoints and EKS builds: such a cluster read through a kubeconfig still has EKS settings unread. */
function looksLikeEks(server: string, gitVersion: string | undefined): { region?: string } | null {
  const host = new URL(server).hostname;
  const match = /\.([a-z0-9-]+)\.eks\.amazonaws\.com(?:\.cn)?$/.exec(host);
  if (match) return { region: match[1]! };
  if (gitVersion && /-eks-/.test(gitVersion)) return {};
  return null;
}

function finish(candidate: SnapshotInput, resolved: Resolved, started: number): Snapshot {
  // Coverage in the model's source order, so snapshot files and reports diff cleanly between runs.
  const coverage: Partial<Record<Source, Coverage>> = {};
  for (const source of SOURCES) {
    const entry = candidate.coverage?.[source];
    if (entry) coverage[source] = entry;
  }
  const snapshot = snapshotSchema.parse({ ...candidate, coverage });
  const partial = Object.entries(snapshot.coverage).filter(
    ([, c]) => c.status !== 'complete' && c.status !== 'not_applicable',
  );
  resolved.logger.info({
    msg: 'collected',
    scanId: resolved.options.scanId,
    cluster: snapshot.cluster.name,
    status: partial.length ? 'partial' : 'complete',
    incomplete: partial.map(([source, c]) => `${source}:${c.status}`),
    durationMs: resolved.timing.now() - started,
  });
  return snapshot;
}

function kubernetesPart(k8s: KubernetesCollection, awsAuth: Coverage) {
  return {
    kubernetes: { ...k8s.objects, awsAuth: k8s.awsAuth.state === 'found' ? k8s.awsAuth.awsAuth : null },
    coverage: { ...k8s.coverage, awsAuth } as Partial<Record<Source, Coverage>>,
  };
}

async function collectFromKubeconfig(
  source: Extract<ClusterSource, { type: 'kubeconfig' }>,
  resolved: Resolved,
): Promise<Snapshot> {
  const started = resolved.timing.now();
  const loaded = loadKubeconfig(source);
  resolved.logger.info({
    msg: 'collecting',
    scanId: resolved.options.scanId,
    context: loaded.contextName,
    server: loaded.server,
  });
  const transport = newTransport(resolved, loaded.kubeConfig, loaded.server);
  let k8s: KubernetesCollection;
  try {
    k8s = await collectKubernetes(kubeContext(resolved, transport), {
      concurrency: resolved.concurrency,
      onProgress: resolved.options.onProgress,
    });
  } finally {
    transport.close();
  }
  const eks = looksLikeEks(loaded.server, k8s.gitVersion);
  const { kubernetes, coverage } = kubernetesPart(k8s, awsAuthCoverage(k8s.awsAuth, { eks: eks !== null }));
  for (const eksSource of EKS_SOURCES) {
    coverage[eksSource] = eks
      ? {
          status: 'not_collected',
          reason:
            'the cluster looks like EKS but was read through a kubeconfig; collect it by ARN to read its EKS settings',
        }
      : { status: 'not_applicable', reason: 'not an EKS cluster' };
  }
  return finish(
    {
      schemaVersion: 1,
      cluster: {
        name: source.name ?? loaded.clusterName,
        platform: eks ? 'eks' : 'kubernetes',
        ...(eks?.region ? { region: eks.region } : {}),
        ...(k8s.gitVersion ? { kubernetesVersion: k8s.gitVersion } : {}),
      },
      collectedAt: new Date(resolved.timing.now()).toISOString(),
      kubernetes,
      eks: null,
      coverage,
      warnings: k8s.warnings,
    },
    resolved,
    started,
  );
}

async function collectFromEks(
  source: Extract<ClusterSource, { type: 'eks' }>,
  resolved: Resolved,
): Promise<Snapshot> {
  const started = resolved.timing.now();
  const arn = parseEksArn(source.clusterArn);
  if (!arn) {
    throw new InvalidSourceError(
      `${source.clusterArn} is not an EKS cluster ARN (arn:aws:eks:REGION:ACCOUNT:cluster/NAME)`,
    );
  }
  if (source.externalId !== undefined && source.roleArn === undefined) {
    throw new InvalidSourceError('an external id is only used with a role to assume (--role-arn)');
  }
  const { options, logger } = resolved;
  const factories = options.aws ?? {};
  const callContext = {
    timing: resolved.timing,
    retryPolicy: options.retry ?? {},
    requestTimeoutMs: resolved.requestTimeoutMs,
    logger,
    scanId: options.scanId,
  };
  const sts = factories.sts
    ? factories.sts({ region: arn.region })
    : new STSClient({ region: arn.region, maxAttempts: 1 });
  const clients: { destroy(): void }[] = [sts];
  try {
    let credentials: AwsCredentialsProvider;
    if (source.roleArn !== undefined) {
      credentials = assumeRoleProvider({
        sts,
        roleArn: source.roleArn,
        externalId: source.externalId,
        sessionName: roleSessionName(options.scanId),
        call: callContext,
      });
      // Assume now: a trust-policy or external-id mismatch fails the cluster before anything else runs.
      await credentials();
    } else {
      credentials = factories.credentials ?? (sts.config.credentials as AwsCredentialsProvider);
    }
    logger.info({
      msg: 'collecting',
      scanId: options.scanId,
      cluster: source.clusterArn,
      ...(source.roleArn ? { role: source.roleArn } : {}),
    });
    const clientConfig = { region: arn.region, credentials };
    const eksClient = factories.eks
      ? factories.eks(clientConfig)
      : new EKSClient({ ...clientConfig, maxAttempts: 1 });
    const kmsClient = factories.kms
      ? factories.kms(clientConfig)
      : new KMSClient({ ...clientConfig, maxAttempts: 1 });
    clients.push(eksClient, kmsClient);
    const eksContext: EksContext = {
      ...callContext,
      eks: eksClient,
      kms: kmsClient,
      clusterName: arn.name,
      clusterArn: source.clusterArn,
      concurrency: resolved.concurrency,
    };
    const described = await describeCluster(eksContext);
    const tokens = new EksTokenProvider({
      clusterName: arn.name,
      region: arn.region,
      partition: arn.partition,
      credentials,
      clock: resolved.timing.now,
    });
    const transport = newTransport(
      resolved,
      eksKubeConfig(described.endpoint, described.caData, tokens),
      described.endpoint,
    );
    const [k8sResult, detailsResult] = await Promise.allSettled([
      collectKubernetes(kubeContext(resolved, transport), {
        concurrency: resolved.concurrency,
        onProgress: options.onProgress,
      }),
      collectEksDetails(eksContext, described.cluster),
    ]).finally(() => transport.close());
    if (k8sResult.status === 'rejected') {
      const error = k8sResult.reason;
      const vpc = described.cluster.resourcesVpcConfig;
      if (error instanceof ClusterUnreachableError && vpc?.endpointPublicAccess === false) {
        throw new ClusterUnreachableError(
          `${error.message}; the cluster's endpoint is private, so the scanner must run inside its VPC (or a peered one)`,
          { cause: error },
        );
      }
      throw error;
    }
    if (detailsResult.status === 'rejected') throw detailsResult.reason;
    const k8s = k8sResult.value;
    const details = detailsResult.value;
    const { kubernetes, coverage } = kubernetesPart(
      k8s,
      awsAuthCoverage(k8s.awsAuth, {
        eks: true,
        authenticationMode: described.cluster.accessConfig?.authenticationMode,
      }),
    );
    return finish(
      {
        schemaVersion: 1,
        cluster: {
          name: arn.name,
          platform: 'eks',
          arn: source.clusterArn,
          accountId: arn.accountId,
          region: arn.region,
          ...((described.cluster.version ?? k8s.gitVersion)
            ? { kubernetesVersion: described.cluster.version ?? k8s.gitVersion }
            : {}),
        },
        collectedAt: new Date(resolved.timing.now()).toISOString(),
        kubernetes,
        eks: {
          cluster: described.cluster,
          accessEntries: details.accessEntries,
          identityProviderConfigs: details.identityProviderConfigs,
          kmsKey: details.kmsKey,
        },
        coverage: { ...coverage, ...details.coverage },
        warnings: [...k8s.warnings, ...details.warnings],
      },
      resolved,
      started,
    );
  } finally {
    for (const client of clients) client.destroy();
  }
}

/**
 * Reads a live cluster into the Snapshot the audit runs on.
 *
 * Per-kind problems (403, 404, throttling to the end, the deadline, malformed objects) never throw: they are
 * recorded in `snapshot.coverage`, so checks that need the kind report `not_evaluated` and the run is
 * `partial`. It throws a {@link CollectError} only when the cluster cannot be used at all: the source is
 * invalid, the endpoint cannot be reached, the credentials are refused, the answer is not a Kubernetes API,
 * AssumeRole or DescribeCluster fails. Credentials and tokens stay in memory and never reach the snapshot,
 * the logs or an error message.
 *
 * @example
 * const snapshot = await collectSnapshot(
 *   { type: 'eks', clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod', roleArn, externalId },
 *   { deadline: Date.now() + 5 * 60_000, scanId },
 * );
 */
export async function collectSnapshot(source: ClusterSource, options: CollectOptions): Promise<Snapshot> {
  const resolved = resolve(options);
  try {
    switch (source.type) {
      case 'kubeconfig':
        return await collectFromKubeconfig(source, resolved);
      case 'eks':
        return await collectFromEks(source, resolved);
      default:
        throw new InvalidSourceError(`unknown source type ${String((source as { type?: unknown }).type)}`);
    }
  } catch (error) {
    resolved.logger.error({
      msg: 'collection failed',
      scanId: options.scanId,
      code: (error as { code?: unknown }).code,
      error: (error as Error).message,
    });
    throw error;
  }
}
