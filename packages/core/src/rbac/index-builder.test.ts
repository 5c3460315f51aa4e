import { describe, expect, it } from 'vitest';
import { type PolicyRule, snapshotSchema } from '../snapshot/model.ts';
import { buildRbacIndex, type Grant, implicitGroups, type SubjectRef } from './index-builder.ts';

/** A snapshot from plain objects, validated by the real schema (which applies the defaults). */
function snapshot(kubernetes: Record<string, unknown>, eks?: Record<string, unknown>) {
  return snapshotSchema.parse({
    schemaVersion: 1,
    cluster: { name: 'test', platform: eks ? 'eks' : 'kubernetes' },
    kubernetes,
    eks: eks ? { cluster: { name: 'test' }, ...eks } : null,
  });
}

function rule(verbs: string[], apiGroups: string[], resources: string[], extra: Partial<PolicyRule> = {}) {
  return { verbs, apiGroups, resources, ...extra };
}

const SECRETS_READ = rule(['get', 'list', 'watch'], [''], ['secrets']);
const ALL = rule(['*'], ['*'], ['*']);

function clusterRole(name: string, rules: object[], extra: object = {}) {
  return { kind: 'ClusterRole' as const, name, rules, ...extra };
}
function crb(name: string, role: string, subjects: object[]) {
  return {
    kind: 'ClusterRoleBinding' as const,
    name,
    roleRef: { kind: 'ClusterRole' as const, name: role },
    subjects,
  };
}
function rb(
  name: string,
  namespace: string,
  roleRef: { kind: 'Role' | 'ClusterRole'; name: string },
  subjects: object[],
) {
  return { kind: 'RoleBinding' as const, name, namespace, roleRef, subjects };
}
const user = (name: string) => ({ kind: 'User', name });
const group = (name: string) => ({ kind: 'Group', name });

/** `Kind:name` (and namespace) of each row's subject, sorted, for compact expectations. */
function who(rows: Grant[]): string[] {
  return [
    ...new Set(
      rows.map((row) =>
        row.subject.kind === 'ServiceAccount'
          ? `ServiceAccount:${row.subject.namespace}/${row.subject.name}`
          : `${row.subject.kind}:${row.subject.name}`,
      ),
    ),
  ].sort();
}

const getSecrets = { verb: 'get', apiGroup: '', resource: 'secrets' };

describe('RbacIndex bindings', () => {
  const index = buildRbacIndex(
    snapshot({
      clusterRoles: [
        clusterRole('secret-reader', [SECRETS_READ]),
        clusterRole('node-reader', [rule(['get'], [''], ['nodes'])]),
      ],
      roles: [
        {
          kind: 'Role',
          name: 'nodes-in-a-role',
          namespace: 'team-a',
          rules: [rule(['get'], [''], ['nodes']), rule(['get'], [''], ['configmaps'])],
        },
      ],
      clusterRoleBindings: [
        crb('global-readers', 'secret-reader', [user('auditor')]),
        crb('nodes', 'node-reader', [user('ops')]),
      ],
      roleBindings: [
        rb('team-a-readers', 'team-a', { kind: 'ClusterRole', name: 'secret-reader' }, [user('alice')]),
        rb('team-b-readers', 'team-b', { kind: 'ClusterRole', name: 'secret-reader' }, [user('bob')]),
        rb('role-with-nodes', 'team-a', { kind: 'Role', name: 'nodes-in-a-role' }, [user('carol')]),
        rb('clusterrole-with-nodes', 'team-a', { kind: 'ClusterRole', name: 'node-reader' }, [user('dave')]),
      ],
    }),
  );

  it('scopes a RoleBinding to a ClusterRole to the binding namespace', () => {
    const inA = index.whoCan({ ...getSecrets, namespace: 'team-a' });
    expect(who(inA)).toEqual(['Group:system:masters', 'User:alice', 'User:auditor']);
    const alice = inA.find((row) => row.subject.name === 'alice')!;
    expect(alice.namespace).toBe('team-a');
    expect(alice.binding).toEqual({ kind: 'RoleBinding', name: 'team-a-readers', namespace: 'team-a' });
    expect(alice.role.name).toBe('secret-reader');
    expect(who(index.whoCan({ ...getSecrets, namespace: 'team-b' }))).toEqual([
      'Group:system:masters',
      'User:auditor',
      'User:bob',
    ]);
  });

  it('answers without a namespace with grants in every namespace and cluster-wide ones', () => {
    const rows = index.whoCan(getSecrets);
    expect(who(rows)).toEqual(['Group:system:masters', 'User:alice', 'User:auditor', 'User:bob']);
    expect(rows.find((row) => row.subject.name === 'auditor')!.namespace).toBeNull();
  });

  it('answers for a namespace nobody binds in with cluster-wide grants only', () => {
    expect(who(index.whoCan({ ...getSecrets, namespace: 'elsewhere' }))).toEqual([
      'Group:system:masters',
      'User:auditor',
    ]);
  });

  it('never grants cluster-scoped resources through a Role or RoleBinding', () => {
    const rows = index.whoCan({ verb: 'get', apiGroup: '', resource: 'nodes' });
    expect(who(rows)).toEqual(['Group:system:masters', 'User:ops']);
    expect(who(index.whoCan({ verb: 'get', apiGroup: '', resource: 'nodes', namespace: 'team-a' }))).toEqual([
      'Group:system:masters',
      'User:ops',
    ]);
  });

  it('still grants the namespaced rules of the same Role', () => {
    expect(
      who(index.whoCan({ verb: 'get', apiGroup: '', resource: 'configmaps', namespace: 'team-a' })),
    ).toContain('User:carol');
  });

  it('traces each row to the rule that grants it', () => {
    const row = index.whoCan({ ...getSecrets, namespace: 'team-a' }).find((r) => r.subject.name === 'alice')!;
    expect(row.ruleIndex).toBe(0);
    expect(row.rule.resources).toEqual(['secrets']);
    expect(row.match).toBe('all');
  });

  it('reports names-only grants when the rule lists resourceNames', () => {
    const named = buildRbacIndex(
      snapshot({
        clusterRoles: [
          clusterRole('one-secret', [rule(['get'], [''], ['secrets'], { resourceNames: ['tls'] })]),
        ],
        clusterRoleBindings: [crb('one', 'one-secret', [user('erin')])],
      }),
    );
    const rows = named.whoCan(getSecrets).filter((row) => row.subject.name === 'erin');
    expect(rows.map((row) => row.match)).toEqual(['names']);
    expect(named.whoCan({ ...getSecrets, name: 'tls' }).some((r) => r.subject.name === 'erin')).toBe(true);
    expect(named.whoCan({ ...getSecrets, name: 'db' }).some((r) => r.subject.name === 'erin')).toBe(false);
  });
});

describe('RbacIndex ServiceAccount subjects', () => {
  const index = buildRbacIndex(
    snapshot({
      clusterRoles: [clusterRole('secret-reader', [SECRETS_READ])],
      clusterRoleBindings: [
        crb('sa-global', 'secret-reader', [{ kind: 'ServiceAccount', name: 'backup', namespace: 'ops' }]),
      ],
      roleBindings: [
        rb('no-namespace', 'team-a', { kind: 'ClusterRole', name: 'secret-reader' }, [
          { kind: 'ServiceAccount', name: 'builder' },
        ]),
        rb('other-namespace', 'team-a', { kind: 'ClusterRole', name: 'secret-reader' }, [
          { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
        ]),
      ],
    }),
  );

  it('defaults a ServiceAccount subject without namespace to the RoleBinding namespace', () => {
    const rows = index.whoCan({ ...getSecrets, namespace: 'team-a' });
    expect(who(rows)).toContain('ServiceAccount:team-a/builder');
  });

  it('keeps an explicit ServiceAccount namespace that differs from the binding namespace', () => {
    const rows = index.whoCan({ ...getSecrets, namespace: 'team-a' });
    expect(who(rows)).toContain('ServiceAccount:ci/deployer');
    const row = rows.find((r) => r.subject.name === 'deployer')!;
    expect(row.namespace).toBe('team-a');
  });

  it('lists ServiceAccounts of ClusterRoleBindings with their own namespace', () => {
    expect(who(index.whoCan(getSecrets))).toContain('ServiceAccount:ops/backup');
    expect(index.subjects()).toContainEqual({ kind: 'ServiceAccount', name: 'builder', namespace: 'team-a' });
  });
});

describe('RbacIndex aggregated ClusterRoles', () => {
  const labelled = (name: string, labels: Record<string, string>, rules: object[]) =>
    clusterRole(name, rules, { labels });
  const aggregated = (name: string, selectors: object[], extra: object = {}) =>
    clusterRole(name, [], { aggregationRule: { clusterRoleSelectors: selectors }, ...extra });

  it('pulls in the rules of ClusterRoles that match labels', () => {
    const index = buildRbacIndex(
      snapshot({
        clusterRoles: [
          aggregated('monitoring', [{ matchLabels: { 'example.com/aggregate-to-monitoring': 'true' } }]),
          labelled('metrics', { 'example.com/aggregate-to-monitoring': 'true' }, [
            rule(['get'], [''], ['pods']),
          ]),
          labelled('other', { 'example.com/aggregate-to-monitoring': 'false' }, [SECRETS_READ]),
        ],
        clusterRoleBindings: [crb('mon', 'monitoring', [user('grafana')])],
      }),
    );
    const role = index.roles.get('ClusterRole:monitoring')!;
    expect(role.aggregatedFrom).toEqual(['metrics']);
    expect(role.rules).toEqual([
      { ...rule(['get'], [''], ['pods']), resourceNames: [], nonResourceURLs: [] },
    ]);
    expect(who(index.whoCan({ verb: 'get', apiGroup: '', resource: 'pods' }))).toContain('User:grafana');
    expect(who(index.whoCan(getSecrets))).not.toContain('User:grafana');
  });

  it('honours matchExpressions (In, NotIn, Exists, DoesNotExist)', () => {
    const index = buildRbacIndex(
      snapshot({
        clusterRoles: [
          aggregated('by-in', [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }]),
          aggregated('by-notin', [
            {
              matchExpressions: [
                { key: 'tier', operator: 'NotIn', values: ['a'] },
                { key: 'tier', operator: 'Exists' },
              ],
            },
          ]),
          aggregated('by-absent', [
            {
              matchLabels: { kind: 'leaf' },
              matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }],
            },
          ]),
          labelled('leaf-a', { kind: 'leaf', tier: 'a' }, [rule(['get'], [''], ['pods'])]),
          labelled('leaf-b', { kind: 'leaf', tier: 'b' }, [rule(['get'], [''], ['services'])]),
          labelled('leaf-none', { kind: 'leaf' }, [rule(['get'], [''], ['configmaps'])]),
        ],
      }),
    );
    expect(index.roles.get('ClusterRole:by-in')!.aggregatedFrom).toEqual(['leaf-a', 'leaf-b']);
    expect(index.roles.get('ClusterRole:by-notin')!.aggregatedFrom).toEqual(['leaf-b']);
    expect(index.roles.get('ClusterRole:by-absent')!.aggregatedFrom).toEqual(['leaf-none']);
  });

  it('combines several selectors as OR', () => {
    const index = buildRbacIndex(
      snapshot({
        clusterRoles: [
          aggregated('either', [{ matchLabels: { a: 'x' } }, { matchLabels: { b: 'y' } }]),
          labelled('one', { a: 'x' }, [rule(['get'], [''], ['pods'])]),
          labelled('two', { b: 'y' }, [rule(['get'], [''], ['services'])]),
        ],
      }),
    );
    expect(index.roles.get('ClusterRole:either')!.rules.map((r) => r.resources[0])).toEqual([
      'pods',
      'services',
    ]);
  });

  it('resolves chains of aggregation', () => {
    const index = buildRbacIndex(
      snapshot({
        clusterRoles: [
          aggregated('admin', [{ matchLabels: { 'agg-to-admin': 'true' } }]),
          aggregated('edit', [{ matchLabels: { 'agg-to-edit': 'true' } }], {
            labels: { 'agg-to-admin': 'true' },
          }),
          aggregated('view', [{ matchLabels: { 'agg-to-view': 'true' } }], {
            labels: { 'agg-to-edit': 'true' },
          }),
          labelled('crd-view', { 'agg-to-view': 'true' }, [rule(['get'], ['example.com'], ['widgets'])]),
        ],
        clusterRoleBindings: [crb('admins', 'admin', [group('admins')])],
      }),
    );
    const rows = index.whoCan({ verb: 'get', apiGroup: 'example.com', resource: 'widgets' });
    expect(who(rows)).toContain('Group:admins');
    expect(index.roles.get('ClusterRole:admin')!.aggregatedFrom).toEqual(['edit', 'view', 'crd-view']);
  });

  it('resolves cycles without looping and gives every role in the cycle the rules of all of them', () => {
    const roles = [
      aggregated('a', [{ matchLabels: { 'to-a': 'true' } }], { labels: { 'to-b': 'true' } }),
      aggregated('b', [{ matchLabels: { 'to-b': 'true' } }], { labels: { 'to-a': 'true' } }),
      labelled('c', { 'to-a': 'true' }, [SECRETS_READ]),
    ];
    // Both orders: the result must not depend on which role is resolved first.
    for (const ordered of [roles, [...roles].reverse()]) {
      const index = buildRbacIndex(
        snapshot({
          clusterRoles: ordered,
          clusterRoleBindings: [crb('via-a', 'a', [user('ua')]), crb('via-b', 'b', [user('ub')])],
        }),
      );
      expect(who(index.whoCan(getSecrets))).toEqual(['Group:system:masters', 'User:ua', 'User:ub']);
    }
  });

  it('keeps the own rules of an aggregated role and drops duplicate rules', () => {
    const index = buildRbacIndex(
      snapshot({
        clusterRoles: [
          clusterRole('agg', [SECRETS_READ], {
            aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: '1' } }] },
          }),
          labelled('dup', { x: '1' }, [SECRETS_READ, rule(['get'], [''], ['pods'])]),
        ],
      }),
    );
    expect(index.roles.get('ClusterRole:agg')!.rules.map((r) => r.resources[0])).toEqual(['secrets', 'pods']);
  });

  it('aggregates nothing when the selector list is empty, and never aggregates a role into itself', () => {
    const index = buildRbacIndex(
      snapshot({
        clusterRoles: [
          aggregated('none', []),
          clusterRole('self', [SECRETS_READ], {
            labels: { x: '1' },
            aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: '1' } }] },
          }),
        ],
      }),
    );
    expect(index.roles.get('ClusterRole:none')!.rules).toEqual([]);
    expect(index.roles.get('ClusterRole:self')!.aggregatedFrom).toEqual([]);
    expect(index.roles.get('ClusterRole:self')!.rules).toHaveLength(1);
  });

  it('resolves a long chain without deep recursion', () => {
    const depth = 5_000;
    const chain = Array.from({ length: depth }, (_, i) =>
      i === depth - 1
        ? labelled(`r${i}`, { level: String(i) }, [SECRETS_READ])
        : aggregated(`r${i}`, [{ matchLabels: { level: String(i + 1) } }], { labels: { level: String(i) } }),
    );
    const index = buildRbacIndex(snapshot({ clusterRoles: chain }));
    expect(index.roles.get('ClusterRole:r0')!.rules).toHaveLength(1);
  });
});

describe('RbacIndex dangling role references', () => {
  const index = buildRbacIndex(
    snapshot({
      clusterRoles: [clusterRole('exists', [SECRETS_READ])],
      roles: [{ kind: 'Role', name: 'ns-role', namespace: 'team-b', rules: [SECRETS_READ] }],
      clusterRoleBindings: [crb('to-missing', 'gone', [user('frank')])],
      roleBindings: [
        rb('missing-role', 'team-a', { kind: 'Role', name: 'ns-role' }, [
          { kind: 'ServiceAccount', name: 'app' },
        ]),
        rb('missing-cr', 'team-a', { kind: 'ClusterRole', name: 'also-gone' }, [user('gina')]),
        rb('fine', 'team-b', { kind: 'Role', name: 'ns-role' }, [user('hank')]),
      ],
    }),
  );

  it('records bindings whose role does not exist, with the binding and its subjects', () => {
    const dangling = index.danglingRoleRefs.map((d) => ({
      binding: d.binding.name,
      role: `${d.role.kind}:${d.role.namespace ?? ''}/${d.role.name}`,
      exists: d.role.exists,
      subjects: d.subjects.map((s) => s.name),
    }));
    expect(dangling).toEqual([
      { binding: 'to-missing', role: 'ClusterRole:/gone', exists: false, subjects: ['frank'] },
      // A Role of the same name in another namespace does not satisfy the reference.
      { binding: 'missing-role', role: 'Role:team-a/ns-role', exists: false, subjects: ['app'] },
      { binding: 'missing-cr', role: 'ClusterRole:/also-gone', exists: false, subjects: ['gina'] },
    ]);
  });

  it('grants nothing through a dangling binding but still knows its subjects', () => {
    expect(who(index.whoCan(getSecrets))).toEqual(['Group:system:masters', 'User:hank']);
    expect(index.subjects()).toContainEqual({ kind: 'User', name: 'frank' });
    expect(index.subjects()).toContainEqual({ kind: 'ServiceAccount', name: 'app', namespace: 'team-a' });
  });
});

describe('RbacIndex non-resource URLs', () => {
  const metrics = clusterRole('metrics', [rule(['get'], [], [], { nonResourceURLs: ['/metrics'] })]);
  const index = buildRbacIndex(
    snapshot({
      clusterRoles: [metrics],
      clusterRoleBindings: [crb('prometheus', 'metrics', [user('prometheus')])],
      roleBindings: [rb('ns-metrics', 'team-a', { kind: 'ClusterRole', name: 'metrics' }, [user('ns-user')])],
    }),
  );

  it('grants them only through cluster-wide bindings', () => {
    const rows = index.whoCan({ verb: 'get', nonResourceURL: '/metrics' });
    expect(who(rows)).toEqual(['Group:system:masters', 'User:prometheus']);
  });

  it('does not grant other URLs or verbs', () => {
    expect(who(index.whoCan({ verb: 'get', nonResourceURL: '/logs' }))).toEqual(['Group:system:masters']);
    expect(who(index.whoCan({ verb: 'post', nonResourceURL: '/metrics' }))).toEqual(['Group:system:masters']);
  });
});

describe('RbacIndex IAM principals', () => {
  const mapRoles = [
    '- rolearn: arn:aws:iam::111122223333:role/platform',
    '  username: platform:{{SessionName}}',
    '  groups: [platform-readers]',
    '- rolearn: arn:aws:iam::111122223333:role/breakglass',
    '  username: breakglass',
    '  groups:',
    '    - system:masters',
    '- rolearn: arn:aws:iam::111122223333:role/templated',
    '  username: "{{SessionName}}"',
  ].join('\n');
  const mapUsers = [
    '- userarn: arn:aws:iam::111122223333:user/jane',
    '  username: jane',
    '  groups: []',
  ].join('\n');
  const index = buildRbacIndex(
    snapshot(
      {
        clusterRoles: [
          clusterRole('secret-reader', [SECRETS_READ]),
          clusterRole('cluster-admin', [ALL, rule(['*'], [], [], { nonResourceURLs: ['*'] })]),
          clusterRole('node-things', [rule(['get'], [''], ['nodes'])]),
        ],
        clusterRoleBindings: [
          crb('platform', 'secret-reader', [group('platform-readers')]),
          crb('jane', 'secret-reader', [user('jane')]),
          crb('session', 'secret-reader', [user('{{SessionName}}')]),
          crb('nodes', 'node-things', [group('system:nodes')]),
          crb('eks-admins', 'cluster-admin', [group('eks-admins')]),
        ],
        awsAuth: { mapRoles, mapUsers },
      },
      {
        accessEntries: [
          {
            principalArn: 'arn:aws:iam::111122223333:role/admins',
            kubernetesGroups: ['eks-admins'],
          },
          {
            principalArn: 'arn:aws:iam::111122223333:role/cluster-admin-policy',
            associatedAccessPolicies: [
              {
                policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
                accessScope: { type: 'cluster', namespaces: [] },
              },
            ],
          },
          {
            principalArn: 'arn:aws:iam::111122223333:role/dev-editor',
            associatedAccessPolicies: [
              {
                policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy',
                accessScope: { type: 'namespace', namespaces: ['dev', 'test'] },
              },
            ],
          },
          {
            principalArn: 'arn:aws:iam::111122223333:role/unknown-policy',
            associatedAccessPolicies: [
              {
                policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSFuturePolicy',
                accessScope: { type: 'cluster' },
              },
            ],
          },
          { principalArn: 'arn:aws:iam::111122223333:role/node', type: 'EC2_LINUX' },
          {
            principalArn: 'arn:aws:iam::111122223333:role/node-listed',
            type: 'EC2_LINUX',
            kubernetesGroups: ['system:nodes'],
          },
          { principalArn: 'arn:aws:iam::111122223333:role/fargate', type: 'FARGATE_LINUX' },
        ],
      },
    ),
  );
  const arn = (name: string) => `arn:aws:iam::111122223333:${name}`;

  it('expands aws-auth groups into IAM principal rows that say how they got there', () => {
    const rows = index.whoCan(getSecrets).filter((row) => row.subject.kind === 'IAMPrincipal');
    const platform = rows.find((row) => row.subject.name === arn('role/platform'))!;
    expect(platform.binding.name).toBe('platform');
    expect(platform.via?.through).toEqual({ kind: 'Group', name: 'platform-readers' });
    expect(platform.via?.mapping).toMatchObject({ kind: 'aws-auth', source: 'mapRoles', index: 0 });
  });

  it('expands an aws-auth username bound directly (mapUsers)', () => {
    const jane = index.whoCan(getSecrets).find((row) => row.subject.name === arn('user/jane'))!;
    expect(jane.via?.through).toEqual({ kind: 'User', name: 'jane' });
    expect(jane.via?.mapping).toMatchObject({ source: 'mapUsers', index: 0 });
  });

  it('does not map templated usernames onto bindings that spell the template', () => {
    const rows = index.whoCan(getSecrets);
    expect(who(rows)).toContain('User:{{SessionName}}');
    expect(rows.some((row) => row.subject.name === arn('role/templated'))).toBe(false);
  });

  it('expands access entry kubernetesGroups', () => {
    const rows = index.whoCan({ verb: 'delete', apiGroup: 'apps', resource: 'deployments' });
    const admins = rows.find((row) => row.subject.name === arn('role/admins'))!;
    expect(admins.via?.mapping.kind).toBe('access-entry');
    expect(admins.via?.through).toEqual({ kind: 'Group', name: 'eks-admins' });
  });

  it('grants cluster-scoped access policies cluster-wide', () => {
    const rows = index.whoCan({ verb: 'get', apiGroup: '', resource: 'nodes' });
    const row = rows.find((r) => r.subject.name === arn('role/cluster-admin-policy'))!;
    expect(row.binding.kind).toBe('AccessPolicyAssociation');
    expect(row.role).toMatchObject({
      kind: 'AccessPolicy',
      name: 'AmazonEKSClusterAdminPolicy',
      exists: true,
    });
    expect(row.namespace).toBeNull();
    expect(row.via).toBeUndefined();
  });

  it('grants namespace-scoped access policies only in their namespaces and never on cluster-scoped resources', () => {
    const editor = arn('role/dev-editor');
    const inDev = index.whoCan({ ...getSecrets, namespace: 'dev' }).filter((r) => r.subject.name === editor);
    // Two rules of the edit policy cover secrets (read, and read-write): one row each, both in dev.
    expect(inDev.map((r) => r.namespace)).toEqual(['dev', 'dev']);
    expect(index.whoCan({ ...getSecrets, namespace: 'prod' }).some((r) => r.subject.name === editor)).toBe(
      false,
    );
    expect(
      new Set(
        index
          .whoCan(getSecrets)
          .filter((r) => r.subject.name === editor)
          .map((r) => r.namespace),
      ),
    ).toEqual(new Set(['dev', 'test']));
    expect(
      index.whoCan({ verb: 'get', apiGroup: '', resource: 'nodes' }).some((r) => r.subject.name === editor),
    ).toBe(false);
  });

  it('keeps an unknown access policy as a role that does not exist and grants nothing', () => {
    const unknown = index.boundTo({ kind: 'IAMPrincipal', name: arn('role/unknown-policy') });
    expect(unknown.map((b) => b.role)).toEqual([
      { kind: 'AccessPolicy', name: 'AmazonEKSFuturePolicy', exists: false, rules: [] },
    ]);
  });

  it('puts EC2_LINUX and FARGATE_LINUX access entries in system:nodes, once', () => {
    const rows = index.whoCan({ verb: 'get', apiGroup: '', resource: 'nodes' });
    expect(rows.filter((r) => r.subject.name === arn('role/node')).map((r) => r.via?.through)).toEqual([
      { kind: 'Group', name: 'system:nodes' },
    ]);
    expect(rows.filter((r) => r.subject.name === arn('role/node-listed'))).toHaveLength(1);
    expect(rows.some((r) => r.subject.name === arn('role/fargate'))).toBe(true);
  });

  it('maps aws-auth entries in system:masters onto the authorizer grant', () => {
    const rows = index.whoCan({ verb: 'delete', apiGroup: '', resource: 'namespaces' });
    const breakglass = rows.find((r) => r.subject.name === arn('role/breakglass'))!;
    expect(breakglass.binding).toEqual({ kind: 'Authorizer', name: 'system:masters' });
    expect(breakglass.via?.through).toEqual({ kind: 'Group', name: 'system:masters' });
    expect(index.isClusterAdminEquivalent({ kind: 'IAMPrincipal', name: arn('role/breakglass') })).toBe(true);
  });

  it('leaves principals out when asked', () => {
    const rows = index.whoCan(getSecrets, { expandPrincipals: false });
    expect(rows.some((row) => row.subject.kind === 'IAMPrincipal' && row.via)).toBe(false);
  });

  it('finds the principals behind a user or group', () => {
    expect(
      index.principalsFor({ kind: 'Group', name: 'platform-readers' }).map((m) => m.principalArn),
    ).toEqual([arn('role/platform')]);
    expect(index.principalsFor({ kind: 'User', name: 'breakglass' }).map((m) => m.principalArn)).toEqual([
      arn('role/breakglass'),
    ]);
    expect(index.principalsFor({ kind: 'User', name: 'platform:{{SessionName}}' })).toEqual([]);
  });

  it('answers grantsFor an IAM principal through its mappings', () => {
    const grants = index.grantsFor({ kind: 'IAMPrincipal', name: arn('user/jane') }, getSecrets);
    expect(grants.map((g) => g.binding.name)).toEqual(['jane']);
  });

  it('knows which principals are cluster-admin equivalent', () => {
    expect(index.isClusterAdminEquivalent({ kind: 'IAMPrincipal', name: arn('role/admins') })).toBe(true);
    expect(
      index.isClusterAdminEquivalent({ kind: 'IAMPrincipal', name: arn('role/cluster-admin-policy') }),
    ).toBe(true);
    expect(index.isClusterAdminEquivalent({ kind: 'IAMPrincipal', name: arn('role/dev-editor') })).toBe(
      false,
    );
    expect(index.isClusterAdminEquivalent({ kind: 'IAMPrincipal', name: arn('role/platform') })).toBe(false);
  });
});

describe('RbacIndex system:masters and cluster-admin equivalence', () => {
  const index = buildRbacIndex(
    snapshot({
      clusterRoles: [
        clusterRole('cluster-admin', [ALL]),
        clusterRole('almost', [
          rule(['*'], ['*'], ['*'], { resourceNames: ['x'] }),
          rule(['get'], ['*'], ['*']),
        ]),
      ],
      clusterRoleBindings: [
        crb('root', 'cluster-admin', [user('root')]),
        crb('almost', 'almost', [user('almost')]),
        crb('all-sas', 'cluster-admin', [group('system:serviceaccounts:ci')]),
      ],
      roleBindings: [
        rb('ns-admin', 'team-a', { kind: 'ClusterRole', name: 'cluster-admin' }, [user('ns-admin')]),
      ],
    }),
  );

  it('lets system:masters do anything, resource or not, without any binding', () => {
    for (const query of [
      { verb: 'escalate', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
      { verb: 'get', nonResourceURL: '/debug/pprof' } as const,
    ]) {
      const rows = index.whoCan(query).filter((r) => r.subject.name === 'system:masters');
      expect(rows[0]?.binding.kind).toBe('Authorizer');
    }
    expect(index.isClusterAdminEquivalent({ kind: 'Group', name: 'system:masters' })).toBe(true);
  });

  it('is true for * on * in * bound cluster-wide', () => {
    expect(index.isClusterAdminEquivalent({ kind: 'User', name: 'root' })).toBe(true);
  });

  it('is false for the same role bound in one namespace', () => {
    expect(index.isClusterAdminEquivalent({ kind: 'User', name: 'ns-admin' })).toBe(false);
  });

  it('is false when resourceNames narrow the wildcard or verbs are limited', () => {
    expect(index.isClusterAdminEquivalent({ kind: 'User', name: 'almost' })).toBe(false);
  });

  it('counts implicit groups only when asked', () => {
    const sa: SubjectRef = { kind: 'ServiceAccount', name: 'runner', namespace: 'ci' };
    expect(index.isClusterAdminEquivalent(sa)).toBe(false);
    expect(index.isClusterAdminEquivalent(sa, { implicit: true })).toBe(true);
    expect(
      index.isClusterAdminEquivalent(
        { kind: 'ServiceAccount', name: 'runner', namespace: 'prod' },
        { implicit: true },
      ),
    ).toBe(false);
    expect(index.grantsFor(sa, getSecrets, { implicit: true }).map((g) => g.binding.name)).toEqual([
      'all-sas',
    ]);
    expect(index.grantsFor(sa, getSecrets)).toEqual([]);
  });
});

describe('implicitGroups', () => {
  it('gives a ServiceAccount the service account groups and system:authenticated', () => {
    expect(implicitGroups({ kind: 'ServiceAccount', name: 'app', namespace: 'web' })).toEqual([
      'system:serviceaccounts',
      'system:serviceaccounts:web',
      'system:authenticated',
    ]);
  });
  it('gives users and IAM principals system:authenticated', () => {
    expect(implicitGroups({ kind: 'User', name: 'alice' })).toEqual(['system:authenticated']);
    expect(implicitGroups({ kind: 'IAMPrincipal', name: 'arn:aws:iam::111122223333:role/x' })).toEqual([
      'system:authenticated',
    ]);
  });
  it('gives system:anonymous system:unauthenticated only', () => {
    expect(implicitGroups({ kind: 'User', name: 'system:anonymous' })).toEqual(['system:unauthenticated']);
  });
  it('gives groups nothing', () => {
    expect(implicitGroups({ kind: 'Group', name: 'devs' })).toEqual([]);
  });
});

describe('RbacIndex reads aws-auth the way EKS does', () => {
  const arn = (name: string) => `arn:aws:iam::111122223333:${name}`;
  const kubernetes = (mapRoles: string, mapUsers = '') => ({
    clusterRoles: [clusterRole('secret-reader', [SECRETS_READ]), clusterRole('other', [SECRETS_READ])],
    clusterRoleBindings: [
      crb('readers', 'secret-reader', [group('readers')]),
      crb('others', 'other', [group('others')]),
    ],
    awsAuth: { mapRoles, mapUsers },
  });
  const secretReaders = (index: ReturnType<typeof buildRbacIndex>) =>
    index
      .whoCan(getSecrets)
      .filter((row) => row.subject.kind === 'IAMPrincipal')
      .map((row) => `${row.subject.name} via ${row.binding.name}`);

  it('maps no aws-auth principal in authentication mode API, which ignores the ConfigMap', () => {
    const index = buildRbacIndex(
      snapshot(kubernetes(`- rolearn: ${arn('role/Reader')}\n  groups: [readers]`), {
        cluster: { name: 'test', accessConfig: { authenticationMode: 'API' } },
      }),
    );
    expect(index.principals).toEqual([]);
    expect(secretReaders(index)).toEqual([]);
    expect(index.principalsFor({ kind: 'Group', name: 'readers' })).toEqual([]);
  });

  it('maps the same entries in API_AND_CONFIG_MAP as in CONFIG_MAP', () => {
    for (const authenticationMode of ['CONFIG_MAP', 'API_AND_CONFIG_MAP']) {
      const index = buildRbacIndex(
        snapshot(kubernetes(`- rolearn: ${arn('role/Reader')}\n  groups: [readers]`), {
          cluster: { name: 'test', accessConfig: { authenticationMode } },
        }),
      );
      expect(secretReaders(index), authenticationMode).toEqual([`${arn('role/Reader')} via readers`]);
    }
  });

  it('keeps only the last entry for an ARN, compared case-insensitively', () => {
    const mapRoles = [
      `- rolearn: ${arn('role/Deploy')}`,
      '  groups: [readers]',
      `- rolearn: ${arn('role/deploy')}`,
      '  groups: [others]',
    ].join('\n');
    const index = buildRbacIndex(snapshot(kubernetes(mapRoles)));
    expect(index.principals.map((m) => [m.principalArn, m.index, m.groups])).toEqual([
      [arn('role/deploy'), 1, ['others']],
    ]);
    expect(secretReaders(index)).toEqual([`${arn('role/deploy')} via others`]);
  });

  it('prefers a mapRoles entry over a mapUsers entry for the same ARN', () => {
    const index = buildRbacIndex(
      snapshot(
        kubernetes(
          `- rolearn: ${arn('role/Deploy')}\n  groups: [others]`,
          `- userarn: ${arn('role/Deploy')}\n  groups: [readers]`,
        ),
      ),
    );
    expect(index.principals.map((m) => m.source)).toEqual(['mapRoles']);
    expect(secretReaders(index)).toEqual([`${arn('role/Deploy')} via others`]);
  });

  it('does not map a role ARN written with its path or an assumed-role session ARN', () => {
    const mapRoles = [
      `- rolearn: ${arn('role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123')}`,
      '  groups: [readers]',
      '- rolearn: arn:aws:sts::111122223333:assumed-role/Deploy/alice',
      '  groups: [readers]',
      `- rolearn: ${arn('role/Reader')}`,
      '  groups: [readers]',
    ].join('\n');
    const index = buildRbacIndex(snapshot(kubernetes(mapRoles)));
    expect(index.principals.map((m) => m.principalArn)).toEqual([arn('role/Reader')]);
    expect(secretReaders(index)).toEqual([`${arn('role/Reader')} via readers`]);
    expect(
      index.subjects().filter((s) => s.kind === 'IAMPrincipal' && s.name.includes('AWSReservedSSO')),
    ).toEqual([]);
  });

  it('lets an access entry for the same principal replace its aws-auth entry', () => {
    const index = buildRbacIndex(
      snapshot(kubernetes(`- rolearn: ${arn('role/Reader')}\n  groups: [readers]`), {
        cluster: { name: 'test', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } },
        accessEntries: [{ principalArn: arn('role/Reader'), kubernetesGroups: ['others'] }],
      }),
    );
    expect(index.principals.map((m) => m.kind)).toEqual(['access-entry']);
    expect(secretReaders(index)).toEqual([`${arn('role/Reader')} via others`]);
  });
});
