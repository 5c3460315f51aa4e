import type { ResourceRef } from '../../audit/types.ts';
import { MissingInputError } from '../../errors.ts';
import type { AwsAuthMapping } from '../../identity/aws-auth.ts';
import { parseEksArn } from '../../snapshot/load.ts';
import type { EksCluster, Snapshot } from '../../snapshot/model.ts';

/** The object every aws-auth finding points at; the entry itself is named by subject and evidence. */
export const AWS_AUTH_REF: ResourceRef = { kind: 'ConfigMap', name: 'aws-auth', namespace: 'kube-system' };

export function clusterRef(cluster: EksCluster): ResourceRef {
  return { kind: 'EKSCluster', name: cluster.name };
}

export function accessEntryRef(principalArn: string): ResourceRef {
  return { kind: 'AccessEntry', name: principalArn };
}

/**
 * The EKS cluster description. Checks that read `eksCluster` only run when it is complete, so a missing
 * description here is a malformed snapshot, reported as the check not evaluated.
 */
export function eksClusterOf(snapshot: Snapshot): EksCluster {
  if (!snapshot.eks)
    throw new MissingInputError('the snapshot marks eksCluster as read but holds no EKS cluster description');
  return snapshot.eks.cluster;
}

/** The AWS account that owns the cluster, from the snapshot or the cluster ARN. */
export function clusterAccountId(snapshot: Snapshot): string | undefined {
  if (snapshot.cluster.accountId) return snapshot.cluster.accountId;
  const arn = snapshot.cluster.arn ?? snapshot.eks?.cluster.arn;
  return arn ? parseEksArn(arn)?.accountId : undefined;
}

export function clusterPartition(snapshot: Snapshot): string {
  const arn = snapshot.cluster.arn ?? snapshot.eks?.cluster.arn;
  return (arn ? parseEksArn(arn)?.partition : undefined) ?? 'aws';
}

/** The principal AWS uses for "every identity of this account". */
export function accountRootArn(snapshot: Snapshot, accountId: string): string {
  return `arn:${clusterPartition(snapshot)}:iam::${accountId}:root`;
}

/**
 * Evidence for one aws-auth entry: where it sits and the names it maps, never the ConfigMap text (which can
 * hold anything, secrets included).
 */
export function awsAuthEntryEvidence(mapping: AwsAuthMapping): Record<string, unknown> {
  const evidence: Record<string, unknown> = {
    configMap: 'kube-system/aws-auth',
    list: mapping.source,
    index: mapping.index,
    [mapping.source === 'mapRoles' ? 'rolearn' : 'userarn']: mapping.arn,
    groups: mapping.groups,
  };
  if (mapping.username !== undefined) evidence.username = mapping.username;
  return evidence;
}

/** `mapRoles[2] (arn:aws:iam::111122223333:role/Admin)`. */
export function describeAwsAuthEntry(mapping: AwsAuthMapping): string {
  return `aws-auth ${mapping.source}[${mapping.index}] (${mapping.arn})`;
}

/**
 * The cluster's endpoint settings. describe-cluster always prints them, so their absence means a trimmed
 * description; the endpoint checks are then not evaluated rather than guessed.
 */
export function endpointConfig(cluster: EksCluster): {
  endpointPublicAccess: boolean;
  endpointPrivateAccess: boolean;
  publicAccessCidrs: string[];
} {
  const vpc = cluster.resourcesVpcConfig;
  if (vpc?.endpointPublicAccess === undefined || vpc.endpointPrivateAccess === undefined) {
    throw new MissingInputError(
      'the cluster description has no endpoint settings (resourcesVpcConfig.endpointPublicAccess/endpointPrivateAccess)',
    );
  }
  return {
    endpointPublicAccess: vpc.endpointPublicAccess,
    endpointPrivateAccess: vpc.endpointPrivateAccess,
    publicAccessCidrs: vpc.publicAccessCidrs ?? [],
  };
}
