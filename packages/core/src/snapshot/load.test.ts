import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import {
  buildSnapshotFromFiles,
  collectManifestObjects,
  parseDocuments,
  parseEksArn,
  parseEksFile,
  parseLocatedDocuments,
  parseSnapshotFile,
} from './load.ts';

const fixture = (name: string) => ({
  name,
  text: readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8'),
});
const kubectlList = fixture('kubectl-get-rbac.json');
const eksFile = fixture('eks-describe-cluster.json');

/** The InputError a function throws, so its message can be checked in detail. */
function inputErrorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError, nothing was thrown');
}

const yaml = (...lines: string[]) => lines.join('\n');

describe('parseDocuments', () => {
  it('reads every document of a multi-document YAML file and skips empty ones', () => {
    const docs = parseDocuments({
      name: 'm.yaml',
      text: yaml(
        '---',
        'kind: Namespace',
        'metadata: {name: a}',
        '---',
        '---',
        '# only a comment',
        '---',
        'kind: Namespace',
        'metadata: {name: b}',
      ),
    });
    expect(docs).toEqual([
      { kind: 'Namespace', metadata: { name: 'a' } },
      { kind: 'Namespace', metadata: { name: 'b' } },
    ]);
  });

  it('reads JSON objects and arrays', () => {
    expect(parseDocuments({ name: 'a.json', text: ' {"kind":"List","items":[]}' })).toEqual([
      { kind: 'List', items: [] },
    ]);
    expect(parseDocuments({ name: 'b.json', text: '[1, 2]' })).toEqual([[1, 2]]);
  });

  it('names the file, line and column of invalid JSON without quoting the input', () => {
    const text = '{\n  "kind": "Secret",\n  "data": {"token": "c3VwZXItc2VjcmV0"},\n  "oops": }\n';
    const error = inputErrorOf(() => parseDocuments({ name: 'dump.json', text }));
    expect(error.message).toMatch(/^dump\.json: not valid JSON at line 4, column 11/);
    expect(error.message).not.toContain('c3VwZXItc2VjcmV0');
    expect(error.code).toBe('INVALID_INPUT');
  });

  it.each([
    ['[1, 2', 1, 'unexpected end of input'],
    ['{"a": 1,}', 1, 'expected a double-quoted property name'],
    ['{"a" 1}', 1, "expected ':'"],
    ['[\n\n  tru]', 3, 'unexpected "t"'],
    ['{"a": "x\u0001"}', 1, 'control character'],
    ['{"a": 1} {"b": 2}', 1, 'after the end of the value'],
    ['[01]', 1, "expected ',' or ']'"],
  ])('locates the JSON error in %j', (text, line, reason) => {
    const error = inputErrorOf(() => parseDocuments({ name: 'x.json', text }));
    expect(error.message).toContain(`line ${line},`);
    expect(error.message).toContain(reason);
  });

  it('names the file, document and line of invalid YAML', () => {
    const text = yaml(
      'kind: Namespace',
      'metadata: {name: a}',
      '---',
      'kind: Role',
      'rules: [a, b',
      'metadata: x',
    );
    const error = inputErrorOf(() => parseDocuments({ name: 'roles.yaml', text }));
    expect(error.message).toMatch(
      /^roles\.yaml: document 2, line \d+, column \d+: not valid YAML \([A-Z_]+: /,
    );
  });

  it('refuses YAML alias bombs instead of expanding them', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      lines.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const error = inputErrorOf(() => parseDocuments({ name: 'bomb.yaml', text: lines.join('\n') }));
    expect(error.message).toMatch(/^bomb\.yaml: document 1: cannot be read/);
  });
});

describe('parseLocatedDocuments', () => {
  it('gives the line each YAML document and each item of a YAML List starts on', () => {
    const text = [
      '# leading comment', // 1
      'kind: Role', // 2
      'metadata: {name: a}', // 3
      '---', // 4
      '', // 5
      'kind: List', // 6
      'items:', // 7
      '- kind: Role', // 8
      '  metadata: {name: b}', // 9
      '-   kind: RoleBinding', // 10
      '    metadata:', // 11
      '      name: c', // 12
      '---', // 13
      '---', // 14 (an empty document is skipped)
      'apiVersion: v1', // 15
      'kind: ServiceAccount', // 16
    ].join('\n');
    const documents = parseLocatedDocuments({ name: 'm.yaml', text });
    expect(documents.map((d) => d.line)).toEqual([2, 6, 15]);
    expect(documents[1]!.itemLines).toEqual([8, 10]);
    expect(documents[0]!.itemLines).toBeUndefined();
    // The same values as parseDocuments.
    expect(documents.map((d) => d.value)).toEqual(parseDocuments({ name: 'm.yaml', text }));
  });

  it('puts a document at the very start of the file, even a one-line file, on line 1', () => {
    expect(parseLocatedDocuments({ name: 'a.yaml', text: 'kind: Role' }).map((d) => d.line)).toEqual([1]);
  });

  it('puts JSON, one document, on line 1', () => {
    const text = '\n\n{"kind":"List","items":[{"kind":"Role","metadata":{"name":"a"}}]}';
    expect(parseLocatedDocuments({ name: 'l.json', text })).toEqual([
      { value: { kind: 'List', items: [{ kind: 'Role', metadata: { name: 'a' } }] }, line: 1 },
    ]);
  });
});

describe('collectManifestObjects', () => {
  it('reads `kubectl get ... -A -o json` output and keeps only the fields checks read', () => {
    const { objects, seen, report } = collectManifestObjects([kubectlList]);
    expect(report).toEqual({ warnings: [], errors: [] });
    expect([...seen].sort()).toEqual([
      'clusterrolebindings',
      'clusterroles',
      'namespaces',
      'pods',
      'rolebindings',
      'roles',
      'serviceaccounts',
    ]);
    expect(objects.clusterRoles.map((r) => r.name)).toEqual(['cluster-admin', 'view', 'widgets-view']);
    const [admin, view, widgets] = objects.clusterRoles;
    expect(admin).toEqual({
      kind: 'ClusterRole',
      name: 'cluster-admin',
      labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
      annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
      rules: [
        { verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: [] },
        { verbs: ['*'], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: ['*'] },
      ],
    });
    // `rules: null` on an aggregated role is an empty list; the aggregationRule is kept.
    expect(view?.rules).toEqual([]);
    expect(view?.aggregationRule).toEqual({
      clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }],
    });
    // last-applied-configuration and managedFields are dropped.
    expect(widgets?.annotations).toEqual({});
    const keys = Object.entries(widgets ?? {}).filter(([, value]) => value !== undefined);
    expect(keys.map(([key]) => key).sort()).toEqual(['annotations', 'kind', 'labels', 'name', 'rules']);
    expect(objects.clusterRoleBindings[1]).toEqual({
      kind: 'ClusterRoleBinding',
      name: 'ci-deployer',
      labels: {},
      annotations: {},
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' }],
    });
    expect(objects.roleBindings[0]?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'payments-api' }]);
    expect(objects.roles[0]?.rules[0]?.resourceNames).toEqual(['stripe-api-key']);
    expect(objects.serviceAccounts.map((sa) => [sa.name, sa.automountServiceAccountToken])).toEqual([
      ['default', false],
      ['payments-api', undefined],
    ]);
    expect(objects.serviceAccounts[1]?.annotations).toEqual({});
    expect(objects.namespaces).toEqual([
      {
        kind: 'Namespace',
        name: 'payments',
        labels: { 'kubernetes.io/metadata.name': 'payments' },
        annotations: {},
      },
    ]);
    expect(objects.pods).toEqual([
      {
        kind: 'Pod',
        name: 'payments-api-7d9f8b6c5d-q2x8z',
        namespace: 'payments',
        labels: { app: 'payments-api', 'pod-template-hash': '7d9f8b6c5d' },
        annotations: {},
        serviceAccountName: 'payments-api',
        owner: { kind: 'ReplicaSet', name: 'payments-api-7d9f8b6c5d' },
      },
      {
        kind: 'Pod',
        name: 'debug',
        namespace: 'payments',
        labels: {},
        annotations: {},
        serviceAccountName: 'default',
        automountServiceAccountToken: false,
      },
    ]);
  });

  it('reads typed lists whose items carry no kind, as the API returns them', () => {
    const roleList = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleList',
      metadata: { resourceVersion: '123' },
      items: [
        {
          metadata: { name: 'r', namespace: 'n' },
          rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
        },
      ],
    };
    const { objects, seen, report } = collectManifestObjects([
      { name: 'roles.json', text: JSON.stringify(roleList) },
      {
        name: 'bindings.json',
        text: '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBindingList","items":[]}',
      },
      { name: 'sas.json', text: '{"apiVersion":"v1","kind":"ServiceAccountList","items":null}' },
    ]);
    expect(report.errors).toEqual([]);
    expect(objects.roles.map((r) => `${r.namespace}/${r.name}`)).toEqual(['n/r']);
    // An empty or null typed list is still a complete read of that kind.
    expect([...seen].sort()).toEqual(['rolebindings', 'roles', 'serviceaccounts']);
  });

  it('reads lists nested in YAML documents and top-level JSON arrays', () => {
    const { objects } = collectManifestObjects([
      {
        name: 'list.yaml',
        text: yaml(
          'kind: List',
          'items:',
          '- kind: Namespace',
          '  metadata: {name: a}',
          '- kind: List',
          '  items:',
          '  - kind: Namespace',
          '    metadata: {name: b}',
        ),
      },
      { name: 'array.json', text: '[{"kind":"Namespace","metadata":{"name":"c"}}]' },
    ]);
    expect(objects.namespaces.map((n) => n.name)).toEqual(['a', 'b', 'c']);
  });

  it('reads the aws-auth ConfigMap and never stores other ConfigMaps', () => {
    const text = yaml(
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: aws-auth',
      '  namespace: kube-system',
      'data:',
      '  mapRoles: |',
      '    - rolearn: arn:aws:iam::111122223333:role/nodes',
      '      username: system:node:{{EC2PrivateDNSName}}',
      '      groups: [system:bootstrappers, system:nodes]',
      '  mapAccounts: |',
      '    - "111122223333"',
      '  unrelated: kept-out',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: app-config, namespace: payments}',
      'data: {DATABASE_PASSWORD: hunter2-do-not-store}',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: aws-auth, namespace: default}',
      'data: {mapRoles: "- rolearn: arn:aws:iam::999999999999:role/impostor"}',
    );
    const snapshot = buildSnapshotFromFiles({ manifests: [{ name: 'cm.yaml', text }] });
    expect(snapshot.kubernetes.awsAuth).toEqual({
      mapRoles: yaml(
        '- rolearn: arn:aws:iam::111122223333:role/nodes',
        '  username: system:node:{{EC2PrivateDNSName}}',
        '  groups: [system:bootstrappers, system:nodes]',
        '',
      ),
      mapAccounts: '- "111122223333"\n',
    });
    expect(snapshot.coverage.awsAuth).toEqual({ status: 'complete' });
    expect(snapshot.warnings).toEqual([
      'ignored 2 ConfigMaps: only kube-system/aws-auth is read; others are not stored',
    ]);
    const serialized = JSON.stringify(snapshot);
    expect(serialized).not.toContain('hunter2');
    expect(serialized).not.toContain('kept-out');
    expect(serialized).not.toContain('impostor');
  });

  it('reads aws-auth from a ConfigMapList', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'ConfigMapList',
      items: [{ metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: { mapUsers: '[]' } }],
    };
    const { objects, seen } = collectManifestObjects([{ name: 'cms.json', text: JSON.stringify(list) }]);
    expect(objects.awsAuth).toEqual({ mapUsers: '[]' });
    expect(seen.has('awsAuth')).toBe(true);
  });

  it('rejects an aws-auth whose mapRoles is a YAML list rather than the string EKS reads', () => {
    const text = yaml(
      'kind: ConfigMap',
      'metadata: {name: aws-auth, namespace: kube-system}',
      'data:',
      '  mapRoles:',
      '  - rolearn: arn:aws:iam::111122223333:role/x',
    );
    const { report, seen } = collectManifestObjects([{ name: 'aws-auth.yaml', text }]);
    expect(report.errors).toEqual([
      'aws-auth.yaml: ConfigMap kube-system/aws-auth has data.mapRoles that is not a string (EKS reads it as YAML text, e.g. `mapRoles: |`)',
    ]);
    expect(seen.has('awsAuth')).toBe(false);
  });

  it('warns about kinds no check reads, including look-alike kinds from other API groups', () => {
    const text = yaml(
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web, namespace: default}',
      '---',
      'apiVersion: v1',
      'kind: Secret',
      'metadata: {name: s, namespace: default}',
      'data: {password: aHVudGVyMg==}',
      '---',
      'apiVersion: iam.aws.crossplane.io/v1beta1',
      'kind: Role',
      'metadata: {name: crossplane-role}',
      'spec: {forProvider: {}}',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: api, namespace: default}',
    );
    const snapshot = buildSnapshotFromFiles({ manifests: [{ name: 'mixed.yaml', text }] });
    expect(snapshot.warnings).toEqual([
      'ignored 2 Deployment objects: no check reads that kind',
      'ignored 1 Secret object: no check reads that kind',
      'ignored 1 Role (iam.aws.crossplane.io/v1beta1) object: no check reads that kind',
    ]);
    expect(snapshot.kubernetes.roles).toEqual([]);
    expect(snapshot.coverage.roles?.status).toBe('not_collected');
    expect(JSON.stringify(snapshot)).not.toContain('aHVudGVyMg');
  });

  it('accepts any version of the RBAC and core groups', () => {
    const { objects, report } = collectManifestObjects([
      {
        name: 'old.yaml',
        text: yaml(
          'apiVersion: rbac.authorization.k8s.io/v1beta1',
          'kind: ClusterRole',
          'metadata: {name: old}',
          'rules: []',
        ),
      },
    ]);
    expect(report.errors).toEqual([]);
    expect(objects.clusterRoles.map((r) => r.name)).toEqual(['old']);
  });

  it('names the file, document and field of a malformed object', () => {
    const text = yaml(
      'kind: Namespace',
      'metadata: {name: ok}',
      '---',
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: Role',
      'metadata: {name: no-namespace}',
      'rules: []',
      '---',
      'kind: ClusterRole',
      'metadata: {name: bad-rules}',
      'rules:',
      '- verbs: get',
    );
    const { report } = collectManifestObjects([{ name: 'bad.yaml', text }]);
    expect(report.errors).toHaveLength(2);
    expect(report.errors[0]).toMatch(/^bad\.yaml document 2: Role no-namespace: namespace: /);
    expect(report.errors[1]).toMatch(/^bad\.yaml document 3: ClusterRole bad-rules: rules\.0\.verbs: /);
  });

  it('names the list item of a malformed object inside a List', () => {
    const list = {
      kind: 'List',
      items: [
        { kind: 'Namespace', metadata: { name: 'fine' } },
        'not an object',
        { kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'n' }, subjects: [] },
        { kind: 'Pod', metadata: { namespace: 'n' } },
      ],
    };
    const { report } = collectManifestObjects([{ name: 'list.json', text: JSON.stringify(list) }]);
    expect(report.errors).toEqual([
      'list.json items[1]: not an object',
      expect.stringMatching(/^list\.json items\[2\]: RoleBinding rb: roleRef: /),
      expect.stringMatching(/^list\.json items\[3\]: Pod: metadata name: /),
    ]);
  });

  it('reports list items that are not a list', () => {
    const { report } = collectManifestObjects([{ name: 'l.json', text: '{"kind":"List","items":{"a":1}}' }]);
    expect(report.errors).toEqual(['l.json: List has items that are not a list']);
  });

  it('survives arrays nested far deeper than any call stack', () => {
    const depth = 200_000;
    const text = `${'['.repeat(depth)}{"kind":"Namespace","metadata":{"name":"deep"}}${']'.repeat(depth)}`;
    const { objects } = collectManifestObjects([{ name: 'deep.json', text }]);
    expect(objects.namespaces.map((n) => n.name)).toEqual(['deep']);
  });
});

describe('buildSnapshotFromFiles', () => {
  it('marks every kind it read complete with counts, and EKS sources not applicable without an EKS file', () => {
    const snapshot = buildSnapshotFromFiles({
      manifests: [kubectlList],
      collectedAt: '2025-07-21T00:00:00Z',
    });
    expect(snapshot.cluster).toEqual({ name: 'cluster', platform: 'kubernetes' });
    expect(snapshot.collectedAt).toBe('2025-07-21T00:00:00Z');
    expect(snapshot.eks).toBeNull();
    expect(snapshot.coverage).toEqual({
      clusterroles: { status: 'complete', count: 3 },
      roles: { status: 'complete', count: 1 },
      clusterrolebindings: { status: 'complete', count: 2 },
      rolebindings: { status: 'complete', count: 1 },
      serviceaccounts: { status: 'complete', count: 2 },
      namespaces: { status: 'complete', count: 1 },
      pods: { status: 'complete', count: 2 },
      awsAuth: { status: 'not_applicable', reason: 'not an EKS cluster' },
      eksCluster: { status: 'not_applicable', reason: 'not an EKS cluster' },
      accessEntries: { status: 'not_applicable', reason: 'not an EKS cluster' },
      identityProviderConfigs: { status: 'not_applicable', reason: 'not an EKS cluster' },
      kmsKey: { status: 'not_applicable', reason: 'not an EKS cluster' },
    });
  });

  it('marks kinds absent from the input not_collected, naming the input', () => {
    const snapshot = buildSnapshotFromFiles({
      manifests: [{ name: 'only-roles.yaml', text: 'kind: ClusterRole\nmetadata: {name: a}\nrules: []' }],
    });
    expect(snapshot.coverage.clusterroles).toEqual({ status: 'complete', count: 1 });
    expect(snapshot.coverage.rolebindings).toEqual({
      status: 'not_collected',
      reason: 'no rolebindings in only-roles.yaml',
    });
    expect(snapshot.coverage.pods?.status).toBe('not_collected');
  });

  it('throws one InputError listing the malformed objects, at most ten', () => {
    const items = Array.from({ length: 13 }, (_, i) => ({ kind: 'Role', metadata: { name: `r${i}` } }));
    const error = inputErrorOf(() =>
      buildSnapshotFromFiles({
        manifests: [{ name: 'many.json', text: JSON.stringify({ kind: 'List', items }) }],
      }),
    );
    expect(error.message).toContain('13 object(s) could not be read');
    expect(error.message).toContain('many.json items[9]: Role r9: namespace');
    expect(error.message).not.toContain('items[10]');
    expect(error.message).toContain('... and 3 more');
  });

  it('reads an EKS describe-cluster file with access entries, OIDC configs and the KMS key', () => {
    const snapshot = buildSnapshotFromFiles({ manifests: [kubectlList], eks: eksFile });
    expect(snapshot.cluster).toEqual({
      name: 'prod',
      platform: 'eks',
      arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
      accountId: '111122223333',
      region: 'eu-west-1',
      kubernetesVersion: '1.31',
    });
    const eks = snapshot.eks!;
    expect(eks.cluster.accessConfig).toEqual({
      bootstrapClusterCreatorAdminPermissions: false,
      authenticationMode: 'API_AND_CONFIG_MAP',
    });
    expect(eks.cluster.encryptionConfig).toEqual([
      {
        resources: ['secrets'],
        provider: { keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
      },
    ]);
    expect(eks.cluster.logging?.clusterLogging).toEqual([
      { types: ['api', 'audit', 'authenticator'], enabled: true },
      { types: ['controllerManager', 'scheduler'], enabled: false },
    ]);
    expect(eks.cluster.resourcesVpcConfig).toEqual({
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['203.0.113.0/24'],
    });
    // Flat entries and `{accessEntry, associatedAccessPolicies}` read the same way.
    expect(eks.accessEntries).toEqual([
      {
        principalArn: 'arn:aws:iam::111122223333:role/platform-admins',
        kubernetesGroups: [],
        username: 'arn:aws:sts::111122223333:assumed-role/platform-admins/{{SessionName}}',
        type: 'STANDARD',
        associatedAccessPolicies: [
          {
            policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
            accessScope: { type: 'cluster', namespaces: [] },
          },
        ],
      },
      {
        principalArn: 'arn:aws:iam::444455556666:role/partner-readonly',
        kubernetesGroups: ['partner-viewers'],
        username: 'arn:aws:sts::444455556666:assumed-role/partner-readonly/{{SessionName}}',
        type: 'STANDARD',
        associatedAccessPolicies: [
          {
            policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
            accessScope: { type: 'namespace', namespaces: ['payments'] },
          },
        ],
      },
      {
        principalArn: 'arn:aws:iam::111122223333:role/prod-nodes',
        kubernetesGroups: ['system:nodes'],
        username: 'system:node:{{EC2PrivateDNSName}}',
        type: 'EC2_LINUX',
        associatedAccessPolicies: [],
      },
    ]);
    expect(eks.identityProviderConfigs).toEqual([
      {
        identityProviderConfigName: 'corp-sso',
        issuerUrl: 'https://login.example.com',
        clientId: 'kubernetes',
        usernameClaim: 'email',
        usernamePrefix: 'sso:',
        groupsClaim: 'groups',
        groupsPrefix: 'sso:',
        status: 'ACTIVE',
      },
      {
        identityProviderConfigName: 'legacy-dex',
        issuerUrl: 'https://dex.example.com',
        clientId: 'kubernetes',
        usernameClaim: 'sub',
        groupsClaim: 'groups',
        status: 'ACTIVE',
      },
    ]);
    expect(eks.kmsKey).toEqual({
      keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      keyState: 'Enabled',
      keyManager: 'CUSTOMER',
      rotationEnabled: true,
    });
    expect(snapshot.coverage).toMatchObject({
      eksCluster: { status: 'complete' },
      accessEntries: { status: 'complete', count: 3 },
      identityProviderConfigs: { status: 'complete', count: 2 },
      kmsKey: { status: 'complete' },
      awsAuth: {
        status: 'not_collected',
        reason: 'no kube-system/aws-auth ConfigMap in kubectl-get-rbac.json',
      },
    });
    // Fields no check reads (the CA bundle, tags, endpoint) are not kept.
    const serialized = JSON.stringify(snapshot);
    expect(serialized).not.toContain('LS0tLS1CRUdJTi');
    expect(serialized).not.toContain('gr7.eu-west-1');
  });

  it('treats aws-auth as not applicable when the authentication mode is API', () => {
    const eks = JSON.parse(eksFile.text);
    eks.cluster.accessConfig.authenticationMode = 'API';
    const snapshot = buildSnapshotFromFiles({
      manifests: [],
      eks: { name: 'eks.json', text: JSON.stringify(eks) },
    });
    expect(snapshot.coverage.awsAuth).toEqual({
      status: 'not_applicable',
      reason: 'authentication mode is API',
    });
    expect(snapshot.coverage.clusterroles).toEqual({
      status: 'not_collected',
      reason: 'no clusterroles in the input',
    });
  });

  it('marks EKS extras that the file does not carry as not_collected', () => {
    const { cluster } = JSON.parse(eksFile.text);
    const snapshot = buildSnapshotFromFiles({
      manifests: [],
      eks: { name: 'describe.json', text: JSON.stringify({ cluster }) },
      clusterName: 'override',
    });
    expect(snapshot.cluster.name).toBe('override');
    expect(snapshot.eks?.accessEntries).toEqual([]);
    expect(snapshot.coverage).toMatchObject({
      eksCluster: { status: 'complete' },
      accessEntries: { status: 'not_collected', reason: 'no accessEntries in describe.json' },
      identityProviderConfigs: {
        status: 'not_collected',
        reason: 'no identityProviderConfigs in describe.json',
      },
      kmsKey: { status: 'not_collected' },
    });
  });
});

describe('parseEksFile', () => {
  it('rejects a file that is not describe-cluster output, naming the field', () => {
    const error = inputErrorOf(() => parseEksFile({ name: 'eks.json', text: '{"clusters": ["prod"]}' }));
    expect(error.message).toMatch(/^eks\.json: not an EKS cluster description .*: cluster: /);
  });

  it('names the bad access entry field', () => {
    const text = JSON.stringify({
      cluster: { name: 'c' },
      accessEntries: [{ principalArn: 'a' }, { kubernetesGroups: [] }],
    });
    const error = inputErrorOf(() => parseEksFile({ name: 'eks.json', text }));
    expect(error.message).toContain('accessEntries.1.principalArn');
  });

  it('rejects more than one document', () => {
    const error = inputErrorOf(() =>
      parseEksFile({ name: 'eks.yaml', text: 'cluster: {name: a}\n---\ncluster: {name: b}' }),
    );
    expect(error.message).toBe('eks.yaml: expected one JSON or YAML document');
  });

  it('accepts a kmsKey already in snapshot form and a null access policy scope namespace list', () => {
    const text = JSON.stringify({
      cluster: { name: 'c' },
      accessEntries: [
        {
          principalArn: 'arn:aws:iam::111122223333:role/x',
          kubernetesGroups: null,
          associatedAccessPolicies: [{ policyArn: 'p', accessScope: { type: 'cluster', namespaces: null } }],
        },
      ],
      kmsKey: { keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/k', keyManager: 'AWS' },
    });
    const eks = parseEksFile({ name: 'eks.json', text });
    expect(eks.accessEntries?.[0]?.kubernetesGroups).toEqual([]);
    expect(eks.accessEntries?.[0]?.associatedAccessPolicies[0]?.accessScope.namespaces).toEqual([]);
    expect(eks.kmsKey).toEqual({ keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/k', keyManager: 'AWS' });
  });
});

describe('parseEksArn', () => {
  it('splits a cluster ARN', () => {
    expect(parseEksArn('arn:aws-us-gov:eks:us-gov-west-1:111122223333:cluster/my_cluster-1')).toEqual({
      partition: 'aws-us-gov',
      region: 'us-gov-west-1',
      accountId: '111122223333',
      name: 'my_cluster-1',
    });
  });
  it.each([
    'arn:aws:eks:eu-west-1:11112222333:cluster/x',
    'arn:aws:iam::111122223333:role/x',
    'arn:aws:eks:eu-west-1:111122223333:nodegroup/x/y',
    'cluster/x',
  ])('returns null for %s', (arn) => {
    expect(parseEksArn(arn)).toBeNull();
  });
});

describe('large input', () => {
  it('loads a single ClusterRole over 1 MB (many rules and a huge annotation)', () => {
    const rules = Array.from({ length: 30_000 }, (_, i) => ({
      apiGroups: [`group-${i}.example.com`],
      resources: [`things-${i}`, `things-${i}/status`],
      verbs: ['get', 'list', 'watch'],
    }));
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: {
        name: 'huge',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'x'.repeat(2_000_000) },
      },
      rules,
    };
    const text = JSON.stringify(role);
    expect(text.length).toBeGreaterThan(4_000_000);
    const snapshot = buildSnapshotFromFiles({ manifests: [{ name: 'huge.json', text }] });
    expect(snapshot.kubernetes.clusterRoles[0]?.rules).toHaveLength(30_000);
    expect(snapshot.kubernetes.clusterRoles[0]?.annotations).toEqual({});
  });

  it('loads a List of 500,000 items', () => {
    const n = 500_000;
    const parts: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      parts[i] =
        `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"sa-${i}","namespace":"ns-${i % 97}"}}`;
    }
    const text = `{"apiVersion":"v1","kind":"List","items":[${parts.join(',')}]}`;
    const snapshot = buildSnapshotFromFiles({ manifests: [{ name: 'big.json', text }] });
    expect(snapshot.kubernetes.serviceAccounts).toHaveLength(n);
    expect(snapshot.kubernetes.serviceAccounts[n - 1]).toMatchObject({
      name: `sa-${n - 1}`,
      namespace: `ns-${(n - 1) % 97}`,
    });
    expect(snapshot.coverage.serviceaccounts).toEqual({ status: 'complete', count: n });
  });
});

describe('parseSnapshotFile', () => {
  it('reads back what was written', () => {
    const snapshot = buildSnapshotFromFiles({
      manifests: [kubectlList],
      eks: eksFile,
      collectedAt: '2025-07-21T00:00:00Z',
    });
    const text = JSON.stringify(snapshot);
    const read = parseSnapshotFile({ name: 'snapshot.json', text });
    expect(read).toEqual(snapshot);
    expect(JSON.stringify(read)).toBe(text);
  });

  it('fills defaults for a minimal snapshot', () => {
    const read = parseSnapshotFile({
      name: 's.json',
      text: '{"schemaVersion":1,"cluster":{"name":"c","platform":"kubernetes"},"kubernetes":{}}',
    });
    expect(read.kubernetes.clusterRoles).toEqual([]);
    expect(read.kubernetes.awsAuth).toBeNull();
    expect(read.eks).toBeNull();
    expect(read.coverage).toEqual({});
    expect(read.warnings).toEqual([]);
  });

  it('rejects text that is not JSON, naming the line', () => {
    const error = inputErrorOf(() =>
      parseSnapshotFile({ name: 's.json', text: '{\n"schemaVersion": 1,\n}' }),
    );
    expect(error.message).toMatch(/^s\.json: not valid JSON at line 3, column 1/);
  });

  it('rejects another schema version and unknown coverage sources, naming the field', () => {
    const base = { schemaVersion: 1, cluster: { name: 'c', platform: 'kubernetes' }, kubernetes: {} };
    expect(
      inputErrorOf(() =>
        parseSnapshotFile({ name: 's.json', text: JSON.stringify({ ...base, schemaVersion: 2 }) }),
      ).message,
    ).toMatch(/^s\.json: not a Vigil snapshot: schemaVersion: /);
    expect(
      inputErrorOf(() =>
        parseSnapshotFile({
          name: 's.json',
          text: JSON.stringify({ ...base, coverage: { secrets: { status: 'complete' } } }),
        }),
      ).message,
    ).toMatch(/^s\.json: not a Vigil snapshot: coverage/);
  });
});
