import type { AuditException } from './model.ts';

/**
 * Built-in identities whose power is by design. Their findings are still reported, as `suppressed` with
 * the reason, so nothing is hidden; `vigil exceptions` prints this list and an exceptions file can drop
 * any entry (`disable: [id]`) or all of them (`defaults: false`).
 *
 * Every entry names the identity (and, where one binding is meant, the binding) exactly: a glob such as
 * `eks:*` or `*-controller` would also cover a subject a user created under a look-alike name (EKS Auto Mode
 * even asks users to bind group eks:managed themselves), and hide what that user granted.
 */

const CONTROLLER_MANAGER_REASON =
  'Built-in controller of kube-controller-manager, which creates this service account and binds it to its own bootstrap role; the controller runs in the control plane, not in a pod of the cluster.';

/**
 * The service accounts kube-controller-manager creates for its controllers (--use-service-account-credentials)
 * and the bootstrap RBAC policy binds to `system:controller:NAME` roles.
 */
const CONTROLLER_SERVICE_ACCOUNTS = [
  'attachdetach-controller',
  'bootstrap-signer',
  'certificate-controller',
  'cloud-provider',
  'clusterrole-aggregation-controller',
  'cronjob-controller',
  'daemon-set-controller',
  'deployment-controller',
  'disruption-controller',
  'endpoint-controller',
  'endpointslice-controller',
  'endpointslicemirroring-controller',
  'ephemeral-volume-controller',
  'expand-controller',
  'generic-garbage-collector',
  'horizontal-pod-autoscaler',
  'job-controller',
  'legacy-service-account-token-cleaner',
  'namespace-controller',
  'node-controller',
  'persistent-volume-binder',
  'pod-garbage-collector',
  'pv-protection-controller',
  'pvc-protection-controller',
  'replicaset-controller',
  'replication-controller',
  'resource-claim-controller',
  'resourcequota-controller',
  'root-ca-cert-publisher',
  'route-controller',
  'selinux-warning-controller',
  'service-account-controller',
  'service-cidrs-controller',
  'service-controller',
  'statefulset-controller',
  'token-cleaner',
  'ttl-after-finished-controller',
  'ttl-controller',
  'validatingadmissionpolicy-status-controller',
  'volumeattributesclass-protection-controller',
];

/** Bootstrap ClusterRoles of controllers whose rules hold wildcards by design. */
const WILDCARD_CONTROLLER_ROLES = [
  'disruption-controller',
  'generic-garbage-collector',
  'horizontal-pod-autoscaler',
  'namespace-controller',
  'resourcequota-controller',
];

/**
 * Users Amazon EKS's control-plane components authenticate as (see "Understand Amazon EKS created RBAC roles
 * and users"). An IAM principal that aws-auth maps to one of these names is still reported under its ARN.
 */
const EKS_USERS = [
  'eks:addon-manager',
  'eks:authenticator',
  'eks:az-poller',
  'eks:certificate-controller',
  'eks:cloud-controller-manager',
  'eks:cluster-bootstrap',
  'eks:cluster-event-watcher',
  'eks:coredns-autoscaler',
  'eks:fargate-manager',
  'eks:fargate-scheduler',
  'eks:k8s-metrics',
  'eks:kms-storage-migrator',
  'eks:network-policy-controller',
  'eks:node-manager',
  'eks:nodewatcher',
  'eks:pod-identity-mutating-webhook',
  'eks:service-operations',
  'eks:support-engineer',
  'eks:tagging-controller',
  'eks:vpc-resource-controller',
];

/** EKS-created ClusterRoles whose rules hold wildcards by design. */
const EKS_WILDCARD_ROLES = ['eks:addon-manager', 'eks:cloud-controller-manager'];

/**
 * Add-ons that EKS installs and manages (VPC CNI, CoreDNS, kube-proxy; the EBS and EFS CSI drivers as EKS
 * add-ons), whose pods call the API server and so need their token. Only token-automount is covered: any
 * other finding on these accounts means their permissions were widened, and is reported.
 */
const ADDON_SERVICE_ACCOUNTS: readonly { name: string; what: string; checks: string[] }[] = [
  { name: 'aws-node', what: 'the Amazon VPC CNI plugin (EKS default add-on)', checks: ['token-automount'] },
  {
    name: 'coredns',
    what: 'CoreDNS (EKS default add-on; kubeadm installs it too), which watches Services and EndpointSlices',
    checks: ['token-automount'],
  },
  {
    name: 'kube-proxy',
    what: 'kube-proxy (EKS default add-on; kubeadm installs it too), which watches Services and EndpointSlices',
    checks: ['token-automount'],
  },
  {
    name: 'ebs-csi-node-sa',
    what: 'the node plugin of the Amazon EBS CSI driver',
    checks: ['token-automount'],
  },
  {
    name: 'efs-csi-node-sa',
    what: 'the node plugin of the Amazon EFS CSI driver',
    checks: ['token-automount'],
  },
  {
    name: 'ebs-csi-controller-sa',
    what: 'the controller of the Amazon EBS CSI driver, whose provisioner creates the PersistentVolumes it provisions',
    checks: ['token-automount', 'pv-create'],
  },
  {
    name: 'efs-csi-controller-sa',
    what: 'the controller of the Amazon EFS CSI driver, whose provisioner creates the PersistentVolumes it provisions',
    checks: ['token-automount', 'pv-create'],
  },
];

/**
 * Bindings the bootstrap RBAC policy creates on every cluster (and the API server recreates at startup) for
 * service accounts that only exist when the component runs as a pod under that account; on EKS and with
 * kubeadm's CoreDNS they do not, so the bindings name accounts that do not exist.
 */
const BOOTSTRAP_BINDINGS_TO_ABSENT_ACCOUNTS: readonly {
  id: string;
  resource: { kind: 'ClusterRoleBinding' | 'RoleBinding'; name: string; namespace?: string };
  account: string;
  grants: string;
}[] = [
  {
    id: 'bootstrap-binding-kube-dns',
    resource: { kind: 'ClusterRoleBinding', name: 'system:kube-dns' },
    account: 'kube-dns',
    grants: 'list and watch Services and Endpoints',
  },
  {
    id: 'bootstrap-binding-leader-locking-kube-scheduler',
    resource: {
      kind: 'RoleBinding',
      namespace: 'kube-system',
      name: 'system::leader-locking-kube-scheduler',
    },
    account: 'kube-scheduler',
    grants: 'the kube-scheduler leader-election lock',
  },
  {
    id: 'bootstrap-binding-leader-locking-kube-controller-manager',
    resource: {
      kind: 'RoleBinding',
      namespace: 'kube-system',
      name: 'system::leader-locking-kube-controller-manager',
    },
    account: 'kube-controller-manager',
    grants: 'the kube-controller-manager leader-election lock',
  },
];

export const DEFAULT_EXCEPTIONS: readonly AuditException[] = [
  ...(
    [
      ['kube-controller-manager', 'controller manager'],
      ['kube-scheduler', 'scheduler'],
      ['kube-proxy', 'proxy (when it runs with its own credentials rather than a service account)'],
    ] as const
  ).map(([component, what]) => ({
    id: `control-plane-${component}`,
    checks: ['*'],
    subject: { kind: 'User' as const, name: `system:${component}` },
    reason: `Kubernetes control-plane component (${what}); its permissions ship with the API server.`,
  })),
  {
    id: 'apiserver-identity',
    checks: ['*'],
    subject: { kind: 'User', name: 'system:apiserver' },
    reason: "The API server's own identity.",
  },
  ...CONTROLLER_SERVICE_ACCOUNTS.map((name) => ({
    id: `kube-system-${name}`,
    checks: ['*'],
    subject: { kind: 'ServiceAccount' as const, namespace: 'kube-system', name },
    reason: CONTROLLER_MANAGER_REASON,
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
    id: 'kubeadm-cluster-admins-binding',
    checks: ['*'],
    resource: { kind: 'ClusterRoleBinding', name: 'kubeadm:cluster-admins' },
    subject: { kind: 'Group', name: 'kubeadm:cluster-admins' },
    reason:
      'Binding kubeadm (1.29 and later) creates for the group of its admin.conf client certificate, instead of putting that certificate in system:masters. Keep admin.conf offline; other bindings to the group are not suppressed.',
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
      ...WILDCARD_CONTROLLER_ROLES.map((name) => [
        `builtin-controller-role-${name}`,
        `system:controller:${name}`,
      ]),
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
  ...BOOTSTRAP_BINDINGS_TO_ABSENT_ACCOUNTS.map(({ id, resource, account, grants }) => ({
    id,
    checks: ['dangling-binding'],
    resource,
    subject: { kind: 'ServiceAccount' as const, namespace: 'kube-system', name: account },
    reason:
      `Bootstrap binding the API server creates and recreates at startup; ServiceAccount kube-system/${account} ` +
      'only exists where that component runs as a pod under it. Whoever could create the account in kube-system ' +
      `and use it already holds more than it gives (${grants}).`,
  })),
  ...EKS_USERS.map((name) => ({
    id: `eks-managed-user-${name.slice('eks:'.length)}`,
    checks: ['*'],
    subject: { kind: 'User' as const, name },
    reason: 'Identity Amazon EKS uses for a component of the managed control plane.',
  })),
  {
    id: 'eks-managed-group-kube-proxy-windows',
    checks: ['*'],
    subject: { kind: 'Group', name: 'eks:kube-proxy-windows' },
    reason:
      'Group Amazon EKS puts Windows nodes in so that kube-proxy on them can run with the node identity.',
  },
  ...EKS_WILDCARD_ROLES.map((name) => ({
    id: `eks-managed-role-${name.slice('eks:'.length)}`,
    checks: ['wildcards'],
    resource: { kind: 'ClusterRole', name },
    reason: 'ClusterRole Amazon EKS creates and updates for a component of the managed control plane.',
  })),
  {
    id: 'eks-vpc-resource-controller',
    checks: ['*'],
    subject: { kind: 'ServiceAccount', namespace: 'kube-system', name: 'eks-vpc-resource-controller' },
    reason:
      'Service account of the Amazon VPC resource controller, which Amazon EKS runs on the control plane and binds to vpc-resource-controller-role.',
  },
  ...ADDON_SERVICE_ACCOUNTS.map(({ name, what, checks }) => ({
    id: `addon-${name}`,
    checks,
    subject: { kind: 'ServiceAccount' as const, namespace: 'kube-system', name },
    reason: `Service account of ${what}; its pods call the API server, so they need the token.`,
  })),
  {
    id: 'nodes',
    checks: ['*'],
    subject: { kind: 'Group', name: 'system:nodes' },
    reason: 'Kubelets; the Node authorizer and NodeRestriction admission narrow what they can do.',
  },
  {
    id: 'node-users',
    checks: ['*'],
    // Node names differ per cluster; the Node authorizer reserves the prefix for kubelets.
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
