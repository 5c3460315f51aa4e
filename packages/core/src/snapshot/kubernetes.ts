import { z } from 'zod';
import {
  type ClusterRole,
  type ClusterRoleBinding,
  clusterRoleBindingSchema,
  clusterRoleSchema,
  type Namespace,
  namespaceSchema,
  type Pod,
  podSchema,
  type Role,
  type RoleBinding,
  roleBindingSchema,
  roleSchema,
  type ServiceAccount,
  serviceAccountSchema,
} from './model.ts';

/** Annotations worth keeping: the rest (last-applied-configuration, ...) can be large and is never read. */
const KEPT_ANNOTATIONS = new Set(['rbac.authorization.kubernetes.io/autoupdate']);

export type KubernetesObject =
  | ClusterRole
  | Role
  | ClusterRoleBinding
  | RoleBinding
  | ServiceAccount
  | Namespace
  | Pod;

export type RawParseResult =
  | { ok: true; object: KubernetesObject }
  | { ok: true; object: null; configMap: { namespace: string; name: string; data: unknown } }
  | { ok: false; error: string }
  | { ok: 'ignored'; kind: string };

/** Kinds the audit reads, keyed by the `kind` field of a Kubernetes object. */
export const AUDITED_KINDS = [
  'ClusterRole',
  'Role',
  'ClusterRoleBinding',
  'RoleBinding',
  'ServiceAccount',
  'Namespace',
  'Pod',
] as const;

/** The API group each audited kind must come from: a CRD may reuse a kind name (Crossplane's `Role`). */
const KIND_GROUPS: Readonly<Record<string, string>> = {
  ClusterRole: 'rbac.authorization.k8s.io',
  Role: 'rbac.authorization.k8s.io',
  ClusterRoleBinding: 'rbac.authorization.k8s.io',
  RoleBinding: 'rbac.authorization.k8s.io',
  ServiceAccount: '',
  Namespace: '',
  Pod: '',
  ConfigMap: '',
};

/** True when an object of this kind and apiVersion is the Kubernetes kind we read (no apiVersion: assume so). */
export function isAuditedApiVersion(kind: string, apiVersion: string | undefined): boolean {
  const expected = KIND_GROUPS[kind];
  if (expected === undefined) return false;
  if (apiVersion === undefined) return true;
  const slash = apiVersion.lastIndexOf('/');
  return (slash === -1 ? '' : apiVersion.slice(0, slash)) === expected;
}

const rawMeta = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.unknown()).nullish(),
  annotations: z.record(z.string(), z.unknown()).nullish(),
  ownerReferences: z
    .array(z.object({ kind: z.string(), name: z.string(), controller: z.boolean().nullish() }).loose())
    .nullish(),
});

function stringEntries(map: Record<string, unknown> | null | undefined, keep?: Set<string>) {
  const out: Record<string, string> = {};
  if (!map) return out;
  for (const [key, value] of Object.entries(map)) {
    if (typeof value === 'string' && (!keep || keep.has(key))) out[key] = value;
  }
  return out;
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(object)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Turns an object as the Kubernetes API (or a manifest file) returns it into the trimmed domain shape.
 * Never throws: a malformed object is an error result naming the field; an irrelevant kind is `ignored`.
 */
export function parseKubernetesObject(
  raw: unknown,
  fallbackKind?: string,
  fallbackApiVersion?: string,
): RawParseResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, error: 'not an object' };
  }
  const value = raw as Record<string, unknown>;
  const kind = typeof value.kind === 'string' ? value.kind : fallbackKind;
  if (!kind) return { ok: false, error: 'object has no kind' };
  const apiVersion = typeof value.apiVersion === 'string' ? value.apiVersion : fallbackApiVersion;
  if (KIND_GROUPS[kind] !== undefined && !isAuditedApiVersion(kind, apiVersion)) {
    return { ok: 'ignored', kind: `${kind} (${apiVersion})` };
  }
  const metaResult = rawMeta.safeParse(value.metadata);
  if (!metaResult.success) {
    return { ok: false, error: `${kind}: metadata ${formatIssues(metaResult.error)}` };
  }
  const meta = metaResult.data;
  const base = {
    name: meta.name,
    labels: stringEntries(meta.labels),
    annotations: stringEntries(meta.annotations, KEPT_ANNOTATIONS),
  };
  const spec = (value.spec ?? {}) as Record<string, unknown>;
  let candidate: Record<string, unknown>;
  let schema: z.ZodType<KubernetesObject>;
  switch (kind) {
    case 'ClusterRole':
      candidate = {
        kind,
        ...base,
        rules: value.rules ?? [],
        aggregationRule: value.aggregationRule ?? undefined,
      };
      schema = clusterRoleSchema;
      break;
    case 'Role':
      candidate = { kind, ...base, namespace: meta.namespace, rules: value.rules ?? [] };
      schema = roleSchema;
      break;
    case 'ClusterRoleBinding':
      candidate = { kind, ...base, roleRef: value.roleRef, subjects: value.subjects ?? [] };
      schema = clusterRoleBindingSchema;
      break;
    case 'RoleBinding':
      candidate = {
        kind,
        ...base,
        namespace: meta.namespace,
        roleRef: value.roleRef,
        subjects: value.subjects ?? [],
      };
      schema = roleBindingSchema;
      break;
    case 'ServiceAccount':
      candidate = {
        kind,
        ...base,
        namespace: meta.namespace,
        automountServiceAccountToken: value.automountServiceAccountToken ?? undefined,
      };
      schema = serviceAccountSchema;
      break;
    case 'Namespace':
      candidate = { kind, ...base };
      schema = namespaceSchema;
      break;
    case 'Pod': {
      const owner = meta.ownerReferences?.find((ref) => ref.controller) ?? meta.ownerReferences?.[0];
      candidate = {
        kind,
        ...base,
        namespace: meta.namespace,
        serviceAccountName: spec.serviceAccountName ?? spec.serviceAccount ?? undefined,
        automountServiceAccountToken: spec.automountServiceAccountToken ?? undefined,
        owner: owner ? { kind: owner.kind, name: owner.name } : undefined,
      };
      schema = podSchema;
      break;
    }
    case 'ConfigMap':
      return {
        ok: true,
        object: null,
        configMap: {
          namespace: meta.namespace ?? 'default',
          name: meta.name,
          data: value.data ?? {},
        },
      };
    default:
      return { ok: 'ignored', kind };
  }
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) return { ok: false, error: `${kind} ${meta.name}: ${formatIssues(parsed.error)}` };
  return { ok: true, object: parsed.data };
}
