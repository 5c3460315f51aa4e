import type { Snapshot } from '../snapshot/model.ts';
import { type AwsAuthMapping, type ParsedAwsAuth, parseAwsAuth } from './aws-auth.ts';

/**
 * Which aws-auth entries EKS actually uses to admit a principal. The RBAC index maps only those; the identity
 * checks also look at the rest, which they report as inert or malformed.
 */

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

/**
 * The principal an ARN stands for, as EKS compares principals: lower-cased, a role without its path. An access
 * entry names a role with its path; the aws-auth entry for the same role names it without.
 */
export function principalKey(arn: string): string {
  const dead = deadAwsAuthArn(arn);
  return (dead?.reason === 'role-path' ? dead.canonical! : arn).toLowerCase();
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
  /** Entries for a principal that also has an access entry, which EKS uses instead. */
  overridden: { mapping: AwsAuthMapping; accessEntry: string }[];
}

/**
 * Resolves aws-auth as the authenticator does: each list is keyed by the lower-cased ARN and a later entry
 * replaces an earlier one; mapRoles is consulted before mapUsers, so a role entry hides a user entry for the
 * same ARN. Entries whose ARN can never match are set apart, and so are entries for a principal that has an
 * EKS access entry: in API_AND_CONFIG_MAP the access entry takes precedence.
 */
export function resolveAwsAuth(
  mappings: readonly AwsAuthMapping[],
  options: { accessEntryArns?: readonly string[] } = {},
): ResolvedAwsAuth {
  const out: ResolvedAwsAuth = { effective: [], shadowed: [], dead: [], overridden: [] };
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
  const accessEntries = new Map<string, string>();
  for (const arn of options.accessEntryArns ?? []) accessEntries.set(principalKey(arn), arn);
  for (const mapping of live) {
    const by = winner.get(mapping.arn.toLowerCase())!;
    if (by !== mapping) {
      out.shadowed.push({ mapping, by });
      continue;
    }
    const accessEntry = accessEntries.get(principalKey(mapping.arn));
    if (accessEntry) out.overridden.push({ mapping, accessEntry });
    else out.effective.push(mapping);
  }
  return out;
}

/**
 * In authentication mode API, EKS ignores aws-auth entirely (the switch is one-way), so its entries map no
 * one; every other mode, and a cluster that predates access entries, reads it.
 */
export function awsAuthInEffect(snapshot: Snapshot): boolean {
  return snapshot.eks?.cluster.accessConfig?.authenticationMode !== 'API';
}

/** aws-auth of one cluster: what the ConfigMap says, and what EKS makes of it. */
export interface ClusterAwsAuth {
  parsed: ParsedAwsAuth;
  /** False in authentication mode API: then no entry admits anyone, whatever `resolved` says. */
  inEffect: boolean;
  resolved: ResolvedAwsAuth;
}

/**
 * Reads the snapshot's aws-auth and resolves it against the cluster's access entries. Access entries that
 * were not read cannot override anything, so a partial read errs towards mapping an entry, never towards
 * hiding one.
 */
export function clusterAwsAuth(snapshot: Snapshot): ClusterAwsAuth {
  const parsed = parseAwsAuth(snapshot.kubernetes.awsAuth);
  const accessEntryArns = (snapshot.eks?.accessEntries ?? []).map((entry) => entry.principalArn);
  return {
    parsed,
    inEffect: awsAuthInEffect(snapshot),
    resolved: resolveAwsAuth(parsed.mappings, { accessEntryArns }),
  };
}

/** The aws-auth entries EKS uses to admit a principal: none in authentication mode API. */
export function admittedAwsAuthMappings(snapshot: Snapshot): AwsAuthMapping[] {
  const awsAuth = clusterAwsAuth(snapshot);
  return awsAuth.inEffect ? awsAuth.resolved.effective : [];
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
export function awsAuthEntries(resolved: ResolvedAwsAuth): AwsAuthEntry[] {
  const out: AwsAuthEntry[] = resolved.effective.map((mapping) => ({ mapping }));
  const inert: AwsAuthEntry[] = [
    ...resolved.shadowed.map(({ mapping, by }) => ({
      mapping,
      inert: `${by.source}[${by.index}] maps the same ARN and replaces this entry`,
    })),
    ...resolved.overridden.map(({ mapping, accessEntry }) => ({
      mapping,
      inert: `access entry ${accessEntry} covers the same principal and EKS uses it instead`,
    })),
    ...resolved.dead.map(({ mapping, dead }) => ({ mapping, inert: dead.explanation })),
  ];
  return out.concat(
    inert.sort(
      (a, b) => a.mapping.source.localeCompare(b.mapping.source) || a.mapping.index - b.mapping.index,
    ),
  );
}
