import { EKSClient } from '@aws-sdk/client-eks';
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import { parseEksArn, type Snapshot } from '@vigil/core/snapshot';
import {
  awsAuthCoverage,
  finish,
  kubeContext,
  kubernetesPart,
  newTransport,
  type Resolved,
} from '../collection.ts';
import { ClusterUnreachableError, InvalidSourceError } from '../errors.ts';
import { collectKubernetes } from '../kube/collect-kubernetes.ts';
import type { AwsCredentialsProvider, ClusterSource } from '../types.ts';
import { collectEksDetails, describeCluster, type EksContext } from './collect-eks.ts';
import { assumeRoleProvider, roleSessionName } from './credentials.ts';
import { eksKubeConfig } from './kubeconfig.ts';
import { EksTokenProvider } from './token.ts';

/**
 * Collects an EKS cluster by ARN: assume the scanner role (cross-account, with the external id), describe the
 * cluster, then read Kubernetes with an in-process EKS token and the EKS/KMS APIs at the same time.
 */
export async function collectFromEks(
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
      onProgress: options.onProgress,
    };
    const described = await describeCluster(eksContext);
    options.onProgress?.({ source: 'eksCluster', fetched: 1, done: true });
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
        eks: {
          cluster: described.cluster,
          accessEntries: details.accessEntries,
          identityProviderConfigs: details.identityProviderConfigs,
          kmsKey: details.kmsKey,
        },
        coverage: { ...coverage, ...details.coverage },
        warnings: [...k8s.warnings, ...details.warnings],
      },
      kubernetes,
      resolved,
      started,
    );
  } finally {
    for (const client of clients) client.destroy();
  }
}
