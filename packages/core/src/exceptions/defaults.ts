import type { AuditException } from './model.ts';

/**
 * Built-in identities whose power is by design. Their findings are still reported, as `suppressed` with
 * the reason, so nothing is hidden; `vigil exceptions` prints this list and an exceptions file can drop
 * any entry (`disable: [id]`) or all of them (`defaults: false`).
 */
export const DEFAULT_EXCEPTIONS: readonly AuditException[] = [
  {
    id: 'control-plane-components',
    checks: ['*'],
    subject: { kind: 'User', name: 'system:kube-*' },
    reason:
      'Kubernetes control-plane component (controller manager, scheduler, proxy); its permissions ship with the API server.',
  },
  {
    id: 'apiserver-identity',
    checks: ['*'],
    subject: { kind: 'User', name: 'system:apiserver' },
    reason: "The API server's own identity.",
  },
  {
    id: 'kube-system-controllers',
    checks: ['*'],
    subject: { kind: 'ServiceAccount', namespace: 'kube-system', name: '*-controller' },
    reason: 'Built-in controller running in kube-controller-manager with its own bootstrap role.',
  },
  ...[
    'generic-garbage-collector',
    'horizontal-pod-autoscaler',
    'persistent-volume-binder',
    'resourcequota-controller',
    'namespace-controller',
    'clusterrole-aggregation-controller',
    'root-ca-cert-publisher',
    'legacy-service-account-token-cleaner',
    'token-cleaner',
    'bootstrap-signer',
    'attachdetach-controller',
    'pvc-protection-controller',
    'pv-protection-controller',
  ].map((name) => ({
    id: `kube-system-${name}`,
    checks: ['*'],
    subject: { kind: 'ServiceAccount' as const, namespace: 'kube-system', name },
    reason: 'Built-in controller running in kube-controller-manager with its own bootstrap role.',
  })),
  {
    id: 'system-masters-default-binding',
    checks: ['*'],
    resource: { kind: 'ClusterRoleBinding', name: 'cluster-admin' },
    subject: { kind: 'Group', name: 'system:masters' },
    reason:
      'Default binding the API server creates; members of system:masters bypass RBAC whether or not it exists. Findings on who is put into system:masters are not suppressed.',
  },
  {
    id: 'builtin-cluster-roles',
    checks: ['wildcards'],
    resource: { kind: 'ClusterRole', name: 'cluster-admin' },
    reason: 'Built-in role; who is bound to it is reported by the cluster-admin check.',
  },
  // Bootstrap roles the API server keeps reconciling; their wildcards are by design and not the user's to change.
  ...(
    [
      ['builtin-controller-roles', 'system:controller:*'],
      ['builtin-kube-controller-manager-role', 'system:kube-controller-manager'],
      ['builtin-kubelet-api-admin-role', 'system:kubelet-api-admin'],
    ] as const
  ).map(([id, name]) => ({
    id,
    checks: ['wildcards'],
    resource: { kind: 'ClusterRole', name },
    reason:
      'Built-in ClusterRole the API server recreates at startup (label kubernetes.io/bootstrapping: rbac-defaults); its wildcards are part of Kubernetes.',
  })),
  {
    id: 'eks-managed-users',
    checks: ['*'],
    subject: { kind: 'User', name: 'eks:*' },
    reason: 'Identity managed by Amazon EKS for the control plane.',
  },
  {
    id: 'eks-managed-groups',
    checks: ['*'],
    subject: { kind: 'Group', name: 'eks:*' },
    reason: 'Group managed by Amazon EKS for the control plane.',
  },
  {
    id: 'eks-managed-roles',
    checks: ['*'],
    resource: { kind: 'ClusterRole', name: 'eks:*' },
    reason: 'ClusterRole managed by Amazon EKS.',
  },
  {
    id: 'nodes',
    checks: ['*'],
    subject: { kind: 'Group', name: 'system:nodes' },
    reason: 'Kubelets; the Node authorizer and NodeRestriction admission narrow what they can do.',
  },
  {
    id: 'node-users',
    checks: ['*'],
    subject: { kind: 'User', name: 'system:node:*' },
    reason: 'Kubelets; the Node authorizer and NodeRestriction admission narrow what they can do.',
  },
  {
    id: 'public-info-viewer',
    checks: ['anonymous-access'],
    resource: { kind: 'ClusterRoleBinding', name: 'system:public-info-viewer' },
    subject: { kind: 'Group', name: 'system:unauthenticated' },
    reason:
      'Default binding that lets clients without credentials read /healthz, /livez, /readyz and /version, which load balancers and probes rely on. If its ClusterRole is widened, the anonymous-access check reports the role instead, and this exception does not cover that.',
  },
  {
    id: 'kubeadm-cluster-info',
    checks: ['anonymous-access'],
    resource: { kind: 'RoleBinding', namespace: 'kube-public', name: 'kubeadm:bootstrap-signer-clusterinfo' },
    subject: { kind: 'User', name: 'system:anonymous' },
    reason:
      'kubeadm lets joining nodes read the kube-public/cluster-info ConfigMap (cluster CA and endpoint, public by design) before they have credentials. If its Role is widened, the anonymous-access check reports the role instead, and this exception does not cover that.',
  },
];
