import type { ResourceRef } from '../../audit/types.ts';
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
 * description here is a malformed snapshot; throwing makes the engine report the check not evaluated.
 */
export function eksClusterOf(snapshot: Snapshot): EksCluster {
  if (!snapshot.eks)
    throw new Error('the snapshot marks eksCluster as read but holds no EKS cluster description');
  return snapshot.eks.cluster;
}

/**
 * In authentication mode API, EKS ignores aws-auth entirely (the switch is one-way), so its entries map no
 * one; every other mode, and a cluster that predates access entries, reads it.
 */
export function awsAuthInEffect(snapshot: Snapshot): boolean {
  return snapshot.eks?.cluster.accessConfig?.authenticationMode !== 'API';
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

/** Why an aws-auth ARN can never match anyone, with the ARN that would. */
export interface DeadArn {
  reason: 'role-path' | 'assumed-role' | 'not-an-arn';
  explanation: string;
  /** The form EKS compares against, when there is one. */
  canonical?: string;
}

/**
 * EKS looks an identity up by its canonical ARN: for a role that is `arn:PARTITION:iam::ACCOUNT:role/NAME`, without
 * the role's path and never the STS assumed-role form. An entry written any other way matches no one.
 */
export function deadAwsAuthArn(arn: string): DeadArn | null {
  const role = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(.+)$/.exec(arn);
  if (role) {
    const name = role[3]!;
    if (!name.includes('/')) return null;
    const canonical = `arn:${role[1]}:iam::${role[2]}:role/${name.slice(name.lastIndexOf('/') + 1)}`;
    return {
      reason: 'role-path',
      explanation:
        'the role ARN includes a path; EKS compares against the assumed role without its path, so this entry never matches',
      canonical,
    };
  }
  const assumed = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  if (assumed) {
    return {
      reason: 'assumed-role',
      explanation:
        'the ARN is an STS assumed-role session; EKS compares against the role ARN, so this entry never matches',
      canonical: `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`,
    };
  }
  if (!/^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$/.test(arn)) {
    return {
      reason: 'not-an-arn',
      explanation: 'the value is not an IAM or STS ARN with an account id, so it matches no one',
    };
  }
  return null;
}

/** An entry EKS never consults because another entry for the same principal wins. */
export interface ShadowedMapping {
  mapping: AwsAuthMapping;
  by: AwsAuthMapping;
}

export interface ResolvedAwsAuth {
  /** The entries EKS actually uses, in ConfigMap order. */
  effective: AwsAuthMapping[];
  shadowed: ShadowedMapping[];
  dead: { mapping: AwsAuthMapping; dead: DeadArn }[];
}

/**
 * Resolves aws-auth as the authenticator does: each list is keyed by the lower-cased ARN and a later entry
 * replaces an earlier one; mapRoles is consulted before mapUsers, so a role entry hides a user entry for the
 * same ARN. Entries whose ARN can never match are set apart.
 */
export function resolveAwsAuth(mappings: readonly AwsAuthMapping[]): ResolvedAwsAuth {
  const out: ResolvedAwsAuth = { effective: [], shadowed: [], dead: [] };
  const live: AwsAuthMapping[] = [];
  for (const mapping of mappings) {
    const dead = deadAwsAuthArn(mapping.arn);
    if (dead) out.dead.push({ mapping, dead });
    else live.push(mapping);
  }
  const winner = new Map<string, AwsAuthMapping>();
  for (const source of ['mapUsers', 'mapRoles'] as const) {
    for (const mapping of live) if (mapping.source === source) winner.set(mapping.arn.toLowerCase(), mapping);
  }
  for (const mapping of live) {
    const by = winner.get(mapping.arn.toLowerCase())!;
    if (by === mapping) out.effective.push(mapping);
    else out.shadowed.push({ mapping, by });
  }
  return out;
}

/** The entries EKS actually uses (see resolveAwsAuth). */
export function effectiveAwsAuthMappings(mappings: readonly AwsAuthMapping[]): AwsAuthMapping[] {
  return resolveAwsAuth(mappings).effective;
}

/** One aws-auth entry with, when EKS never uses it, the reason. */
export interface AwsAuthEntry {
  mapping: AwsAuthMapping;
  inert?: string;
}

/**
 * Every aws-auth entry, those EKS uses first. Checks on what entries grant report inert ones too (at a lower
 * severity): they show intent, and fixing the typo or removing the duplicate that hides them brings them to life.
 * A check skips an inert entry for an ARN it already reported through an effective one.
 */
export function awsAuthEntries(mappings: readonly AwsAuthMapping[]): AwsAuthEntry[] {
  const resolved = resolveAwsAuth(mappings);
  const out: AwsAuthEntry[] = resolved.effective.map((mapping) => ({ mapping }));
  const inert: AwsAuthEntry[] = [
    ...resolved.shadowed.map(({ mapping, by }) => ({
      mapping,
      inert: `${by.source}[${by.index}] maps the same ARN and replaces this entry`,
    })),
    ...resolved.dead.map(({ mapping, dead }) => ({ mapping, inert: dead.explanation })),
  ];
  return out.concat(
    inert.sort(
      (a, b) => a.mapping.source.localeCompare(b.mapping.source) || a.mapping.index - b.mapping.index,
    ),
  );
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
    throw new Error(
      'the cluster description has no endpoint settings (resourcesVpcConfig.endpointPublicAccess/endpointPrivateAccess)',
    );
  }
  return {
    endpointPublicAccess: vpc.endpointPublicAccess,
    endpointPrivateAccess: vpc.endpointPrivateAccess,
    publicAccessCidrs: vpc.publicAccessCidrs ?? [],
  };
}
