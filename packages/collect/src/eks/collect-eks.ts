import {
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  DescribeIdentityProviderConfigCommand,
  type EKSClient,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
  ListIdentityProviderConfigsCommand,
} from '@aws-sdk/client-eks';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, type KMSClient } from '@aws-sdk/client-kms';
import {
  type AccessEntry,
  accessEntrySchema,
  type Coverage,
  type EksCluster,
  eksClusterSchema,
  type KmsKey,
  kmsKeySchema,
  type OidcConfig,
  oidcConfigSchema,
  type Source,
} from '@vigil/core/snapshot';
import { z } from 'zod';
import { EksApiError, InvalidResponseError } from '../errors.ts';
import { mapWithConcurrency } from '../pool.ts';
import type { RetryResult } from '../retry.ts';
import type { CollectProgress } from '../types.ts';
import { type AwsCallContext, awsCall } from './aws-call.ts';
import { type AwsFailure, awsFailureCoverage, classifyAwsError, describeAwsError } from './aws-errors.ts';
import { IAM_ACTIONS } from './iam-actions.ts';

export interface EksContext extends AwsCallContext {
  eks: EKSClient;
  kms: KMSClient;
  clusterName: string;
  clusterArn: string;
  concurrency: number;
  onProgress?: ((progress: CollectProgress) => void) | undefined;
}

export interface DescribedCluster {
  cluster: EksCluster;
  endpoint: string;
  caData: string;
}

const connectionSchema = z.object({
  endpoint: z.url({ protocol: /^https$/ }),
  certificateAuthority: z.object({
    data: z
      .string()
      .min(1)
      .max(64 * 1024),
  }),
});

/** DescribeCluster: everything else needs it, so every failure here stops the cluster's collection. */
export async function describeCluster(ctx: EksContext): Promise<DescribedCluster> {
  const result = await awsCall(ctx, IAM_ACTIONS.describeCluster, (abortSignal) =>
    ctx.eks.send(new DescribeClusterCommand({ name: ctx.clusterName }), { abortSignal }),
  );
  if (!result.ok) {
    const cause = describeAwsError(result.error);
    switch (classifyAwsError(result.error)) {
      case 'denied':
        throw new EksApiError(
          'EKS_ACCESS_DENIED',
          `${IAM_ACTIONS.describeCluster} on ${ctx.clusterArn} was denied (${cause})`,
        );
      case 'not_found':
        throw new EksApiError(
          'EKS_CLUSTER_NOT_FOUND',
          `EKS cluster ${ctx.clusterArn} does not exist (${cause})`,
        );
      default:
        throw new EksApiError(
          'EKS_API_FAILED',
          `${IAM_ACTIONS.describeCluster} on ${ctx.clusterArn} failed${result.stop === 'deadline' ? ' before the scan deadline' : ''} (${cause})`,
        );
    }
  }
  const raw = result.value.cluster;
  const parsed = eksClusterSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidResponseError(
      `${IAM_ACTIONS.describeCluster} answered with an unexpected cluster shape (${issue?.path.join('.') || 'cluster'}: ${issue?.message})`,
    );
  }
  const connection = connectionSchema.safeParse(raw);
  if (!connection.success) {
    throw new EksApiError(
      'EKS_API_FAILED',
      `EKS cluster ${ctx.clusterArn} has no usable API endpoint and CA yet (status ${parsed.data.status ?? 'unknown'})`,
    );
  }
  return {
    cluster: parsed.data,
    endpoint: connection.data.endpoint,
    caData: connection.data.certificateAuthority.data,
  };
}

export interface EksDetails {
  accessEntries: AccessEntry[];
  identityProviderConfigs: OidcConfig[];
  kmsKey: KmsKey | null;
  coverage: Partial<Record<Source, Coverage>>;
  warnings: string[];
}

/** A read of one source that failed; unwinds the source's concurrent calls and becomes its coverage. */
class SourceFailure extends Error {
  readonly coverage: Coverage;
  readonly failure: AwsFailure;
  constructor(coverage: Coverage, failure: AwsFailure = 'other') {
    super(coverage.reason ?? coverage.status);
    this.coverage = coverage;
    this.failure = failure;
  }
}

function unwrap<T>(action: string, result: RetryResult<T>): T {
  if (!result.ok) throw new SourceFailure(awsFailureCoverage(action, result), classifyAwsError(result.error));
  return result.value;
}

async function paginate<P>(
  fetchPage: (nextToken: string | undefined) => Promise<P & { nextToken?: string | undefined }>,
) {
  const pages: P[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    pages.push(page);
    token = page.nextToken || undefined;
    if (token !== undefined) {
      if (seen.has(token))
        throw new SourceFailure({ status: 'error', reason: 'the EKS API repeated a pagination token' });
      seen.add(token);
    }
  } while (token !== undefined);
  return pages;
}

async function collectAccessEntries(
  ctx: EksContext,
  cluster: EksCluster,
): Promise<{ entries: AccessEntry[]; coverage: Coverage }> {
  const mode = cluster.accessConfig?.authenticationMode;
  if (mode === 'CONFIG_MAP') {
    return {
      entries: [],
      coverage: {
        status: 'not_applicable',
        reason: 'authentication mode is CONFIG_MAP: EKS reads only aws-auth',
      },
    };
  }
  let principals: string[];
  try {
    const pages = await paginate((nextToken) =>
      awsCall(ctx, IAM_ACTIONS.listAccessEntries, (abortSignal) =>
        ctx.eks.send(
          new ListAccessEntriesCommand({ clusterName: ctx.clusterName, nextToken, maxResults: 100 }),
          {
            abortSignal,
          },
        ),
      ).then((r) => unwrap(IAM_ACTIONS.listAccessEntries, r)),
    );
    principals = pages.flatMap((page) => page.accessEntries ?? []);
  } catch (error) {
    if (!(error instanceof SourceFailure)) throw error;
    // A cluster from before access entries (no accessConfig) refuses the call: nothing there to read.
    if (mode === undefined && error.failure === 'invalid_request') {
      return {
        entries: [],
        coverage: { status: 'not_applicable', reason: 'the cluster does not support access entries' },
      };
    }
    return { entries: [], coverage: error.coverage };
  }
  const entries = await mapWithConcurrency(principals, ctx.concurrency, async (principalArn) => {
    const described = await awsCall(ctx, IAM_ACTIONS.describeAccessEntry, (abortSignal) =>
      ctx.eks.send(new DescribeAccessEntryCommand({ clusterName: ctx.clusterName, principalArn }), {
        abortSignal,
      }),
    );
    // Deleted between the list and the describe: it no longer grants anything.
    if (!described.ok && classifyAwsError(described.error) === 'not_found') return null;
    const entry = unwrap(IAM_ACTIONS.describeAccessEntry, described).accessEntry;
    const pages = await paginate((nextToken) =>
      awsCall(ctx, IAM_ACTIONS.listAssociatedAccessPolicies, (abortSignal) =>
        ctx.eks.send(
          new ListAssociatedAccessPoliciesCommand({
            clusterName: ctx.clusterName,
            principalArn,
            nextToken,
            maxResults: 100,
          }),
          { abortSignal },
        ),
      ).then((r) => unwrap(IAM_ACTIONS.listAssociatedAccessPolicies, r)),
    );
    const parsed = accessEntrySchema.safeParse({
      principalArn,
      kubernetesGroups: entry?.kubernetesGroups ?? [],
      username: entry?.username,
      type: entry?.type,
      associatedAccessPolicies: pages.flatMap((page) =>
        (page.associatedAccessPolicies ?? []).map((policy) => ({
          policyArn: policy.policyArn,
          accessScope: { type: policy.accessScope?.type, namespaces: policy.accessScope?.namespaces ?? [] },
        })),
      ),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SourceFailure({
        status: 'error',
        reason: `access entry ${principalArn} has an unexpected shape (${issue?.path.join('.')}: ${issue?.message})`,
      });
    }
    return parsed.data;
  }).catch((error: unknown) => {
    if (error instanceof SourceFailure) return error;
    throw error;
  });
  if (entries instanceof SourceFailure) return { entries: [], coverage: entries.coverage };
  const kept = entries.filter((entry): entry is AccessEntry => entry !== null);
  return { entries: kept, coverage: { status: 'complete', count: kept.length } };
}

async function collectIdentityProviders(
  ctx: EksContext,
): Promise<{ configs: OidcConfig[]; coverage: Coverage }> {
  try {
    const pages = await paginate((nextToken) =>
      awsCall(ctx, IAM_ACTIONS.listIdentityProviderConfigs, (abortSignal) =>
        ctx.eks.send(
          new ListIdentityProviderConfigsCommand({
            clusterName: ctx.clusterName,
            nextToken,
            maxResults: 100,
          }),
          {
            abortSignal,
          },
        ),
      ).then((r) => unwrap(IAM_ACTIONS.listIdentityProviderConfigs, r)),
    );
    const refs = pages
      .flatMap((page) => page.identityProviderConfigs ?? [])
      .filter((ref) => ref.type === 'oidc' && ref.name);
    const configs = await mapWithConcurrency(refs, ctx.concurrency, async (ref) => {
      const described = unwrap(
        IAM_ACTIONS.describeIdentityProviderConfig,
        await awsCall(ctx, IAM_ACTIONS.describeIdentityProviderConfig, (abortSignal) =>
          ctx.eks.send(
            new DescribeIdentityProviderConfigCommand({
              clusterName: ctx.clusterName,
              identityProviderConfig: { type: 'oidc', name: ref.name },
            }),
            { abortSignal },
          ),
        ),
      );
      const parsed = oidcConfigSchema.safeParse(described.identityProviderConfig?.oidc);
      if (!parsed.success) {
        throw new SourceFailure({
          status: 'error',
          reason: `identity provider config ${ref.name} has an unexpected shape`,
        });
      }
      return parsed.data;
    });
    return { configs, coverage: { status: 'complete', count: configs.length } };
  } catch (error) {
    if (error instanceof SourceFailure) return { configs: [], coverage: error.coverage };
    throw error;
  }
}

/** The KMS key that envelope-encrypts Secrets, if any, with its state and rotation. */
async function collectKmsKey(
  ctx: EksContext,
  cluster: EksCluster,
): Promise<{ key: KmsKey | null; coverage: Coverage }> {
  const keyArn = cluster.encryptionConfig?.find((config) => config.resources.includes('secrets'))?.provider
    ?.keyArn;
  if (!keyArn) {
    return {
      key: null,
      coverage: { status: 'not_applicable', reason: 'secrets envelope encryption is not configured' },
    };
  }
  const described = await awsCall(ctx, IAM_ACTIONS.describeKey, (abortSignal) =>
    ctx.kms.send(new DescribeKeyCommand({ KeyId: keyArn }), { abortSignal }),
  );
  if (!described.ok) {
    if (classifyAwsError(described.error) === 'not_found') {
      return {
        key: null,
        coverage: {
          status: 'not_found',
          reason: `KMS key ${keyArn} was not found (deleted, or not visible to the scanner)`,
        },
      };
    }
    return { key: null, coverage: awsFailureCoverage(IAM_ACTIONS.describeKey, described) };
  }
  const meta = described.value.KeyMetadata;
  const rotation = await awsCall(ctx, IAM_ACTIONS.getKeyRotationStatus, (abortSignal) =>
    ctx.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }), { abortSignal }),
  );
  if (!rotation.ok)
    return { key: null, coverage: awsFailureCoverage(IAM_ACTIONS.getKeyRotationStatus, rotation) };
  const parsed = kmsKeySchema.safeParse({
    keyArn: meta?.Arn ?? keyArn,
    keyState: meta?.KeyState,
    keyManager: meta?.KeyManager,
    rotationEnabled: rotation.value.KeyRotationEnabled,
  });
  if (!parsed.success)
    return {
      key: null,
      coverage: { status: 'error', reason: `${IAM_ACTIONS.describeKey} answered with an unexpected shape` },
    };
  return { key: parsed.data, coverage: { status: 'complete' } };
}

/**
 * Access entries (with their access policies), OIDC identity provider configs and the secrets KMS key, read
 * concurrently. Each failure becomes that source's coverage (AccessDenied -> forbidden); nothing here throws
 * for a denied or failed read.
 */
export async function collectEksDetails(ctx: EksContext, cluster: EksCluster): Promise<EksDetails> {
  const done =
    <T>(source: Source, count: (value: T) => number) =>
    (value: T) => {
      ctx.onProgress?.({ source, fetched: count(value), done: true });
      return value;
    };
  const [access, identity, kms] = await Promise.all([
    collectAccessEntries(ctx, cluster).then(done('accessEntries', (v) => v.entries.length)),
    collectIdentityProviders(ctx).then(done('identityProviderConfigs', (v) => v.configs.length)),
    collectKmsKey(ctx, cluster).then(done('kmsKey', (v) => (v.key ? 1 : 0))),
  ]);
  const coverage: Partial<Record<Source, Coverage>> = {
    eksCluster: { status: 'complete' },
    accessEntries: access.coverage,
    identityProviderConfigs: identity.coverage,
    kmsKey: kms.coverage,
  };
  for (const [source, entry] of Object.entries(coverage)) {
    if (entry.status !== 'complete' && entry.status !== 'not_applicable') {
      ctx.logger.warn({
        msg: 'EKS source not read',
        scanId: ctx.scanId,
        source,
        status: entry.status,
        reason: entry.reason,
      });
    }
  }
  return {
    accessEntries: access.entries,
    identityProviderConfigs: identity.configs,
    kmsKey: kms.key,
    coverage,
    warnings: [],
  };
}
