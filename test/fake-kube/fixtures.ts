/**
 * A small cluster as the Kubernetes API returns it (metadata noise included: uids, managedFields,
 * last-applied annotations), with known risks for end-to-end assertions:
 * - User `alice` is bound cluster-wide to cluster-admin (cluster-admin check);
 * - ServiceAccount team-a/ci can read Secrets in team-a through a Role (secrets-read check);
 * - aws-auth maps a role into system:masters and carries an unrelated key holding a password, which must
 *   never be stored.
 */

let uid = 0;

function meta(name: string, namespace?: string, extra: Record<string, unknown> = {}) {
  uid++;
  return {
    name,
    ...(namespace ? { namespace } : {}),
    uid: `00000000-0000-4000-8000-${String(uid).padStart(12, '0')}`,
    resourceVersion: String(1000 + uid),
    creationTimestamp: '2025-01-01T00:00:00Z',
    managedFields: [
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2025-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {} } } },
      },
    ],
    ...extra,
  };
}

const RBAC = 'rbac.authorization.k8s.io/v1';

export const PLANTED_SECRET = 'hunter2-Pa55w0rd-planted';

export function smallCluster(options: { awsAuth?: boolean } = {}): unknown[] {
  const objects: unknown[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: meta('default'), spec: { finalizers: ['kubernetes'] } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: meta('kube-system') },
    { apiVersion: 'v1', kind: 'Namespace', metadata: meta('team-a', undefined, { labels: { team: 'a' } }) },
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: meta('cluster-admin', undefined, {
        labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
        annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
      }),
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['*'] },
      ],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: meta('pod-reader', undefined, {
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
            kind: 'ClusterRole',
            big: 'x'.repeat(500),
          }),
        },
      }),
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: meta('cluster-admin', undefined, {
        labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
        annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
      }),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: meta('alice-admin'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
    },
    {
      apiVersion: RBAC,
      kind: 'Role',
      metadata: meta('secret-reader', 'team-a'),
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
    },
    {
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: meta('ci-reads-secrets', 'team-a'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'team-a' }],
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta('default', 'team-a'),
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta('ci', 'team-a'),
      secrets: [{ name: 'ci-token' }],
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', 'kube-system') },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('web-7d4b9c-abcde', 'team-a', {
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c', controller: true, uid: 'x' },
        ],
      }),
      spec: {
        serviceAccountName: 'ci',
        containers: [{ name: 'web', image: 'nginx', env: [{ name: 'PASSWORD', value: PLANTED_SECRET }] }],
      },
      status: { phase: 'Running' },
    },
  ];
  if (options.awsAuth) objects.push(awsAuthConfigMap());
  return objects;
}

export function awsAuthConfigMap(mapRoles?: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta('aws-auth', 'kube-system'),
    data: {
      mapRoles:
        mapRoles ??
        [
          '- rolearn: arn:aws:iam::111122223333:role/nodes',
          '  username: system:node:{{EC2PrivateDNSName}}',
          '  groups: [system:bootstrappers, system:nodes]',
          '- rolearn: arn:aws:iam::111122223333:role/platform-admins',
          '  username: platform-admin',
          '  groups: [system:masters]',
          '',
        ].join('\n'),
      mapUsers: '- userarn: arn:aws:iam::111122223333:user/bob\n  username: bob\n  groups: [developers]\n',
      notes: `database password is ${PLANTED_SECRET}`,
    },
  };
}
