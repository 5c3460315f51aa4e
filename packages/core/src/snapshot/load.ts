import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { parseKubernetesObject } from './kubernetes.ts';
import {
  type AccessEntry,
  type AwsAuthConfigMap,
  accessEntrySchema,
  awsAuthSchema,
  type Coverage,
  eksClusterSchema,
  type KmsKey,
  type KubernetesObjects,
  kmsKeySchema,
  type OidcConfig,
  oidcConfigSchema,
  type Snapshot,
  type Source,
  snapshotSchema,
} from './model.ts';

/** A file's text with the name used in messages. Reading it is the caller's job: core does no I/O. */
export interface TextInput {
  name: string;
  text: string;
}

/** Parses JSON or (multi-document) YAML into plain values; a syntax error names the file and the line. */
export function parseDocuments(input: TextInput): unknown[] {
  const trimmed = input.text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return [JSON.parse(input.text)];
    } catch (error) {
      throw new InputError(input.name, `not valid JSON (${(error as Error).message})`);
    }
  }
  const documents = parseAllDocuments(input.text, { uniqueKeys: false });
  const list = Array.isArray(documents) ? documents : [documents];
  const values: unknown[] = [];
  for (const [index, doc] of list.entries()) {
    const error = doc.errors[0];
    if (error) {
      const where = error.linePos?.[0] ? ` line ${error.linePos[0].line}` : '';
      throw new InputError(input.name, `document ${index + 1}${where}: not valid YAML (${error.code})`);
    }
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}

/** What loading manifests produced besides the objects: warnings for the user, errors that make input bad. */
export interface LoadReport {
  warnings: string[];
  errors: string[];
}

interface ManifestObjects {
  objects: KubernetesObjects;
  seen: Set<Source>;
  report: LoadReport;
}

const KIND_SOURCE: Record<string, Source> = {
  ClusterRole: 'clusterroles',
  Role: 'roles',
  ClusterRoleBinding: 'clusterrolebindings',
  RoleBinding: 'rolebindings',
  ServiceAccount: 'serviceaccounts',
  Namespace: 'namespaces',
  Pod: 'pods',
};

function emptyObjects(): KubernetesObjects {
  return {
    clusterRoles: [],
    roles: [],
    clusterRoleBindings: [],
    roleBindings: [],
    serviceAccounts: [],
    namespaces: [],
    pods: [],
    awsAuth: null,
  };
}

/** Sorts Kubernetes objects (manifests, `kind: List`, `kubectl get -o json` output) into the snapshot's lists. */
export function collectManifestObjects(inputs: TextInput[]): ManifestObjects {
  const objects = emptyObjects();
  const seen = new Set<Source>();
  const report: LoadReport = { warnings: [], errors: [] };
  const ignored = new Map<string, number>();

  const visit = (value: unknown, where: string, fallbackKind?: string) => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(value[i], `${where}[${i}]`, fallbackKind);
      return;
    }
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const kind = typeof record.kind === 'string' ? record.kind : undefined;
      if ((kind === 'List' || kind?.endsWith('List')) && 'items' in record) {
        if (!Array.isArray(record.items)) {
          report.errors.push(`${where}: ${kind} has items that are not a list`);
          return;
        }
        const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
        if (itemKind && KIND_SOURCE[itemKind]) seen.add(KIND_SOURCE[itemKind]);
        const items = record.items as unknown[];
        for (let i = 0; i < items.length; i++) visit(items[i], `${where} items[${i}]`, itemKind);
        return;
      }
    }
    const result = parseKubernetesObject(value, fallbackKind);
    if (result.ok === 'ignored') {
      ignored.set(result.kind, (ignored.get(result.kind) ?? 0) + 1);
      return;
    }
    if (!result.ok) {
      report.errors.push(`${where}: ${result.error}`);
      return;
    }
    if (result.object === null) {
      const { namespace, name, data } = result.configMap;
      if (namespace === 'kube-system' && name === 'aws-auth') {
        const parsed = awsAuthSchema.safeParse(pickStrings(data, ['mapRoles', 'mapUsers', 'mapAccounts']));
        if (!parsed.success)
          report.errors.push(`${where}: ConfigMap kube-system/aws-auth has a value too large`);
        else objects.awsAuth = parsed.data;
        seen.add('awsAuth');
      } else {
        ignored.set('ConfigMap', (ignored.get('ConfigMap') ?? 0) + 1);
      }
      return;
    }
    const object = result.object;
    seen.add(KIND_SOURCE[object.kind] as Source);
    switch (object.kind) {
      case 'ClusterRole':
        objects.clusterRoles.push(object);
        break;
      case 'Role':
        objects.roles.push(object);
        break;
      case 'ClusterRoleBinding':
        objects.clusterRoleBindings.push(object);
        break;
      case 'RoleBinding':
        objects.roleBindings.push(object);
        break;
      case 'ServiceAccount':
        objects.serviceAccounts.push(object);
        break;
      case 'Namespace':
        objects.namespaces.push(object);
        break;
      case 'Pod':
        objects.pods.push(object);
        break;
    }
  };

  for (const input of inputs) {
    const documents = parseDocuments(input);
    for (let i = 0; i < documents.length; i++) {
      visit(documents[i], documents.length > 1 ? `${input.name} document ${i + 1}` : input.name);
    }
  }
  for (const [kind, count] of ignored) {
    report.warnings.push(
      `ignored ${count} ${kind} object${count === 1 ? '' : 's'}: no check reads that kind`,
    );
  }
  return { objects, seen, report };
}

function pickStrings(data: Record<string, unknown>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = data[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/** The EKS part of a snapshot as read from a file. */
export interface EksInput {
  cluster: z.infer<typeof eksClusterSchema>;
  accessEntries: AccessEntry[] | null;
  identityProviderConfigs: OidcConfig[] | null;
  kmsKey: KmsKey | null;
}

const eksFileSchema = z.object({
  cluster: eksClusterSchema,
  accessEntries: z
    .array(
      z.preprocess((entry) => {
        // Accept `aws eks describe-access-entry` output ({accessEntry: {...}}) merged with its policies.
        if (entry && typeof entry === 'object' && 'accessEntry' in entry) {
          const { accessEntry, ...rest } = entry as { accessEntry: object };
          return { ...accessEntry, ...rest };
        }
        return entry;
      }, accessEntrySchema),
    )
    .optional(),
  identityProviderConfigs: z
    .array(
      z.preprocess((config) => {
        if (config && typeof config === 'object') {
          const record = config as Record<string, unknown>;
          const inner = (record.identityProviderConfig as Record<string, unknown> | undefined) ?? record;
          return inner.oidc ?? inner;
        }
        return config;
      }, oidcConfigSchema),
    )
    .optional(),
  kmsKey: z
    .preprocess((key) => {
      // Accept `aws kms describe-key` output, optionally with `KeyRotationEnabled` beside it.
      if (key && typeof key === 'object' && 'KeyMetadata' in key) {
        const { KeyMetadata: meta, KeyRotationEnabled } = key as {
          KeyMetadata: Record<string, unknown>;
          KeyRotationEnabled?: boolean;
        };
        return {
          keyArn: meta.Arn,
          keyState: meta.KeyState,
          keyManager: meta.KeyManager,
          rotationEnabled: KeyRotationEnabled,
        };
      }
      return key;
    }, kmsKeySchema)
    .optional(),
});

/** Reads `aws eks describe-cluster` output, optionally extended with access entries, OIDC configs and KMS data. */
export function parseEksFile(input: TextInput): EksInput {
  const documents = parseDocuments(input);
  if (documents.length !== 1) throw new InputError(input.name, 'expected one JSON or YAML document');
  const parsed = eksFileSchema.safeParse(documents[0]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') || '(document)';
    throw new InputError(
      input.name,
      `not an EKS cluster description (as \`aws eks describe-cluster\` prints): ${path}: ${issue?.message}`,
    );
  }
  return {
    cluster: parsed.data.cluster,
    accessEntries: parsed.data.accessEntries ?? null,
    identityProviderConfigs: parsed.data.identityProviderConfigs ?? null,
    kmsKey: parsed.data.kmsKey ?? null,
  };
}

/** Splits an EKS cluster ARN: arn:aws:eks:REGION:ACCOUNT:cluster/NAME. */
export function parseEksArn(
  arn: string,
): { partition: string; region: string; accountId: string; name: string } | null {
  const match = /^arn:(aws[a-z-]*):eks:([a-z0-9-]+):(\d{12}):cluster\/([A-Za-z0-9][A-Za-z0-9_-]*)$/.exec(arn);
  if (!match) return null;
  return { partition: match[1]!, region: match[2]!, accountId: match[3]!, name: match[4]! };
}

export interface BuildSnapshotOptions {
  manifests: TextInput[];
  eks?: TextInput;
  clusterName?: string;
  collectedAt?: string;
}

/**
 * Builds a snapshot from files users already have. A kind absent from the input is `not_collected`, so
 * checks that need it report `not_evaluated` rather than a pass on data that was never there.
 * Throws InputError when any object is malformed; irrelevant objects only produce warnings.
 */
export function buildSnapshotFromFiles(options: BuildSnapshotOptions): Snapshot {
  const { objects, seen, report } = collectManifestObjects(options.manifests);
  if (report.errors.length > 0) {
    const shown = report.errors.slice(0, 10).join('\n  ');
    const more = report.errors.length > 10 ? `\n  ... and ${report.errors.length - 10} more` : '';
    throw new InputError(
      'manifests',
      `${report.errors.length} object(s) could not be read:\n  ${shown}${more}`,
    );
  }
  const eks = options.eks ? parseEksFile(options.eks) : null;
  const arn = eks?.cluster.arn;
  const arnParts = arn ? parseEksArn(arn) : null;
  const coverage: Partial<Record<Source, Coverage>> = {};
  const fromInput = options.manifests.map((m) => m.name).join(', ') || 'the input';
  for (const source of Object.values(KIND_SOURCE)) {
    coverage[source] = seen.has(source)
      ? { status: 'complete', count: countFor(objects, source) }
      : { status: 'not_collected', reason: `no ${source} in ${fromInput}` };
  }
  const authMode = eks?.cluster.accessConfig?.authenticationMode;
  if (seen.has('awsAuth')) coverage.awsAuth = { status: 'complete' };
  else if (!eks) coverage.awsAuth = { status: 'not_applicable', reason: 'not an EKS cluster' };
  else if (authMode === 'API')
    coverage.awsAuth = { status: 'not_applicable', reason: 'authentication mode is API' };
  else
    coverage.awsAuth = {
      status: 'not_collected',
      reason: `no kube-system/aws-auth ConfigMap in ${fromInput}`,
    };
  if (eks) {
    const name = options.eks?.name ?? 'the EKS file';
    coverage.eksCluster = { status: 'complete' };
    coverage.accessEntries = eks.accessEntries
      ? { status: 'complete', count: eks.accessEntries.length }
      : { status: 'not_collected', reason: `no accessEntries in ${name}` };
    coverage.identityProviderConfigs = eks.identityProviderConfigs
      ? { status: 'complete', count: eks.identityProviderConfigs.length }
      : { status: 'not_collected', reason: `no identityProviderConfigs in ${name}` };
    coverage.kmsKey = eks.kmsKey
      ? { status: 'complete' }
      : { status: 'not_collected', reason: `no kmsKey in ${name} (KMS is read only by live collection)` };
  } else {
    for (const source of ['eksCluster', 'accessEntries', 'identityProviderConfigs', 'kmsKey'] as const) {
      coverage[source] = { status: 'not_applicable', reason: 'not an EKS cluster' };
    }
  }
  return snapshotSchema.parse({
    schemaVersion: 1,
    cluster: {
      name: options.clusterName ?? eks?.cluster.name ?? 'cluster',
      platform: eks ? 'eks' : 'kubernetes',
      arn,
      accountId: arnParts?.accountId,
      region: arnParts?.region,
      kubernetesVersion: eks?.cluster.version,
    },
    collectedAt: options.collectedAt,
    kubernetes: objects,
    eks: eks
      ? {
          cluster: eks.cluster,
          accessEntries: eks.accessEntries ?? [],
          identityProviderConfigs: eks.identityProviderConfigs ?? [],
          kmsKey: eks.kmsKey,
        }
      : null,
    coverage,
    warnings: report.warnings,
  });
}

function countFor(objects: KubernetesObjects, source: Source): number {
  switch (source) {
    case 'clusterroles':
      return objects.clusterRoles.length;
    case 'roles':
      return objects.roles.length;
    case 'clusterrolebindings':
      return objects.clusterRoleBindings.length;
    case 'rolebindings':
      return objects.roleBindings.length;
    case 'serviceaccounts':
      return objects.serviceAccounts.length;
    case 'namespaces':
      return objects.namespaces.length;
    case 'pods':
      return objects.pods.length;
    default:
      return 0;
  }
}

/** Reads a snapshot file (`vigil collect --out`): JSON validated against the snapshot schema. */
export function parseSnapshotFile(input: TextInput): Snapshot {
  let value: unknown;
  try {
    value = JSON.parse(input.text);
  } catch (error) {
    throw new InputError(input.name, `not valid JSON (${(error as Error).message})`);
  }
  const parsed = snapshotSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      input.name,
      `not a Vigil snapshot: ${issue?.path.join('.') || '(document)'}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

export type { AwsAuthConfigMap };
