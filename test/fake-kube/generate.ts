/**
 * Many RBAC objects in the shape the API returns them, for the collection benchmark and scale tests.
 * Deterministic; each object carries the metadata noise real clusters have (uid, resourceVersion,
 * managedFields, labels), which the collector must drop.
 */

export interface RbacVolume {
  clusterRoles: number;
  clusterRoleBindings: number;
  roles: number;
  roleBindings: number;
  serviceAccounts: number;
  namespaces: number;
}

/** 50,000 RBAC objects (plus namespaces), in roughly the mix of a large multi-tenant cluster. */
export const BENCH_VOLUME: RbacVolume = {
  clusterRoles: 2_000,
  clusterRoleBindings: 3_000,
  roles: 15_000,
  roleBindings: 20_000,
  serviceAccounts: 10_000,
  namespaces: 500,
};

export function countRbacObjects(volume: RbacVolume): number {
  return (
    volume.clusterRoles +
    volume.clusterRoleBindings +
    volume.roles +
    volume.roleBindings +
    volume.serviceAccounts
  );
}

const RBAC = 'rbac.authorization.k8s.io/v1';

function meta(kind: string, i: number, name: string, namespace?: string) {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    uid: `${kind.toLowerCase().slice(0, 8).padEnd(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`,
    resourceVersion: String(100_000 + i),
    creationTimestamp: '2025-01-01T00:00:00Z',
    labels: { 'app.kubernetes.io/managed-by': 'generator', team: `team-${i % 50}` },
    managedFields: [
      {
        manager: 'kube-controller-manager',
        operation: 'Update',
        apiVersion: RBAC,
        time: '2025-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:team': {} } }, 'f:rules': {} },
      },
    ],
  };
}

const RESOURCES = ['pods', 'services', 'configmaps', 'deployments', 'jobs', 'ingresses', 'secrets', 'events'];
const VERBS = [['get', 'list', 'watch'], ['get'], ['create', 'update', 'patch', 'delete'], ['*']];

function rules(i: number) {
  return [
    {
      apiGroups: ['', 'apps'],
      resources: [RESOURCES[i % RESOURCES.length]!, RESOURCES[(i + 3) % RESOURCES.length]!],
      verbs: VERBS[i % VERBS.length]!,
    },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get', 'list'] },
  ];
}

/** The objects, as raw API objects with kind and apiVersion (the fake server strips them in lists). */
export function generateRbacObjects(volume: RbacVolume = BENCH_VOLUME): unknown[] {
  const out: unknown[] = [];
  const ns = (i: number) => `ns-${i % Math.max(1, volume.namespaces)}`;
  for (let i = 0; i < volume.namespaces; i++) {
    out.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: meta('Namespace', i, `ns-${i}`),
      spec: { finalizers: ['kubernetes'] },
    });
  }
  for (let i = 0; i < volume.clusterRoles; i++) {
    out.push({
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: meta('ClusterRole', i, `clusterrole-${i}`),
      rules: rules(i),
    });
  }
  for (let i = 0; i < volume.clusterRoleBindings; i++) {
    out.push({
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: meta('ClusterRoleBinding', i, `clusterrolebinding-${i}`),
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: `clusterrole-${i % Math.max(1, volume.clusterRoles)}`,
      },
      subjects: [
        { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `group-${i % 200}` },
        { kind: 'ServiceAccount', name: `sa-${i}`, namespace: ns(i) },
      ],
    });
  }
  for (let i = 0; i < volume.roles; i++) {
    out.push({
      apiVersion: RBAC,
      kind: 'Role',
      metadata: meta('Role', i, `role-${i}`, ns(i)),
      rules: rules(i),
    });
  }
  for (let i = 0; i < volume.roleBindings; i++) {
    out.push({
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: meta('RoleBinding', i, `rolebinding-${i}`, ns(i)),
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: `role-${i % Math.max(1, volume.roles)}`,
      },
      subjects: [
        { kind: 'ServiceAccount', name: `sa-${i % Math.max(1, volume.serviceAccounts)}`, namespace: ns(i) },
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: `user-${i % 1000}@example.com` },
      ],
    });
  }
  for (let i = 0; i < volume.serviceAccounts; i++) {
    out.push({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta('ServiceAccount', i, `sa-${i}`, ns(i)),
      ...(i % 3 === 0 ? { automountServiceAccountToken: false } : {}),
    });
  }
  return out;
}
