import { isMap, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { findJsonSyntaxError } from './json-position.ts';
import { isAuditedApiVersion, parseKubernetesObject } from './kubernetes.ts';
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
  return parseText(input, false).map((document) => document.value);
}

/** A parsed document with where it starts in its file (1-based lines), for reports that point at sources. */
export interface LocatedDocument {
  value: unknown;
  /** The line the document starts on (1 for JSON, which is one document). */
  line: number;
  /** For a `kind: List` YAML document: the line each entry of `items` starts on, in order. */
  itemLines?: number[];
}

/** parseDocuments, with the line each YAML document (and each item of a YAML List) starts on. */
export function parseLocatedDocuments(input: TextInput): LocatedDocument[] {
  return parseText(input, true);
}

function parseText(input: TextInput, withLines: boolean): LocatedDocument[] {
  const trimmed = input.text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return [{ value: parseJson(input), line: 1 }];
  // The parser records line starts as it reads when asked to (only for located documents).
  const lineCounter = withLines ? new LineCounter() : undefined;
  let list: ReturnType<typeof parseAllDocuments>;
  try {
    list = parseAllDocuments(input.text, { uniqueKeys: false, ...(lineCounter ? { lineCounter } : {}) });
  } catch (error) {
    throw new InputError(input.name, `not valid YAML (${(error as Error).name})`);
  }
  const documents = Array.isArray(list) ? list : [list];
  const lineOf = (offset: number) => (lineCounter ? lineCounter.linePos(offset).line : 1);
  const values: LocatedDocument[] = [];
  for (const [index, doc] of documents.entries()) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const where = pos ? `, line ${pos.line}, column ${pos.col}` : '';
      // The first line of the library's message, without the source excerpt it appends.
      const detail = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      throw new InputError(
        input.name,
        `document ${index + 1}${where}: not valid YAML (${error.code}: ${detail.slice(0, 200)})`,
      );
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // Alias bombs and similar: the text parses but cannot be turned into plain values safely.
      throw new InputError(
        input.name,
        `document ${index + 1}: cannot be read (${(error as Error).message.split('\n')[0]?.slice(0, 200)})`,
      );
    }
    if (value === null || value === undefined) continue;
    const located: LocatedDocument = { value, line: lineOf(doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0) };
    if (withLines && isMap(doc.contents)) {
      const items = doc.contents.get('items', true);
      if (isSeq(items)) located.itemLines = items.items.map((item) => lineOf(rangeStart(item)));
    }
    values.push(located);
  }
  return values;
}

function rangeStart(node: unknown): number {
  return (node as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
}

/** JSON.parse with an error that names the file, line and column, and never quotes the input. */
function parseJson(input: TextInput): unknown {
  try {
    return JSON.parse(input.text);
  } catch {
    // V8's message may quote the input and often has no line: locate the error ourselves.
    const error = findJsonSyntaxError(input.text);
    const where = error ? ` at line ${error.line}, column ${error.column} (${error.reason})` : '';
    throw new InputError(input.name, `not valid JSON${where}`);
  }
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

/** A cluster's Kubernetes objects before any is read: every list empty, no aws-auth. */
export function emptyObjects(): KubernetesObjects {
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

/** One value still to sort, with where it came from (built lazily: only errors need the text). */
interface Pending {
  value: unknown;
  where: string;
  index: number;
  fallback?: { kind: string; apiVersion?: string } | undefined;
}

const AWS_AUTH_KEYS = ['mapRoles', 'mapUsers', 'mapAccounts'] as const;

/** Sorts Kubernetes objects (manifests, `kind: List`, `kubectl get -o json` output) into the snapshot's lists. */
export function collectManifestObjects(inputs: TextInput[]): ManifestObjects {
  const objects = emptyObjects();
  const seen = new Set<Source>();
  const report: LoadReport = { warnings: [], errors: [] };
  const ignored = new Map<string, number>();
  let ignoredConfigMaps = 0;

  // An explicit stack rather than recursion: nesting depth comes from the input and must not crash us.
  const pending: Pending[] = [];
  const visit = (item: Pending) => {
    const { value, fallback } = item;
    const where = item.index >= 0 ? `${item.where}[${item.index}]` : item.where;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        pending.push({ value: value[i], where, index: i, fallback });
      return;
    }
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const kind = typeof record.kind === 'string' ? record.kind : undefined;
      if (kind?.endsWith('List') && 'items' in record) {
        // Some clients print an empty list as `items: null`; that is an empty list, not a malformed one.
        const items = record.items ?? [];
        if (!Array.isArray(items)) {
          report.errors.push(`${where}: ${kind} has items that are not a list`);
          return;
        }
        let itemFallback: Pending['fallback'];
        if (kind !== 'List') {
          const itemKind = kind.slice(0, -'List'.length);
          const apiVersion = typeof record.apiVersion === 'string' ? record.apiVersion : undefined;
          itemFallback = apiVersion ? { kind: itemKind, apiVersion } : { kind: itemKind };
          // A typed list is a complete read of its kind, even when empty.
          const source = KIND_SOURCE[itemKind];
          if (source && isAuditedApiVersion(itemKind, apiVersion)) seen.add(source);
        }
        const base = `${where} items`;
        for (let i = items.length - 1; i >= 0; i--) {
          pending.push({ value: items[i], where: base, index: i, fallback: itemFallback });
        }
        return;
      }
    }
    const result = parseKubernetesObject(value, fallback?.kind, fallback?.apiVersion);
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
        const problem = awsAuthDataProblem(data);
        if (problem) {
          report.errors.push(`${where}: ConfigMap kube-system/aws-auth ${problem}`);
          return;
        }
        const parsed = awsAuthSchema.safeParse(pickStrings(data as Record<string, unknown>, AWS_AUTH_KEYS));
        if (!parsed.success)
          report.errors.push(`${where}: ConfigMap kube-system/aws-auth has a value too large`);
        else objects.awsAuth = parsed.data;
        seen.add('awsAuth');
      } else {
        // Other ConfigMaps may hold anything, credentials included: counted, never kept.
        ignoredConfigMaps++;
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
      const where = documents.length > 1 ? `${input.name} document ${i + 1}` : input.name;
      pending.push({ value: documents[i], where, index: -1 });
      while (pending.length > 0) visit(pending.pop()!);
    }
  }
  for (const [kind, count] of ignored) {
    report.warnings.push(
      `ignored ${count} ${kind} object${count === 1 ? '' : 's'}: no check reads that kind`,
    );
  }
  if (ignoredConfigMaps > 0) {
    report.warnings.push(
      `ignored ${ignoredConfigMaps} ConfigMap${ignoredConfigMaps === 1 ? '' : 's'}: only kube-system/aws-auth is read; others are not stored`,
    );
  }
  return { objects, seen, report };
}

/** Why the aws-auth data cannot be used, if it cannot: EKS reads each key as a YAML string. */
function awsAuthDataProblem(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return 'has data that is not a map';
  for (const key of AWS_AUTH_KEYS) {
    const value = (data as Record<string, unknown>)[key];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      return `has data.${key} that is not a string (EKS reads it as YAML text, e.g. \`${key}: |\`)`;
    }
  }
  return undefined;
}

function pickStrings(data: Record<string, unknown>, keys: readonly string[]): Record<string, string> {
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
    const encryptsSecrets = (eks.cluster.encryptionConfig ?? []).some((c) => c.provider?.keyArn);
    coverage.kmsKey = eks.kmsKey
      ? { status: 'complete' }
      : encryptsSecrets
        ? { status: 'not_collected', reason: `no kmsKey in ${name} (KMS is read only by live collection)` }
        : { status: 'not_applicable', reason: 'the cluster has no KMS key for secrets encryption' };
  } else {
    for (const source of ['eksCluster', 'accessEntries', 'identityProviderConfigs', 'kmsKey'] as const) {
      coverage[source] = { status: 'not_applicable', reason: 'not an EKS cluster' };
    }
  }
  const snapshot = snapshotSchema.parse({
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
    kubernetes: { awsAuth: objects.awsAuth },
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
  // Every object was already validated by its own schema when it was read: validating hundreds of thousands of
  // them a second time would double the cost of loading a large cluster for nothing.
  snapshot.kubernetes = objects;
  return snapshot;
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
  const parsed = snapshotSchema.safeParse(parseJson(input));
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
