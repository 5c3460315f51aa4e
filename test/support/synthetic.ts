/**
 * Synthetic clusters for benchmarks and scale tests: a deterministic (seeded) generator of a realistic mix of
 * RBAC objects, workloads and EKS identity mappings, and writers for the files users give Vigil (a
 * `kubectl get ... -o json` List, `aws eks describe-cluster` output extended with access entries, and the
 * snapshot file `vigil collect` writes).
 *
 * The generator builds the snapshot directly, in the exact shape `snapshotSchema` parses to (every default
 * filled in), so benchmarks of later stages do not pay for parsing; the writers derive the raw API form from
 * it, and tests check that loading those files gives the same objects back.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAwsAuth } from '@vigil/core/identity';
import type {
  AccessEntry,
  ClusterRole,
  ClusterRoleBinding,
  Coverage,
  EksCluster,
  Namespace,
  OidcConfig,
  Pod,
  PolicyRule,
  Role,
  RoleBinding,
  RoleRef,
  ServiceAccount,
  Snapshot,
  Source,
  Subject,
} from '@vigil/core/snapshot';

export interface GenerateClusterOptions {
  /** How many objects to generate in all (see {@link countObjects}); the result is exact unless tiny. */
  objects: number;
  /** Same seed, same cluster, byte for byte. Default 1. */
  seed?: number | string;
  /** An EKS cluster with aws-auth and access entries (default), or a plain Kubernetes cluster. */
  eks?: boolean;
  /** Cluster name; default `synthetic-<objects>`. */
  name?: string;
}

/** Objects per kind, as {@link countObjects} counts them. */
export interface ObjectCounts {
  namespaces: number;
  serviceAccounts: number;
  pods: number;
  roles: number;
  roleBindings: number;
  clusterRoles: number;
  clusterRoleBindings: number;
  /** Entries of aws-auth mapRoles, mapUsers and mapAccounts. */
  awsAuthEntries: number;
  accessEntries: number;
}

export interface SyntheticCluster {
  snapshot: Snapshot;
  counts: ObjectCounts;
  total: number;
  seed: number;
}

const ACCOUNT = '111122223333';
/** An account outside the cluster's: its principals are foreign. */
const FOREIGN_ACCOUNT = '444455556666';
const REGION = 'eu-west-1';
const COLLECTED_AT = '2025-06-02T08:00:00.000Z';
const CREATED_AT = Date.parse('2024-03-01T10:00:00Z');
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };
const BOOTSTRAP = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

/** Counts what a benchmark means by "objects": Kubernetes objects plus identity mapping entries. */
export function countObjects(snapshot: Snapshot): ObjectCounts {
  const k8s = snapshot.kubernetes;
  const awsAuth = parseAwsAuth(k8s.awsAuth);
  return {
    namespaces: k8s.namespaces.length,
    serviceAccounts: k8s.serviceAccounts.length,
    pods: k8s.pods.length,
    roles: k8s.roles.length,
    roleBindings: k8s.roleBindings.length,
    clusterRoles: k8s.clusterRoles.length,
    clusterRoleBindings: k8s.clusterRoleBindings.length,
    awsAuthEntries: awsAuth.mappings.length + awsAuth.accounts.length,
    accessEntries: snapshot.eks?.accessEntries.length ?? 0,
  };
}

export function totalOf(counts: ObjectCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

// ---------------------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: tiny, fast, and the same sequence on every platform for a seed. */
function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** Integer in [min, max]. */
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    /** Lower-case alphanumerics, like the suffixes Kubernetes generates. */
    suffix: (length: number) => {
      const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
      let out = '';
      for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
      return out;
    },
  };
}
type Random = ReturnType<typeof createRandom>;

function seedOf(seed: number | string | undefined): number {
  if (seed === undefined) return 1;
  if (typeof seed === 'number') return seed >>> 0;
  // FNV-1a, so string seeds (test names) work too.
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) hash = Math.imul(hash ^ seed.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

// ---------------------------------------------------------------------------------------------------------
// Object builders: every field in the shape snapshotSchema parses to.

function rule(
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  resourceNames: string[] = [],
): PolicyRule {
  return { verbs, apiGroups, resources, resourceNames, nonResourceURLs: [] };
}

function urlRule(verbs: string[], urls: string[]): PolicyRule {
  return { verbs, apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: urls };
}

function clusterRole(
  name: string,
  rules: PolicyRule[],
  options: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    aggregate?: string[];
  } = {},
): ClusterRole {
  const role: ClusterRole = {
    kind: 'ClusterRole',
    name,
    labels: options.labels ?? {},
    annotations: options.annotations ?? {},
    rules,
  };
  if (options.aggregate) {
    role.aggregationRule = {
      clusterRoleSelectors: options.aggregate.map((label) => ({ matchLabels: { [label]: 'true' } })),
    };
  }
  return role;
}

function builtinClusterRole(name: string, rules: PolicyRule[], labels: Record<string, string> = {}) {
  return clusterRole(name, rules, { labels: { ...BOOTSTRAP, ...labels }, annotations: AUTOUPDATE });
}

const user = (name: string): Subject => ({ kind: 'User', name });
const group = (name: string): Subject => ({ kind: 'Group', name });
const serviceAccount = (namespace: string, name: string): Subject => ({
  kind: 'ServiceAccount',
  name,
  namespace,
});

function clusterRoleBinding(
  name: string,
  role: string,
  subjects: Subject[],
  options: { builtin?: boolean; labels?: Record<string, string> } = {},
): ClusterRoleBinding {
  return {
    kind: 'ClusterRoleBinding',
    name,
    labels: options.builtin ? { ...BOOTSTRAP } : (options.labels ?? {}),
    annotations: options.builtin ? { ...AUTOUPDATE } : {},
    roleRef: { kind: 'ClusterRole', name: role },
    subjects,
  };
}

function roleBinding(
  namespace: string,
  name: string,
  roleRef: RoleRef,
  subjects: Subject[],
  builtin = false,
): RoleBinding {
  return {
    kind: 'RoleBinding',
    name,
    namespace,
    labels: builtin ? { ...BOOTSTRAP } : {},
    annotations: builtin ? { ...AUTOUPDATE } : {},
    roleRef,
    subjects,
  };
}

function role(namespace: string, name: string, rules: PolicyRule[], builtin = false): Role {
  return {
    kind: 'Role',
    name,
    namespace,
    labels: builtin ? { ...BOOTSTRAP } : {},
    annotations: builtin ? { ...AUTOUPDATE } : {},
    rules,
  };
}

function namespaceObject(name: string, labels: Record<string, string> = {}): Namespace {
  return {
    kind: 'Namespace',
    name,
    labels: { 'kubernetes.io/metadata.name': name, ...labels },
    annotations: {},
  };
}

function serviceAccountObject(namespace: string, name: string, automount?: boolean): ServiceAccount {
  const sa: ServiceAccount = { kind: 'ServiceAccount', name, namespace, labels: {}, annotations: {} };
  if (automount !== undefined) sa.automountServiceAccountToken = automount;
  return sa;
}

// ---------------------------------------------------------------------------------------------------------
// The built-in part: what a fresh Kubernetes (and EKS) cluster holds before anyone deploys anything.

/** kube-controller-manager's controllers, each with a ServiceAccount, ClusterRole and binding. */
const CONTROLLERS: readonly [string, PolicyRule[]][] = [
  [
    'attachdetach-controller',
    [
      rule(['list', 'watch'], [''], ['nodes', 'persistentvolumes']),
      rule(READ, ['storage.k8s.io'], ['volumeattachments']),
    ],
  ],
  [
    'certificate-controller',
    [
      rule(['delete', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      rule(
        ['update'],
        ['certificates.k8s.io'],
        ['certificatesigningrequests/approval', 'certificatesigningrequests/status'],
      ),
      rule(
        ['approve'],
        ['certificates.k8s.io'],
        ['signers'],
        ['kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/legacy-unknown'],
      ),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ],
  ],
  [
    'clusterrole-aggregation-controller',
    [rule(['escalate', 'get', 'list', 'patch', 'update', 'watch'], [RBAC_GROUP], ['clusterroles'])],
  ],
  [
    'cronjob-controller',
    [
      rule(['get', 'list', 'update', 'watch'], ['batch'], ['cronjobs']),
      rule(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], ['batch'], ['jobs']),
      rule(['delete', 'list'], [''], ['pods']),
    ],
  ],
  [
    'daemon-set-controller',
    [
      rule(['get', 'list', 'watch'], ['apps', 'extensions'], ['daemonsets']),
      rule(['list', 'watch'], [''], ['nodes']),
      rule(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']),
      rule(['create'], [''], ['pods/binding']),
    ],
  ],
  [
    'deployment-controller',
    [
      rule(['get', 'list', 'update', 'watch'], ['apps', 'extensions'], ['deployments']),
      rule(
        ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
        ['apps', 'extensions'],
        ['replicasets'],
      ),
      rule(['get', 'list', 'update', 'watch'], [''], ['pods']),
    ],
  ],
  [
    'disruption-controller',
    [
      rule(READ, ['apps', 'extensions'], ['deployments', 'replicasets', 'statefulsets']),
      rule(READ, ['policy'], ['poddisruptionbudgets']),
      rule(['update'], ['policy'], ['poddisruptionbudgets/status']),
    ],
  ],
  [
    'endpoint-controller',
    [
      rule(READ, [''], ['pods', 'services']),
      rule(['create', 'delete', 'get', 'list', 'update'], [''], ['endpoints']),
    ],
  ],
  [
    'endpointslice-controller',
    [
      rule(READ, [''], ['nodes', 'pods', 'services']),
      rule(['create', 'delete', 'get', 'list', 'update'], ['discovery.k8s.io'], ['endpointslices']),
    ],
  ],
  [
    'ephemeral-volume-controller',
    [
      rule(['get', 'list', 'watch'], [''], ['pods']),
      rule(['create', 'get', 'list', 'watch'], [''], ['persistentvolumeclaims']),
    ],
  ],
  [
    'expand-controller',
    [
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']),
      rule(['get'], [''], ['secrets']),
    ],
  ],
  ['generic-garbage-collector', [rule(['delete', 'get', 'list', 'patch', 'update', 'watch'], ['*'], ['*'])]],
  [
    'horizontal-pod-autoscaler',
    [
      rule(['get', 'list', 'watch'], ['autoscaling'], ['horizontalpodautoscalers']),
      rule(['get', 'update'], ['*'], ['*/scale']),
      rule(['list'], ['metrics.k8s.io'], ['pods']),
    ],
  ],
  [
    'job-controller',
    [
      rule(['get', 'list', 'update', 'watch'], ['batch'], ['jobs']),
      rule(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']),
    ],
  ],
  [
    'namespace-controller',
    [
      rule(['delete', 'get', 'list', 'watch'], [''], ['namespaces']),
      rule(['delete', 'deletecollection', 'get', 'list'], ['*'], ['*']),
    ],
  ],
  [
    'node-controller',
    [
      rule(['delete', 'get', 'list', 'patch', 'update'], [''], ['nodes']),
      rule(['delete', 'list'], [''], ['pods']),
    ],
  ],
  [
    'persistent-volume-binder',
    [
      rule(['create', 'delete', 'get', 'list', 'update', 'watch'], [''], ['persistentvolumes']),
      rule(['get', 'list', 'update', 'watch'], [''], ['persistentvolumeclaims']),
      rule(['create', 'delete', 'get', 'list', 'watch'], [''], ['pods']),
      rule(['get'], [''], ['secrets']),
    ],
  ],
  [
    'pod-garbage-collector',
    [rule(['delete', 'list', 'watch'], [''], ['pods']), rule(['list'], [''], ['nodes'])],
  ],
  ['pv-protection-controller', [rule(['get', 'list', 'update', 'watch'], [''], ['persistentvolumes'])]],
  [
    'pvc-protection-controller',
    [
      rule(['get', 'list', 'update', 'watch'], [''], ['persistentvolumeclaims']),
      rule(['get', 'list', 'watch'], [''], ['pods']),
    ],
  ],
  [
    'replicaset-controller',
    [
      rule(['get', 'list', 'update', 'watch'], ['apps', 'extensions'], ['replicasets']),
      rule(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']),
    ],
  ],
  [
    'replication-controller',
    [
      rule(['get', 'list', 'update', 'watch'], [''], ['replicationcontrollers']),
      rule(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']),
    ],
  ],
  [
    'resourcequota-controller',
    [rule(['list', 'watch'], ['*'], ['*']), rule(['update'], [''], ['resourcequotas/status'])],
  ],
  ['root-ca-cert-publisher', [rule(['create', 'update'], [''], ['configmaps'])]],
  ['route-controller', [rule(['list', 'watch'], [''], ['nodes']), rule(['patch'], [''], ['nodes/status'])]],
  ['service-account-controller', [rule(['create'], [''], ['serviceaccounts'])]],
  [
    'service-controller',
    [
      rule(READ, [''], ['services']),
      rule(['patch', 'update'], [''], ['services/status']),
      rule(['list', 'watch'], [''], ['nodes']),
    ],
  ],
  [
    'statefulset-controller',
    [
      rule(['list', 'watch'], [''], ['pods']),
      rule(['get', 'list', 'update', 'watch'], ['apps'], ['statefulsets']),
      rule(['create', 'delete', 'get', 'patch', 'update'], [''], ['pods']),
      rule(['create', 'get'], [''], ['persistentvolumeclaims']),
    ],
  ],
  ['ttl-after-finished-controller', [rule(['delete', 'get', 'list', 'watch'], ['batch'], ['jobs'])]],
  ['ttl-controller', [rule(['list', 'patch', 'update', 'watch'], [''], ['nodes'])]],
  [
    'legacy-service-account-token-cleaner',
    [rule(['delete', 'get', 'list', 'patch', 'update', 'watch'], [''], ['secrets'])],
  ],
];

const VIEW_RULES: PolicyRule[] = [
  rule(
    READ,
    [''],
    [
      'configmaps',
      'endpoints',
      'persistentvolumeclaims',
      'pods',
      'pods/log',
      'pods/status',
      'replicationcontrollers',
      'serviceaccounts',
      'services',
      'events',
      'limitranges',
      'namespaces',
      'resourcequotas',
    ],
  ),
  rule(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'deployments', 'replicasets', 'statefulsets']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(READ, ['batch'], ['cronjobs', 'jobs']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(READ, ['policy'], ['poddisruptionbudgets']),
];
const EDIT_RULES: PolicyRule[] = [
  rule(
    ['create', 'delete', 'deletecollection', 'patch', 'update', ...READ],
    [''],
    [
      'configmaps',
      'endpoints',
      'persistentvolumeclaims',
      'pods',
      'replicationcontrollers',
      'secrets',
      'serviceaccounts',
      'services',
    ],
  ),
  rule(
    ['create'],
    [''],
    ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'serviceaccounts/token'],
  ),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(
    [...WRITE, ...READ],
    ['apps'],
    ['daemonsets', 'deployments', 'deployments/scale', 'replicasets', 'statefulsets'],
  ),
  rule([...WRITE, ...READ], ['batch'], ['cronjobs', 'jobs']),
  rule([...WRITE, ...READ], ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
];
const ADMIN_RULES: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule([...WRITE, ...READ], [RBAC_GROUP], ['rolebindings', 'roles']),
];

function builtinKubernetes(eks: boolean) {
  const clusterRoles: ClusterRole[] = [
    builtinClusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urlRule(['*'], ['*'])]),
    clusterRole('admin', [], {
      labels: BOOTSTRAP,
      annotations: AUTOUPDATE,
      aggregate: ['rbac.authorization.k8s.io/aggregate-to-admin'],
    }),
    clusterRole('edit', [], {
      labels: { ...BOOTSTRAP, 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' },
      annotations: AUTOUPDATE,
      aggregate: ['rbac.authorization.k8s.io/aggregate-to-edit'],
    }),
    clusterRole('view', [], {
      labels: { ...BOOTSTRAP, 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' },
      annotations: AUTOUPDATE,
      aggregate: ['rbac.authorization.k8s.io/aggregate-to-view'],
    }),
    builtinClusterRole('system:aggregate-to-admin', ADMIN_RULES, {
      'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
    }),
    builtinClusterRole('system:aggregate-to-edit', EDIT_RULES, {
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
    }),
    builtinClusterRole('system:aggregate-to-view', VIEW_RULES, {
      'rbac.authorization.k8s.io/aggregate-to-view': 'true',
    }),
    builtinClusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
    ]),
    builtinClusterRole('system:discovery', [
      urlRule(
        ['get'],
        [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/openapi',
          '/openapi/*',
          '/readyz',
          '/version',
          '/version/',
        ],
      ),
    ]),
    builtinClusterRole('system:public-info-viewer', [
      urlRule(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/']),
    ]),
    builtinClusterRole('system:monitoring', [
      urlRule(
        ['get'],
        ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'],
      ),
    ]),
    builtinClusterRole('system:auth-delegator', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ]),
    builtinClusterRole('system:kube-aggregator', [
      rule(['get', 'list', 'watch'], [''], ['endpoints', 'services']),
    ]),
    builtinClusterRole('system:kube-controller-manager', [
      rule(['create', 'get', 'update'], ['coordination.k8s.io'], ['leases']),
      rule(['create'], [''], ['secrets', 'serviceaccounts']),
      rule(['delete'], [''], ['secrets']),
      rule(['get'], [''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']),
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['create'], [''], ['serviceaccounts/token']),
    ]),
    builtinClusterRole('system:kube-dns', [rule(['list', 'watch'], [''], ['endpoints', 'services'])]),
    builtinClusterRole('system:kube-scheduler', [
      rule(['create', 'get', 'update'], ['coordination.k8s.io'], ['leases']),
      rule(['delete', 'get', 'list', 'watch'], [''], ['pods']),
      rule(['create'], [''], ['bindings', 'pods/binding']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(
        READ,
        [''],
        ['nodes', 'persistentvolumeclaims', 'persistentvolumes', 'replicationcontrollers', 'services'],
      ),
    ]),
    builtinClusterRole('system:kubelet-api-admin', [
      rule(['get', 'list', 'watch'], [''], ['nodes']),
      rule(['proxy'], [''], ['nodes']),
      rule(['*'], [''], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats']),
    ]),
    builtinClusterRole('system:node', [
      rule(
        ['create', 'get', 'list', 'watch'],
        ['authentication.k8s.io', 'authorization.k8s.io'],
        ['tokenreviews', 'subjectaccessreviews'],
      ),
      rule(READ, [''], ['services', 'nodes']),
      rule(['create', 'delete', 'patch', 'update'], [''], ['nodes', 'nodes/status']),
      rule(['get'], [''], ['configmaps', 'secrets', 'persistentvolumeclaims', 'persistentvolumes']),
    ]),
    builtinClusterRole('system:node-bootstrapper', [
      rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
    ]),
    builtinClusterRole('system:node-problem-detector', [
      rule(['get'], [''], ['nodes']),
      rule(['patch'], [''], ['nodes/status']),
      rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
    ]),
    builtinClusterRole('system:node-proxier', [
      rule(['list', 'watch'], [''], ['endpoints', 'services']),
      rule(['get', 'list', 'watch'], [''], ['nodes']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    builtinClusterRole('system:persistent-volume-provisioner', [
      rule(['create', 'delete', 'get', 'list', 'watch'], [''], ['persistentvolumes']),
      rule(['get', 'list', 'update', 'watch'], [''], ['persistentvolumeclaims']),
      rule(['list', 'watch'], ['storage.k8s.io'], ['storageclasses']),
    ]),
    builtinClusterRole('system:volume-scheduler', [
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']),
      rule(READ, ['storage.k8s.io'], ['storageclasses']),
    ]),
    builtinClusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
      rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient']),
    ]),
    builtinClusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
      rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient']),
    ]),
    builtinClusterRole('system:certificates.k8s.io:kube-apiserver-client-approver', [
      rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client']),
    ]),
    builtinClusterRole('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', [
      rule(
        ['approve'],
        ['certificates.k8s.io'],
        ['signers'],
        ['kubernetes.io/kube-apiserver-client-kubelet'],
      ),
    ]),
    builtinClusterRole('system:certificates.k8s.io:kubelet-serving-approver', [
      rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kubelet-serving']),
    ]),
    builtinClusterRole('system:certificates.k8s.io:legacy-unknown-approver', [
      rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/legacy-unknown']),
    ]),
    builtinClusterRole('system:service-account-issuer-discovery', [
      urlRule(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks']),
    ]),
  ];
  const crb = (name: string, subjects: Subject[], roleName = name) =>
    clusterRoleBinding(name, roleName, subjects, { builtin: true });
  const clusterRoleBindings: ClusterRoleBinding[] = [
    crb('cluster-admin', [group('system:masters')]),
    crb('system:basic-user', [group('system:authenticated')]),
    crb('system:discovery', [group('system:authenticated')]),
    crb('system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    crb('system:monitoring', [group('system:monitoring')]),
    crb('system:kube-controller-manager', [user('system:kube-controller-manager')]),
    crb('system:kube-dns', [serviceAccount('kube-system', 'kube-dns')]),
    crb('system:kube-scheduler', [user('system:kube-scheduler')]),
    crb('system:node', []),
    crb('system:node-proxier', [user('system:kube-proxy')]),
    crb('system:volume-scheduler', [user('system:kube-scheduler')]),
    crb('system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
  ];
  const kubeSystem = 'kube-system';
  const serviceAccounts: ServiceAccount[] = [];
  for (const [controller, rules] of CONTROLLERS) {
    clusterRoles.push(builtinClusterRole(`system:controller:${controller}`, rules));
    clusterRoleBindings.push(
      crb(`system:controller:${controller}`, [serviceAccount(kubeSystem, controller)]),
    );
    serviceAccounts.push(serviceAccountObject(kubeSystem, controller));
  }
  const roles: Role[] = [
    role(
      kubeSystem,
      'extension-apiserver-authentication-reader',
      [rule(['get', 'list', 'watch'], [''], ['configmaps'], ['extension-apiserver-authentication'])],
      true,
    ),
    role(
      kubeSystem,
      'system::leader-locking-kube-controller-manager',
      [
        rule(['watch'], [''], ['configmaps']),
        rule(['get', 'update'], [''], ['configmaps'], ['kube-controller-manager']),
      ],
      true,
    ),
    role(
      kubeSystem,
      'system::leader-locking-kube-scheduler',
      [
        rule(['watch'], [''], ['configmaps']),
        rule(['get', 'update'], [''], ['configmaps'], ['kube-scheduler']),
      ],
      true,
    ),
    role(
      kubeSystem,
      'system:controller:bootstrap-signer',
      [rule(['get', 'list', 'watch'], [''], ['secrets'])],
      true,
    ),
    role(
      kubeSystem,
      'system:controller:cloud-provider',
      [rule(['create', 'get', 'list', 'watch'], [''], ['configmaps'])],
      true,
    ),
    role(
      kubeSystem,
      'system:controller:token-cleaner',
      [
        rule(['delete', 'get', 'list', 'watch'], [''], ['secrets']),
        rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
      ],
      true,
    ),
    role(
      'kube-public',
      'system:controller:bootstrap-signer',
      [
        rule(['get', 'list', 'watch'], [''], ['configmaps']),
        rule(['update'], [''], ['configmaps'], ['cluster-info']),
      ],
      true,
    ),
  ];
  const ref = (name: string): RoleRef => ({ kind: 'Role', name });
  const roleBindings: RoleBinding[] = [
    roleBinding(
      kubeSystem,
      'system::extension-apiserver-authentication-reader',
      ref('extension-apiserver-authentication-reader'),
      [user('system:kube-controller-manager'), user('system:kube-scheduler')],
      true,
    ),
    roleBinding(
      kubeSystem,
      'system::leader-locking-kube-controller-manager',
      ref('system::leader-locking-kube-controller-manager'),
      [user('system:kube-controller-manager'), serviceAccount(kubeSystem, 'kube-controller-manager')],
      true,
    ),
    roleBinding(
      kubeSystem,
      'system::leader-locking-kube-scheduler',
      ref('system::leader-locking-kube-scheduler'),
      [user('system:kube-scheduler'), serviceAccount(kubeSystem, 'kube-scheduler')],
      true,
    ),
    roleBinding(
      kubeSystem,
      'system:controller:bootstrap-signer',
      ref('system:controller:bootstrap-signer'),
      [serviceAccount(kubeSystem, 'bootstrap-signer')],
      true,
    ),
    roleBinding(
      kubeSystem,
      'system:controller:cloud-provider',
      ref('system:controller:cloud-provider'),
      [serviceAccount(kubeSystem, 'cloud-provider')],
      true,
    ),
    roleBinding(
      kubeSystem,
      'system:controller:token-cleaner',
      ref('system:controller:token-cleaner'),
      [serviceAccount(kubeSystem, 'token-cleaner')],
      true,
    ),
    roleBinding(
      'kube-public',
      'system:controller:bootstrap-signer',
      ref('system:controller:bootstrap-signer'),
      [serviceAccount(kubeSystem, 'bootstrap-signer')],
      true,
    ),
  ];
  const namespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'].map((name) =>
    namespaceObject(name),
  );
  for (const name of ['default', 'kube-public', 'kube-node-lease'])
    serviceAccounts.push(serviceAccountObject(name, 'default'));
  serviceAccounts.push(
    serviceAccountObject(kubeSystem, 'default'),
    serviceAccountObject(kubeSystem, 'coredns'),
    serviceAccountObject(kubeSystem, 'kube-proxy'),
  );
  clusterRoles.push(
    builtinClusterRole('system:coredns', [
      rule(['list', 'watch'], [''], ['endpoints', 'services', 'pods', 'namespaces']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
  );
  clusterRoleBindings.push(crb('system:coredns', [serviceAccount(kubeSystem, 'coredns')]));

  if (eks) {
    // What EKS installs: its own users and roles, the VPC CNI and the node bootstrap bindings.
    const eksRoles: [string, PolicyRule[]][] = [
      ['eks:addon-manager', [rule(['*'], ['*'], ['*'])]],
      ['eks:az-poller', [rule(['get', 'list'], [''], ['nodes'])]],
      [
        'eks:certificate-controller-approver',
        [rule(['approve'], ['certificates.k8s.io'], ['signers'], ['beta.eks.amazonaws.com/app-serving'])],
      ],
      [
        'eks:certificate-controller-signer',
        [rule(['sign'], ['certificates.k8s.io'], ['signers'], ['beta.eks.amazonaws.com/app-serving'])],
      ],
      [
        'eks:cloud-controller-manager',
        [
          rule(['create', 'patch', 'update'], [''], ['events']),
          rule(['*'], [''], ['nodes']),
          rule(['patch'], [''], ['nodes/status']),
        ],
      ],
      ['eks:cluster-event-watcher', [rule(['get', 'list', 'watch'], [''], ['events'])]],
      [
        'eks:fargate-manager',
        [
          rule(['create', 'delete', 'patch', 'update'], [''], ['nodes']),
          rule(['get', 'list'], [''], ['pods']),
        ],
      ],
      [
        'eks:k8s-metrics',
        [
          rule(['list'], [''], ['nodes', 'pods', 'replicationcontrollers']),
          rule(['list'], ['apps'], ['deployments', 'daemonsets', 'replicasets', 'statefulsets']),
        ],
      ],
      [
        'eks:node-bootstrapper',
        [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'])],
      ],
      [
        'eks:node-manager',
        [
          rule(['create', 'delete', 'get', 'list', 'patch', 'update'], [''], ['nodes']),
          rule(['delete', 'list'], [''], ['pods']),
          rule(['create'], [''], ['pods/eviction']),
        ],
      ],
      ['eks:nodewatcher', [rule(['list'], [''], ['nodes'])]],
      ['eks:pod-identity-mutating-webhook', [rule(['get', 'list', 'watch'], [''], ['serviceaccounts'])]],
      [
        'eks:podsecuritypolicy:privileged',
        [rule(['use'], ['policy'], ['podsecuritypolicies'], ['eks.privileged'])],
      ],
    ];
    for (const [name, rules] of eksRoles) {
      clusterRoles.push(
        clusterRole(name, rules, { labels: { 'eks.amazonaws.com/component': 'control-plane' } }),
      );
      clusterRoleBindings.push(
        clusterRoleBinding(name, name, [user(name)], {
          labels: { 'eks.amazonaws.com/component': 'control-plane' },
        }),
      );
    }
    clusterRoles.push(
      clusterRole(
        'aws-node',
        [
          rule(['get', 'list', 'watch'], [''], ['namespaces', 'nodes', 'pods']),
          rule(['*'], ['crd.k8s.amazonaws.com'], ['*']),
          rule(['list', 'watch'], ['networking.k8s.io'], ['networkpolicies']),
        ],
        { labels: { 'app.kubernetes.io/name': 'aws-node' } },
      ),
      clusterRole('vpc-resource-controller-role', [
        rule(['get', 'list', 'patch', 'watch'], [''], ['nodes', 'pods']),
      ]),
    );
    clusterRoleBindings.push(
      clusterRoleBinding('aws-node', 'aws-node', [serviceAccount(kubeSystem, 'aws-node')]),
      clusterRoleBinding('eks:node-bootstrapper', 'system:node-bootstrapper', [
        group('system:bootstrappers'),
        group('system:nodes'),
      ]),
      clusterRoleBinding('eks:kube-proxy', 'system:node-proxier', [serviceAccount(kubeSystem, 'kube-proxy')]),
      clusterRoleBinding('vpc-resource-controller-rolebinding', 'vpc-resource-controller-role', [
        user('eks:vpc-resource-controller'),
        serviceAccount(kubeSystem, 'eks-vpc-resource-controller'),
      ]),
    );
    serviceAccounts.push(
      serviceAccountObject(kubeSystem, 'aws-node'),
      serviceAccountObject(kubeSystem, 'eks-vpc-resource-controller'),
      serviceAccountObject(kubeSystem, 'ebs-csi-controller-sa'),
    );
    roles.push(role(kubeSystem, 'eks:authenticator', [rule(['get'], [''], ['configmaps'], ['aws-auth'])]));
    roleBindings.push(
      roleBinding(kubeSystem, 'eks:authenticator', ref('eks:authenticator'), [user('eks:authenticator')]),
    );
  }
  return { clusterRoles, clusterRoleBindings, roles, roleBindings, serviceAccounts, namespaces };
}

// ---------------------------------------------------------------------------------------------------------
// Workloads and tenant namespaces

const WORDS = [
  'api',
  'web',
  'worker',
  'billing',
  'search',
  'auth',
  'orders',
  'cart',
  'ledger',
  'mailer',
  'gateway',
  'etl',
  'reports',
  'media',
  'pricing',
  'catalog',
  'notify',
  'audit',
  'sync',
  'scheduler',
];
const TEAMS = [
  'atlas',
  'borealis',
  'comet',
  'delta',
  'ember',
  'fjord',
  'glacier',
  'harbor',
  'ion',
  'juniper',
  'kelp',
  'lumen',
  'meteor',
  'nova',
  'orbit',
  'pulsar',
  'quartz',
  'rift',
  'sierra',
  'tundra',
];
const ENVS = ['dev', 'staging', 'prod'];

interface Builder {
  random: Random;
  eks: boolean;
  k8s: Snapshot['kubernetes'];
  teams: string[];
  users: string[];
  /** Shared ClusterRoles tenants bind (besides admin/edit/view). */
  sharedRoles: string[];
  nsCount: number;
}

/** Pods of one workload, named the way their controllers name them. */
function addWorkload(b: Builder, namespace: string, app: string, sa: string, maxPods: number): number {
  const { random } = b;
  const kind = random.pick([
    'Deployment',
    'Deployment',
    'Deployment',
    'StatefulSet',
    'DaemonSet',
    'Job',
  ] as const);
  const replicas = Math.max(1, Math.min(maxPods, random.int(1, 5)));
  const automount = random.chance(0.1) ? false : undefined;
  let owner: { kind: string; name: string };
  if (kind === 'Deployment') owner = { kind: 'ReplicaSet', name: `${app}-${random.suffix(10)}` };
  else if (kind === 'Job') owner = { kind: 'Job', name: `${app}-${random.int(28_000_000, 29_000_000)}` };
  else owner = { kind, name: app };
  for (let i = 0; i < replicas; i++) {
    const name = kind === 'StatefulSet' ? `${app}-${i}` : `${owner.name}-${random.suffix(5)}`;
    const pod: Pod = {
      kind: 'Pod',
      name,
      namespace,
      labels: { app, 'app.kubernetes.io/name': app },
      annotations: {},
      serviceAccountName: sa,
      owner,
    };
    if (automount !== undefined) pod.automountServiceAccountToken = automount;
    b.k8s.pods.push(pod);
  }
  return replicas;
}

/** One tenant namespace using about `budget` objects; returns how many it used. */
function addNamespace(b: Builder, index: number, budget: number): number {
  const { random, k8s } = b;
  const team = b.teams[index % b.teams.length]!;
  const ns = `${team}-${random.pick(WORDS)}-${ENVS[index % ENVS.length]}-${index}`;
  const start =
    k8s.namespaces.length +
    k8s.serviceAccounts.length +
    k8s.pods.length +
    k8s.roles.length +
    k8s.roleBindings.length;
  const used = () =>
    k8s.namespaces.length +
    k8s.serviceAccounts.length +
    k8s.pods.length +
    k8s.roles.length +
    k8s.roleBindings.length -
    start;

  k8s.namespaces.push(namespaceObject(ns, { team, env: ENVS[index % ENVS.length]! }));
  // A quarter of namespaces follow CIS and switch off the default account's token.
  k8s.serviceAccounts.push(serviceAccountObject(ns, 'default', random.chance(0.25) ? false : undefined));
  const apps: string[] = [];
  const appCount = random.int(2, 6);
  for (let i = 0; i < appCount; i++) {
    const app = `${random.pick(WORDS)}-${i}`;
    apps.push(app);
    k8s.serviceAccounts.push(serviceAccountObject(ns, app, random.chance(0.15) ? false : undefined));
  }
  const ci = random.chance(0.4);
  if (ci) k8s.serviceAccounts.push(serviceAccountObject(ns, 'ci-deployer'));

  // Roles of the namespace's own applications.
  const roleRef = (name: string): RoleRef => ({ kind: 'Role', name });
  const clusterRef = (name: string): RoleRef => ({ kind: 'ClusterRole', name });
  const appRoles: string[] = [];
  for (const app of apps) {
    if (random.chance(0.15)) continue;
    appRoles.push(app);
    if (random.chance(0.35)) appRoles.push(app);
  }
  for (const [position, app] of appRoles.entries()) {
    const shape = random.next();
    let rules: PolicyRule[];
    let name: string;
    if (shape < 0.35) {
      name = `${app}-config-reader`;
      rules = [
        rule(READ, [''], ['configmaps']),
        rule(['get'], [''], ['secrets'], [`${app}-credentials`, `${app}-tls`]),
      ];
    } else if (shape < 0.6) {
      name = `${app}-leader-election`;
      rules = [
        rule(['create', 'get', 'update', 'patch'], ['coordination.k8s.io'], ['leases']),
        rule(['create', 'patch'], [''], ['events']),
      ];
    } else if (shape < 0.75) {
      name = `${app}-pod-manager`;
      rules = [
        rule(['create', 'delete', 'get', 'list', 'watch'], [''], ['pods']),
        rule(['get'], [''], ['pods/log']),
      ];
    } else if (shape < 0.85) {
      name = `${app}-secrets`;
      rules = [rule(READ, [''], ['secrets'])];
    } else if (shape < 0.92) {
      name = `${app}-debug`;
      rules = [
        rule(['create'], [''], ['pods/exec', 'pods/portforward']),
        rule(['get', 'list'], [''], ['pods']),
      ];
    } else if (shape < 0.97) {
      name = `${app}-token-minter`;
      rules = [rule(['create'], [''], ['serviceaccounts/token']), rule(['get'], [''], ['serviceaccounts'])];
    } else {
      // The classic over-broad tenant role.
      name = `${app}-all`;
      rules = [rule(['*'], ['*'], ['*'])];
    }
    // An application with two roles of the same shape keeps both apart by name.
    if (appRoles[position - 1] === app && k8s.roles[k8s.roles.length - 1]?.name === name) name = `${name}-2`;
    k8s.roles.push(role(ns, name, rules));
    k8s.roleBindings.push(roleBinding(ns, name, roleRef(name), [serviceAccount(ns, app)]));
    if (random.chance(0.25)) {
      k8s.roleBindings.push(roleBinding(ns, `${app}-view`, clusterRef('view'), [serviceAccount(ns, app)]));
    }
  }
  // People: the team's groups get edit/view/admin, a few named users too.
  k8s.roleBindings.push(roleBinding(ns, `${team}-devs-edit`, clusterRef('edit'), [group(`${team}-devs`)]));
  k8s.roleBindings.push(
    roleBinding(ns, `${team}-viewers-view`, clusterRef('view'), [group(`${team}-viewers`)]),
  );
  if (random.chance(0.5)) {
    k8s.roleBindings.push(
      roleBinding(ns, `${team}-leads-admin`, clusterRef('admin'), [
        group(`${team}-leads`),
        user(random.pick(b.users)),
      ]),
    );
  }
  if (random.chance(0.3)) {
    k8s.roleBindings.push(
      roleBinding(ns, 'oncall-view', clusterRef('view'), [
        user(random.pick(b.users)),
        user(random.pick(b.users)),
      ]),
    );
  }
  if (ci) {
    k8s.roleBindings.push(
      roleBinding(ns, 'ci-deployer', clusterRef(random.pick(b.sharedRoles)), [
        serviceAccount(ns, 'ci-deployer'),
      ]),
    );
  }
  if (random.chance(0.15)) {
    // A monitoring agent in another namespace reads this one.
    k8s.roleBindings.push(
      roleBinding(ns, 'monitoring-view', clusterRef('view'), [serviceAccount('monitoring', 'prometheus')]),
    );
  }
  if (random.chance(0.04)) {
    // Left behind after a Role was deleted: whoever recreates the name grants it again.
    k8s.roleBindings.push(
      roleBinding(ns, 'legacy-operator', roleRef('legacy-operator'), [serviceAccount(ns, 'legacy-operator')]),
    );
  }
  if (random.chance(0.03)) {
    k8s.roleBindings.push(
      roleBinding(ns, 'default-edit', clusterRef('edit'), [serviceAccount(ns, 'default')]),
    );
  }

  // Workloads fill what the budget leaves, at least one pod per app.
  let remaining = budget - used();
  let appIndex = 0;
  while (remaining > 0) {
    const app = apps[appIndex % apps.length]!;
    const sa = random.chance(0.2) ? 'default' : app;
    remaining -= addWorkload(b, ns, `${app}${appIndex >= apps.length ? `-${appIndex}` : ''}`, sa, remaining);
    appIndex++;
  }
  return used();
}

/** Cluster-scoped roles and bindings tenants and platform tools add. */
function addPlatform(b: Builder, clusterRoles: number, bindings: number) {
  const { random, k8s } = b;
  const fixed: ClusterRole[] = [
    clusterRole('platform:deployer', [
      rule([...WRITE, ...READ], ['apps'], ['deployments', 'statefulsets', 'daemonsets']),
      rule([...WRITE, ...READ], [''], ['services', 'configmaps', 'pods']),
      rule(READ, [''], ['secrets']),
    ]),
    clusterRole('platform:namespace-reader', [rule(READ, [''], ['namespaces'])]),
    clusterRole('platform:impersonator', [
      rule(['impersonate'], [''], ['users', 'groups', 'serviceaccounts']),
    ]),
    clusterRole('platform:rbac-manager', [
      rule(
        ['bind', 'escalate', 'get', 'list', 'create', 'update'],
        [RBAC_GROUP],
        ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'],
      ),
    ]),
    clusterRole('platform:node-debugger', [
      rule(['get', 'create'], [''], ['nodes/proxy']),
      rule(READ, [''], ['nodes']),
    ]),
    clusterRole('platform:storage-admin', [rule(['create', 'delete', ...READ], [''], ['persistentvolumes'])]),
    clusterRole('platform:webhook-admin', [
      rule(
        ['create', 'update', 'patch', 'delete', ...READ],
        ['admissionregistration.k8s.io'],
        ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'],
      ),
    ]),
    clusterRole('platform:csr-approver', [
      rule(['update'], ['certificates.k8s.io'], ['certificatesigningrequests/approval']),
      rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client']),
    ]),
    clusterRole('platform:secrets-auditor', [rule(READ, [''], ['secrets'])]),
    clusterRole('prometheus', [
      rule(READ, [''], ['nodes', 'nodes/metrics', 'services', 'endpoints', 'pods']),
      urlRule(['get'], ['/metrics']),
    ]),
  ];
  k8s.clusterRoles.push(...fixed);
  b.sharedRoles.push('edit', 'platform:deployer');
  // Operators' CRD roles, aggregated into view/edit/admin as operators ship them.
  for (let i = fixed.length; i < clusterRoles; i++) {
    const crd = `${random.pick(WORDS)}${i}.example.com`;
    const verbTier = random.pick(['view', 'edit', 'admin'] as const);
    const verbs = verbTier === 'view' ? READ : [...WRITE, ...READ];
    const risky = random.chance(0.02);
    const name = `${crd}:${verbTier}`;
    k8s.clusterRoles.push(
      clusterRole(
        name,
        risky ? [rule(['*'], [crd], ['*'])] : [rule(verbs, [crd], ['widgets', 'widgets/status'])],
        {
          labels: { [`rbac.authorization.k8s.io/aggregate-to-${verbTier}`]: 'true' },
        },
      ),
    );
    if (verbTier !== 'view') b.sharedRoles.push(name);
  }
  const crb = k8s.clusterRoleBindings;
  crb.push(
    clusterRoleBinding('ops-cluster-admins', 'cluster-admin', [group('platform-admins'), user(b.users[0]!)]),
    clusterRoleBinding('break-glass', 'cluster-admin', [user('breakglass@example.com')]),
    clusterRoleBinding('prometheus', 'prometheus', [serviceAccount('monitoring', 'prometheus')]),
    clusterRoleBinding('argo-impersonation', 'platform:impersonator', [
      serviceAccount('argocd', 'argocd-server'),
    ]),
    clusterRoleBinding('rbac-managers', 'platform:rbac-manager', [group('platform-admins')]),
    clusterRoleBinding('node-debuggers', 'platform:node-debugger', [group('sre')]),
    clusterRoleBinding('storage-admins', 'platform:storage-admin', [
      serviceAccount('kube-system', 'ebs-csi-controller-sa'),
    ]),
    clusterRoleBinding('webhook-admins', 'platform:webhook-admin', [
      serviceAccount('cert-manager', 'cert-manager-webhook'),
    ]),
    clusterRoleBinding('csr-approvers', 'platform:csr-approver', [
      serviceAccount('cert-manager', 'cert-manager'),
    ]),
    clusterRoleBinding('security-auditors', 'platform:secrets-auditor', [group('security')]),
    clusterRoleBinding('authenticated-namespace-reader', 'platform:namespace-reader', [
      group('system:authenticated'),
    ]),
    clusterRoleBinding('old-ci-admin', 'ci-admin', [serviceAccount('ci', 'jenkins')]),
  );
  const fixedBindings = crb.length;
  for (let i = 0; crb.length - fixedBindings < bindings; i++) {
    const roleName = random.chance(0.7)
      ? random.pick(['view', 'platform:namespace-reader', 'prometheus'])
      : random.pick(b.sharedRoles);
    const subjects = random.chance(0.5)
      ? [group(`${random.pick(b.teams)}-${random.pick(['viewers', 'devs'])}`)]
      : [user(random.pick(b.users))];
    crb.push(clusterRoleBinding(`${roleName.replaceAll(':', '-')}-${i}`, roleName, subjects));
  }
}

// ---------------------------------------------------------------------------------------------------------
// EKS identity: aws-auth and access entries

function roleArn(name: string, account = ACCOUNT) {
  return `arn:aws:iam::${account}:role/${name}`;
}

function yamlList(entries: Record<string, string | string[]>[]): string {
  // aws-auth values are YAML text; written by hand as EKS docs and eksctl write them.
  let out = '';
  for (const entry of entries) {
    let first = true;
    for (const [key, value] of Object.entries(entry)) {
      out += first ? '- ' : '  ';
      first = false;
      if (Array.isArray(value)) {
        out += `${key}:\n`;
        for (const item of value) out += `    - ${item}\n`;
      } else out += `${key}: ${value}\n`;
    }
  }
  return out;
}

function buildIdentity(b: Builder, name: string, mapRoleCount: number, accessEntryCount: number) {
  const { random } = b;
  const mapRoles: Record<string, string | string[]>[] = [
    {
      rolearn: roleArn('eks-node-group-default'),
      username: 'system:node:{{EC2PrivateDNSName}}',
      groups: ['system:bootstrappers', 'system:nodes'],
    },
    { rolearn: roleArn('eks-admins'), username: 'admin:{{SessionName}}', groups: ['system:masters'] },
    {
      rolearn: roleArn('partner-readonly', FOREIGN_ACCOUNT),
      username: 'partner:{{SessionName}}',
      groups: ['partner-viewers'],
    },
  ];
  for (let i = 0; mapRoles.length < mapRoleCount; i++) {
    const team = b.teams[i % b.teams.length]!;
    const tier = random.pick(['devs', 'viewers', 'leads']);
    mapRoles.push({
      rolearn: roleArn(`${team}-${tier}-${i}`),
      username: `${team}:{{SessionName}}`,
      groups: [`${team}-${tier}`],
    });
  }
  const mapUsers: Record<string, string | string[]>[] = [
    { userarn: `arn:aws:iam::${ACCOUNT}:user/ci-bot`, username: 'ci-bot', groups: ['platform-admins'] },
    {
      userarn: `arn:aws:iam::${ACCOUNT}:user/legacy-deployer`,
      username: 'legacy-deployer',
      groups: [`${b.teams[0]}-devs`],
    },
  ];
  const awsAuth = { mapRoles: yamlList(mapRoles), mapUsers: yamlList(mapUsers) };

  const entries: AccessEntry[] = [
    {
      principalArn: roleArn('eks-node-group-default'),
      kubernetesGroups: ['system:nodes'],
      username: 'system:node:{{EC2PrivateDNSName}}',
      type: 'EC2_LINUX',
      associatedAccessPolicies: [],
    },
    {
      principalArn: roleArn('cluster-creator'),
      kubernetesGroups: [],
      username: `arn:aws:sts::${ACCOUNT}:assumed-role/cluster-creator/{{SessionName}}`,
      type: 'STANDARD',
      associatedAccessPolicies: [
        {
          policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
          accessScope: { type: 'cluster', namespaces: [] },
        },
      ],
    },
    {
      principalArn: roleArn('security-audit'),
      kubernetesGroups: ['security'],
      username: `arn:aws:sts::${ACCOUNT}:assumed-role/security-audit/{{SessionName}}`,
      type: 'STANDARD',
      associatedAccessPolicies: [
        {
          policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
          accessScope: { type: 'cluster', namespaces: [] },
        },
      ],
    },
    {
      principalArn: roleArn('vendor-support', FOREIGN_ACCOUNT),
      kubernetesGroups: [],
      username: `arn:aws:sts::${FOREIGN_ACCOUNT}:assumed-role/vendor-support/{{SessionName}}`,
      type: 'STANDARD',
      associatedAccessPolicies: [
        {
          policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy',
          accessScope: { type: 'cluster', namespaces: [] },
        },
      ],
    },
  ];
  const namespacesOf = (team: string) =>
    b.k8s.namespaces.filter((ns) => ns.labels.team === team).map((ns) => ns.name);
  const teamNamespaces = new Map(b.teams.map((team) => [team, namespacesOf(team)]));
  for (let i = 0; entries.length < accessEntryCount; i++) {
    const team = b.teams[i % b.teams.length]!;
    const arn = roleArn(`AWSReservedSSO_${team}-${i}_${random.suffix(16)}`);
    const scoped = (teamNamespaces.get(team) ?? []).slice(0, 4);
    const policy = random.pick(['AmazonEKSViewPolicy', 'AmazonEKSEditPolicy', 'AmazonEKSAdminPolicy']);
    entries.push({
      principalArn: arn,
      kubernetesGroups: random.chance(0.5) ? [`${team}-viewers`] : [],
      username: `arn:aws:sts::${ACCOUNT}:assumed-role/${arn.slice(arn.indexOf('/') + 1)}/{{SessionName}}`,
      type: 'STANDARD',
      associatedAccessPolicies: scoped.length
        ? [
            {
              policyArn: `arn:aws:eks::aws:cluster-access-policy/${policy}`,
              accessScope: { type: 'namespace', namespaces: scoped },
            },
          ]
        : [],
    });
  }
  const cluster: EksCluster = {
    name,
    arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${name}`,
    version: '1.31',
    platformVersion: 'eks.12',
    status: 'ACTIVE',
    accessConfig: {
      authenticationMode: 'API_AND_CONFIG_MAP',
      bootstrapClusterCreatorAdminPermissions: false,
    },
    encryptionConfig: [
      {
        resources: ['secrets'],
        provider: { keyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0f6e1d2c-3b4a-4c5d-8e9f-a0b1c2d3e4f5` },
      },
    ],
    logging: {
      clusterLogging: [
        { types: ['api', 'audit', 'authenticator'], enabled: true },
        { types: ['controllerManager', 'scheduler'], enabled: false },
      ],
    },
    resourcesVpcConfig: {
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['203.0.113.0/24'],
    },
  };
  const identityProviderConfigs: OidcConfig[] = [
    {
      identityProviderConfigName: 'corp-sso',
      issuerUrl: 'https://sso.example.com',
      clientId: 'kubernetes',
      usernameClaim: 'email',
      groupsClaim: 'groups',
      groupsPrefix: 'oidc:',
      status: 'ACTIVE',
    },
  ];
  return {
    awsAuth,
    awsAuthEntries: mapRoles.length + mapUsers.length,
    eks: {
      cluster,
      accessEntries: entries,
      identityProviderConfigs,
      kmsKey: {
        keyArn: cluster.encryptionConfig![0]!.provider!.keyArn!,
        keyState: 'Enabled',
        keyManager: 'CUSTOMER' as const,
        rotationEnabled: true,
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------------------

/** Average objects per tenant namespace: 1 Namespace, ~5 ServiceAccounts, ~3 Roles, ~6 RoleBindings, ~35 Pods. */
const NAMESPACE_SIZE = 50;

/**
 * A synthetic cluster of `objects` objects. The mix scales with size: about objects/50 tenant namespaces
 * (each with ServiceAccounts including `default`, a few Roles, RoleBindings to its own Roles and to shared
 * ClusterRoles, and Pods owned by ReplicaSets, StatefulSets, DaemonSets and Jobs), the built-in system roles
 * and bindings, operator ClusterRoles aggregated into admin/edit/view, and (EKS) an aws-auth ConfigMap and
 * access entries mapping IAM roles onto the teams' groups. Risky grants are sprinkled in at realistic rates:
 * wildcard Roles, secrets readers, pod creators, exec, token minting, impersonation, bind/escalate, node
 * proxy, webhook and CSR rights, a dangling binding, system:masters and a foreign account in aws-auth.
 */
export function generateCluster(options: GenerateClusterOptions): SyntheticCluster {
  const seed = seedOf(options.seed);
  const random = createRandom(seed);
  const eks = options.eks ?? true;
  const name = options.name ?? `synthetic-${options.objects}`;
  const base = builtinKubernetes(eks);
  const k8s: Snapshot['kubernetes'] = {
    clusterRoles: base.clusterRoles,
    roles: base.roles,
    clusterRoleBindings: base.clusterRoleBindings,
    roleBindings: base.roleBindings,
    serviceAccounts: base.serviceAccounts,
    namespaces: base.namespaces,
    pods: [],
    awsAuth: null,
  };
  // The platform's own namespaces, whose service accounts the platform bindings name.
  for (const [ns, accounts] of [
    ['monitoring', ['prometheus']],
    ['argocd', ['argocd-server']],
    ['cert-manager', ['cert-manager', 'cert-manager-webhook']],
    ['ci', ['jenkins']],
  ] as const) {
    k8s.namespaces.push(namespaceObject(ns));
    k8s.serviceAccounts.push(serviceAccountObject(ns, 'default'));
    for (const account of accounts) k8s.serviceAccounts.push(serviceAccountObject(ns, account));
  }

  const fixedCount = () =>
    k8s.clusterRoles.length +
    k8s.roles.length +
    k8s.clusterRoleBindings.length +
    k8s.roleBindings.length +
    k8s.serviceAccounts.length +
    k8s.namespaces.length +
    k8s.pods.length;

  // Sizes of the scaled parts, decided up front so tenant namespaces can fill the rest exactly.
  const target = Math.max(options.objects, 1);
  const sharedClusterRoles = Math.max(12, Math.round(target / 800));
  const extraBindings = Math.max(4, Math.round(target / 500));
  const estimatedNamespaces = Math.max(1, Math.round(target / NAMESPACE_SIZE));
  const teamCount = Math.max(2, Math.round(estimatedNamespaces / 4));
  const mapRoleCount = eks ? Math.max(4, Math.round(teamCount / 2)) : 0;
  const accessEntryCount = eks ? Math.max(5, teamCount) : 0;
  const teams = Array.from({ length: teamCount }, (_, i) =>
    i < TEAMS.length ? TEAMS[i]! : `${TEAMS[i % TEAMS.length]}${Math.floor(i / TEAMS.length)}`,
  );
  const users = Array.from(
    { length: Math.max(4, Math.round(target / 200)) },
    (_, i) => `user${i}@example.com`,
  );
  const b: Builder = { random, eks, k8s, teams, users, sharedRoles: [], nsCount: 0 };
  addPlatform(b, sharedClusterRoles, extraBindings);
  const identityCount = eks ? mapRoleCount + 2 + accessEntryCount : 0;

  // Tenant namespaces take what is left. The last one absorbs the remainder so the total is exact.
  let remaining = target - fixedCount() - identityCount;
  let index = 0;
  while (remaining > 0) {
    const last = k8s.namespaces[k8s.namespaces.length - 1]!;
    if (remaining < 20 && index > 0) {
      // Too little for a namespace of its own: one more workload in the last one.
      while (remaining > 0)
        remaining -= addWorkload(b, last.name, `batch-${remaining}`, 'default', remaining);
      break;
    }
    const size =
      remaining < NAMESPACE_SIZE * 1.5 ? remaining : random.int(NAMESPACE_SIZE / 2, NAMESPACE_SIZE * 1.5);
    remaining -= addNamespace(b, index++, size);
  }
  b.nsCount = index;

  let eksPart: Snapshot['eks'] = null;
  if (eks) {
    const identity = buildIdentity(b, name, mapRoleCount, accessEntryCount);
    k8s.awsAuth = identity.awsAuth;
    eksPart = identity.eks;
  }
  const snapshot: Snapshot = {
    schemaVersion: 1,
    cluster: eks
      ? {
          name,
          platform: 'eks',
          arn: eksPart!.cluster.arn!,
          accountId: ACCOUNT,
          region: REGION,
          kubernetesVersion: '1.31',
        }
      : { name, platform: 'kubernetes', kubernetesVersion: '1.31' },
    collectedAt: COLLECTED_AT,
    kubernetes: k8s,
    eks: eksPart,
    coverage: coverageOf(k8s, eksPart),
    warnings: [],
  };
  const counts = countObjects(snapshot);
  return { snapshot, counts, total: totalOf(counts), seed };
}

function coverageOf(k8s: Snapshot['kubernetes'], eks: Snapshot['eks']): Partial<Record<Source, Coverage>> {
  const complete = (count?: number): Coverage =>
    count === undefined ? { status: 'complete' } : { status: 'complete', count };
  const notEks: Coverage = { status: 'not_applicable', reason: 'not an EKS cluster' };
  return {
    clusterroles: complete(k8s.clusterRoles.length),
    roles: complete(k8s.roles.length),
    clusterrolebindings: complete(k8s.clusterRoleBindings.length),
    rolebindings: complete(k8s.roleBindings.length),
    serviceaccounts: complete(k8s.serviceAccounts.length),
    namespaces: complete(k8s.namespaces.length),
    pods: complete(k8s.pods.length),
    awsAuth: eks ? complete() : notEks,
    eksCluster: eks ? complete() : notEks,
    accessEntries: eks ? complete(eks.accessEntries.length) : notEks,
    identityProviderConfigs: eks ? complete(eks.identityProviderConfigs.length) : notEks,
    kmsKey: eks ? complete() : notEks,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The raw forms users give Vigil

/** A stable uid per object, shaped like the UUIDs the API server assigns. */
function uidOf(...parts: string[]): string {
  const hex = createHash('sha1').update(parts.join('/')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function metadata(
  kind: string,
  object: {
    name: string;
    namespace?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  },
  extra: Record<string, unknown> = {},
) {
  const meta: Record<string, unknown> = {
    name: object.name,
    ...(object.namespace ? { namespace: object.namespace } : {}),
    uid: uidOf(kind, object.namespace ?? '', object.name),
    resourceVersion: String(1000 + ((object.name.length * 7919) % 900_000)),
    creationTimestamp: new Date(CREATED_AT + (object.name.length % 97) * 3_600_000).toISOString(),
  };
  if (Object.keys(object.labels).length) meta.labels = object.labels;
  if (Object.keys(object.annotations).length) meta.annotations = object.annotations;
  return { ...meta, ...extra };
}

function rawRules(rules: PolicyRule[]) {
  return rules.map((r) => {
    const out: Record<string, string[]> = {};
    if (r.nonResourceURLs.length) out.nonResourceURLs = r.nonResourceURLs;
    else out.apiGroups = r.apiGroups;
    if (r.resources.length) out.resources = r.resources;
    if (r.resourceNames.length) out.resourceNames = r.resourceNames;
    out.verbs = r.verbs;
    return out;
  });
}

function rawSubjects(subjects: Subject[]) {
  return subjects.map((s) =>
    s.kind === 'ServiceAccount'
      ? { kind: s.kind, name: s.name, namespace: s.namespace }
      : { apiGroup: RBAC_GROUP, kind: s.kind, name: s.name },
  );
}

const RBAC_VERSION = `${RBAC_GROUP}/v1`;

/** The objects as `kubectl get ... -o json` prints them (fields checks do not read included). */
export function kubernetesObjects(cluster: SyntheticCluster): Record<string, unknown>[] {
  const k8s = cluster.snapshot.kubernetes;
  const out: Record<string, unknown>[] = [];
  for (const ns of k8s.namespaces) {
    out.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: metadata('Namespace', ns),
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }
  for (const cr of k8s.clusterRoles) {
    const raw: Record<string, unknown> = {
      apiVersion: RBAC_VERSION,
      kind: 'ClusterRole',
      metadata: metadata('ClusterRole', cr),
      rules: rawRules(cr.rules),
    };
    if (cr.aggregationRule) raw.aggregationRule = cr.aggregationRule;
    out.push(raw);
  }
  for (const binding of k8s.clusterRoleBindings) {
    out.push({
      apiVersion: RBAC_VERSION,
      kind: 'ClusterRoleBinding',
      metadata: metadata('ClusterRoleBinding', binding),
      roleRef: { apiGroup: RBAC_GROUP, ...binding.roleRef },
      ...(binding.subjects.length ? { subjects: rawSubjects(binding.subjects) } : {}),
    });
  }
  for (const r of k8s.roles) {
    out.push({
      apiVersion: RBAC_VERSION,
      kind: 'Role',
      metadata: metadata('Role', r),
      rules: rawRules(r.rules),
    });
  }
  for (const binding of k8s.roleBindings) {
    out.push({
      apiVersion: RBAC_VERSION,
      kind: 'RoleBinding',
      metadata: metadata('RoleBinding', binding),
      roleRef: { apiGroup: RBAC_GROUP, ...binding.roleRef },
      subjects: rawSubjects(binding.subjects),
    });
  }
  for (const sa of k8s.serviceAccounts) {
    const raw: Record<string, unknown> = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: metadata('ServiceAccount', sa),
    };
    if (sa.automountServiceAccountToken !== undefined)
      raw.automountServiceAccountToken = sa.automountServiceAccountToken;
    out.push(raw);
  }
  for (const pod of k8s.pods) {
    const ownerApi = pod.owner?.kind === 'Job' ? 'batch/v1' : 'apps/v1';
    const spec: Record<string, unknown> = {
      containers: [
        {
          name: pod.labels.app ?? 'app',
          image: `registry.example.com/${pod.labels.app ?? 'app'}:1.${pod.name.length % 10}.0`,
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          volumeMounts: [
            {
              name: 'kube-api-access',
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
              readOnly: true,
            },
          ],
        },
      ],
      serviceAccountName: pod.serviceAccountName,
      serviceAccount: pod.serviceAccountName,
      nodeName: `ip-10-0-${pod.name.length % 32}-${pod.name.charCodeAt(0) % 250}.${REGION}.compute.internal`,
      restartPolicy: pod.owner?.kind === 'Job' ? 'OnFailure' : 'Always',
    };
    if (pod.automountServiceAccountToken !== undefined)
      spec.automountServiceAccountToken = pod.automountServiceAccountToken;
    out.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: metadata('Pod', pod, {
        ...(pod.owner
          ? {
              ownerReferences: [
                {
                  apiVersion: ownerApi,
                  kind: pod.owner.kind,
                  name: pod.owner.name,
                  uid: uidOf(pod.owner.kind, pod.namespace, pod.owner.name),
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            }
          : {}),
      }),
      spec,
      status: { phase: 'Running', qosClass: 'Burstable' },
    });
  }
  if (k8s.awsAuth) {
    out.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata('ConfigMap', {
        name: 'aws-auth',
        namespace: 'kube-system',
        labels: {},
        annotations: {},
      }),
      data: k8s.awsAuth,
    });
  }
  return out;
}

/** `kubectl get namespaces,clusterroles,...,pods -A -o json` (plus the aws-auth ConfigMap): one `kind: List`. */
export function kubectlListText(cluster: SyntheticCluster): string {
  return JSON.stringify(
    { apiVersion: 'v1', kind: 'List', items: kubernetesObjects(cluster), metadata: { resourceVersion: '' } },
    null,
    4,
  );
}

/** `aws eks describe-cluster` output with the access entries (as describe-access-entry plus its policies) beside it. */
export function eksDescribeText(cluster: SyntheticCluster): string | null {
  const eks = cluster.snapshot.eks;
  if (!eks) return null;
  const name = eks.cluster.name;
  return JSON.stringify(
    {
      cluster: {
        ...eks.cluster,
        createdAt: new Date(CREATED_AT).toISOString(),
        roleArn: roleArn('eks-cluster-role'),
      },
      accessEntries: eks.accessEntries.map((entry) => ({
        accessEntry: {
          clusterName: name,
          principalArn: entry.principalArn,
          kubernetesGroups: entry.kubernetesGroups,
          accessEntryArn: `arn:aws:eks:${REGION}:${ACCOUNT}:access-entry/${name}/role/${ACCOUNT}/${entry.principalArn.split('/').pop()}/${uidOf(entry.principalArn).slice(0, 8)}`,
          createdAt: new Date(CREATED_AT).toISOString(),
          modifiedAt: new Date(CREATED_AT).toISOString(),
          tags: {},
          username: entry.username,
          type: entry.type,
        },
        associatedAccessPolicies: entry.associatedAccessPolicies.map((policy) => ({
          ...policy,
          associatedAt: new Date(CREATED_AT).toISOString(),
          modifiedAt: new Date(CREATED_AT).toISOString(),
        })),
      })),
      identityProviderConfigs: eks.identityProviderConfigs.map((oidc) => ({
        identityProviderConfig: { oidc: { ...oidc, clusterName: name, tags: {} } },
      })),
    },
    null,
    4,
  );
}

/** The snapshot file as `vigil collect --out` writes it: one compact JSON document of snapshotSchema's shape. */
export function snapshotFileText(cluster: SyntheticCluster): string {
  return `${JSON.stringify(cluster.snapshot)}\n`;
}

export interface WrittenCluster {
  /** Snapshot file (`vigil scan --snapshot`), when asked for. */
  snapshot: string | null;
  /** `kubectl get -o json` List (`vigil scan -f`), when asked for. */
  list: string | null;
  /** EKS describe output with access entries, when the cluster is EKS. */
  eks: string | null;
}

/** Writes the cluster's files into `dir` (created if missing) and returns their paths. */
export async function writeClusterFiles(
  cluster: SyntheticCluster,
  dir: string,
  forms: readonly ('snapshot' | 'list' | 'eks')[] = ['snapshot', 'list', 'eks'],
): Promise<WrittenCluster> {
  await mkdir(dir, { recursive: true });
  const out: WrittenCluster = { snapshot: null, list: null, eks: null };
  if (forms.includes('snapshot')) {
    out.snapshot = join(dir, 'snapshot.json');
    await writeFile(out.snapshot, snapshotFileText(cluster));
  }
  if (forms.includes('list')) {
    out.list = join(dir, 'cluster-list.json');
    await writeFile(out.list, kubectlListText(cluster));
  }
  const eks = forms.includes('eks') ? eksDescribeText(cluster) : null;
  if (eks !== null) {
    out.eks = join(dir, 'eks.json');
    await writeFile(out.eks, eks);
  }
  return out;
}
