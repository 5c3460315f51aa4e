import { z } from 'zod';

/**
 * The snapshot model: everything an audit reads, as one immutable value, and its file form.
 * Kubernetes objects are kept trimmed to the fields the checks read; unknown fields are dropped when parsed.
 */

const MAX_NAME = 512;
const MAX_STRING = 4096;

export const nameSchema = z.string().min(1).max(MAX_NAME);
const shortString = z.string().max(MAX_STRING);
const stringMap = z.record(z.string().max(MAX_NAME), z.string().max(64 * 1024));

/** A list that some tools write as `null` when empty: both mean "none". */
function list<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((value) => value ?? []);
}

export const policyRuleSchema = z.object({
  verbs: list(shortString),
  apiGroups: list(shortString),
  resources: list(shortString),
  resourceNames: list(shortString),
  nonResourceURLs: list(shortString),
});
export type PolicyRule = z.infer<typeof policyRuleSchema>;

export const labelSelectorSchema = z.object({
  matchLabels: stringMap.optional(),
  matchExpressions: z
    .array(
      z.object({
        key: shortString,
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(shortString).optional(),
      }),
    )
    .optional(),
});
export type LabelSelector = z.infer<typeof labelSelectorSchema>;

const objectMeta = {
  name: nameSchema,
  labels: stringMap.default({}),
  annotations: stringMap.default({}),
};

export const clusterRoleSchema = z.object({
  kind: z.literal('ClusterRole'),
  ...objectMeta,
  rules: list(policyRuleSchema),
  aggregationRule: z.object({ clusterRoleSelectors: list(labelSelectorSchema) }).optional(),
});
export type ClusterRole = z.infer<typeof clusterRoleSchema>;

export const roleSchema = z.object({
  kind: z.literal('Role'),
  ...objectMeta,
  namespace: nameSchema,
  rules: list(policyRuleSchema),
});
export type Role = z.infer<typeof roleSchema>;

export const subjectSchema = z.object({
  kind: z.enum(['User', 'Group', 'ServiceAccount']),
  name: nameSchema,
  namespace: nameSchema.optional(),
});
export type Subject = z.infer<typeof subjectSchema>;

export const roleRefSchema = z.object({
  kind: z.enum(['Role', 'ClusterRole']),
  name: nameSchema,
});
export type RoleRef = z.infer<typeof roleRefSchema>;

export const clusterRoleBindingSchema = z.object({
  kind: z.literal('ClusterRoleBinding'),
  ...objectMeta,
  roleRef: roleRefSchema,
  subjects: list(subjectSchema),
});
export type ClusterRoleBinding = z.infer<typeof clusterRoleBindingSchema>;

export const roleBindingSchema = z.object({
  kind: z.literal('RoleBinding'),
  ...objectMeta,
  namespace: nameSchema,
  roleRef: roleRefSchema,
  subjects: list(subjectSchema),
});
export type RoleBinding = z.infer<typeof roleBindingSchema>;

export const serviceAccountSchema = z.object({
  kind: z.literal('ServiceAccount'),
  ...objectMeta,
  namespace: nameSchema,
  automountServiceAccountToken: z.boolean().optional(),
});
export type ServiceAccount = z.infer<typeof serviceAccountSchema>;

export const namespaceSchema = z.object({
  kind: z.literal('Namespace'),
  ...objectMeta,
});
export type Namespace = z.infer<typeof namespaceSchema>;

export const podSchema = z.object({
  kind: z.literal('Pod'),
  ...objectMeta,
  namespace: nameSchema,
  serviceAccountName: nameSchema.default('default'),
  automountServiceAccountToken: z.boolean().optional(),
  owner: z.object({ kind: nameSchema, name: nameSchema }).optional(),
});
export type Pod = z.infer<typeof podSchema>;

/** The `kube-system/aws-auth` ConfigMap, keeping only the keys EKS reads. Other keys are never stored. */
export const awsAuthSchema = z.object({
  mapRoles: z
    .string()
    .max(4 * 1024 * 1024)
    .optional(),
  mapUsers: z
    .string()
    .max(4 * 1024 * 1024)
    .optional(),
  mapAccounts: z
    .string()
    .max(4 * 1024 * 1024)
    .optional(),
});
export type AwsAuthConfigMap = z.infer<typeof awsAuthSchema>;

export const eksClusterSchema = z.object({
  name: nameSchema,
  arn: shortString.optional(),
  version: shortString.optional(),
  platformVersion: shortString.optional(),
  status: shortString.optional(),
  accessConfig: z
    .object({
      authenticationMode: shortString.optional(),
      bootstrapClusterCreatorAdminPermissions: z.boolean().optional(),
    })
    .optional(),
  encryptionConfig: z
    .array(
      z.object({
        resources: list(shortString),
        provider: z.object({ keyArn: shortString.optional() }).optional(),
      }),
    )
    .optional(),
  logging: z
    .object({
      clusterLogging: z
        .array(z.object({ types: list(shortString), enabled: z.boolean().default(false) }))
        .default([]),
    })
    .optional(),
  resourcesVpcConfig: z
    .object({
      endpointPublicAccess: z.boolean().optional(),
      endpointPrivateAccess: z.boolean().optional(),
      publicAccessCidrs: z.array(shortString).optional(),
    })
    .optional(),
});
export type EksCluster = z.infer<typeof eksClusterSchema>;

export const accessScopeSchema = z.object({
  type: z.enum(['cluster', 'namespace']),
  namespaces: list(nameSchema),
});

export const accessEntrySchema = z.object({
  principalArn: shortString.min(1),
  kubernetesGroups: list(nameSchema),
  username: shortString.optional(),
  type: shortString.optional(),
  associatedAccessPolicies: z
    .array(z.object({ policyArn: shortString.min(1), accessScope: accessScopeSchema }))
    .default([]),
});
export type AccessEntry = z.infer<typeof accessEntrySchema>;

export const oidcConfigSchema = z.object({
  identityProviderConfigName: nameSchema,
  issuerUrl: shortString.optional(),
  clientId: shortString.optional(),
  usernameClaim: shortString.optional(),
  usernamePrefix: shortString.optional(),
  groupsClaim: shortString.optional(),
  groupsPrefix: shortString.optional(),
  status: shortString.optional(),
});
export type OidcConfig = z.infer<typeof oidcConfigSchema>;

export const kmsKeySchema = z.object({
  keyArn: shortString.min(1),
  keyState: shortString.optional(),
  keyManager: z.enum(['AWS', 'CUSTOMER']).optional(),
  rotationEnabled: z.boolean().optional(),
});
export type KmsKey = z.infer<typeof kmsKeySchema>;

/** Every input a check can need; coverage is kept per source. */
export const SOURCES = [
  'clusterroles',
  'roles',
  'clusterrolebindings',
  'rolebindings',
  'serviceaccounts',
  'namespaces',
  'pods',
  'awsAuth',
  'eksCluster',
  'accessEntries',
  'identityProviderConfigs',
  'kmsKey',
] as const;
export type Source = (typeof SOURCES)[number];

export const coverageSchema = z.object({
  status: z.enum([
    'complete',
    'forbidden',
    'not_found',
    'timed_out',
    'error',
    'not_collected',
    'not_applicable',
  ]),
  reason: shortString.optional(),
  count: z.number().int().nonnegative().optional(),
});
export type Coverage = z.infer<typeof coverageSchema>;

export const snapshotSchema = z.object({
  schemaVersion: z.literal(1),
  cluster: z.object({
    name: nameSchema,
    platform: z.enum(['eks', 'kubernetes']),
    arn: shortString.optional(),
    accountId: shortString.optional(),
    region: shortString.optional(),
    kubernetesVersion: shortString.optional(),
  }),
  collectedAt: shortString.optional(),
  kubernetes: z.object({
    clusterRoles: list(clusterRoleSchema),
    roles: list(roleSchema),
    clusterRoleBindings: list(clusterRoleBindingSchema),
    roleBindings: list(roleBindingSchema),
    serviceAccounts: list(serviceAccountSchema),
    namespaces: list(namespaceSchema),
    pods: list(podSchema),
    awsAuth: awsAuthSchema.nullable().default(null),
  }),
  eks: z
    .object({
      cluster: eksClusterSchema,
      accessEntries: list(accessEntrySchema),
      identityProviderConfigs: list(oidcConfigSchema),
      kmsKey: kmsKeySchema.nullable().default(null),
    })
    .nullable()
    .default(null),
  coverage: z.partialRecord(z.enum(SOURCES), coverageSchema).default({}),
  warnings: list(shortString),
});
export type Snapshot = z.infer<typeof snapshotSchema>;
export type SnapshotInput = z.input<typeof snapshotSchema>;
export type KubernetesObjects = Snapshot['kubernetes'];

/** The JSON Schema of the snapshot file (`vigil collect --out`, `vigil scan --snapshot`). */
export function snapshotJsonSchema(): Record<string, unknown> {
  // `input`: what a file may contain (defaults may be left out), not what parsing returns.
  const { $schema, ...rest } = z.toJSONSchema(snapshotSchema, { io: 'input' }) as Record<string, unknown>;
  return {
    $schema,
    title: 'Vigil snapshot',
    description:
      'Everything one audit reads about one cluster: trimmed Kubernetes objects, EKS settings and identity mappings, and per-source coverage. Written by `vigil collect --out`, read by `vigil scan --snapshot`.',
    ...rest,
  };
}
