/** The API resources the fake server serves, with the discovery facts kubectl and the collector need. */
export interface FakeResourceDef {
  resource: FakeResource;
  kind: string;
  group: '' | 'rbac.authorization.k8s.io';
  namespaced: boolean;
  singular: string;
  shortNames?: string[];
}

export const FAKE_RESOURCES = [
  'clusterroles',
  'clusterrolebindings',
  'roles',
  'rolebindings',
  'serviceaccounts',
  'namespaces',
  'pods',
  'configmaps',
] as const;
export type FakeResource = (typeof FAKE_RESOURCES)[number];

const RBAC = 'rbac.authorization.k8s.io';

export const RESOURCE_DEFS: Readonly<Record<FakeResource, FakeResourceDef>> = {
  clusterroles: {
    resource: 'clusterroles',
    kind: 'ClusterRole',
    group: RBAC,
    namespaced: false,
    singular: 'clusterrole',
  },
  clusterrolebindings: {
    resource: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    group: RBAC,
    namespaced: false,
    singular: 'clusterrolebinding',
  },
  roles: { resource: 'roles', kind: 'Role', group: RBAC, namespaced: true, singular: 'role' },
  rolebindings: {
    resource: 'rolebindings',
    kind: 'RoleBinding',
    group: RBAC,
    namespaced: true,
    singular: 'rolebinding',
  },
  serviceaccounts: {
    resource: 'serviceaccounts',
    kind: 'ServiceAccount',
    group: '',
    namespaced: true,
    singular: 'serviceaccount',
    shortNames: ['sa'],
  },
  namespaces: {
    resource: 'namespaces',
    kind: 'Namespace',
    group: '',
    namespaced: false,
    singular: 'namespace',
    shortNames: ['ns'],
  },
  pods: { resource: 'pods', kind: 'Pod', group: '', namespaced: true, singular: 'pod', shortNames: ['po'] },
  configmaps: {
    resource: 'configmaps',
    kind: 'ConfigMap',
    group: '',
    namespaced: true,
    singular: 'configmap',
    shortNames: ['cm'],
  },
};

export function apiVersionOf(def: FakeResourceDef): string {
  return def.group ? `${def.group}/v1` : 'v1';
}

export function resourceForKind(kind: string): FakeResource | undefined {
  return FAKE_RESOURCES.find((resource) => RESOURCE_DEFS[resource].kind === kind);
}
