import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRbacIndex, KNOWN_RESOURCE_GROUPS, type SubjectRef, subjectKey } from '@vigil/core/rbac';
import { buildSnapshotFromFiles } from '@vigil/core/snapshot';
import { describe, expect, it } from 'vitest';

/**
 * The shipped scanner RBAC, proven least-privilege with the project's own resolver: the scanner can
 * read exactly what the collector reads, one ConfigMap by name, nothing on Secrets, and write nothing.
 */

const path = join(import.meta.dirname, '../../deploy/kubernetes/scanner-rbac.yaml');
const snapshot = buildSnapshotFromFiles({
  manifests: [{ name: 'scanner-rbac.yaml', text: readFileSync(path, 'utf8') }],
});
const rbac = buildRbacIndex(snapshot);

const SCANNERS: SubjectRef[] = [
  { kind: 'Group', name: 'vigil-scanners' },
  { kind: 'ServiceAccount', name: 'vigil-scanner', namespace: 'vigil' },
];
const scannerKeys = new Set(SCANNERS.map(subjectKey));

const READ_VERBS = ['get', 'list', 'watch'];
const WRITE_VERBS = [
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'bind',
  'escalate',
  'impersonate',
  'approve',
  'sign',
  'use',
  'proxy',
  '*',
];
const NEEDED: { group: string; resource: string }[] = [
  { group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
  { group: 'rbac.authorization.k8s.io', resource: 'roles' },
  { group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
  { group: '', resource: 'serviceaccounts' },
  { group: '', resource: 'namespaces' },
  { group: '', resource: 'pods' },
];
const isNeeded = (group: string, resource: string) =>
  NEEDED.some((n) => n.group === group && n.resource === resource);

/** Every resource the resolver knows, the wildcard, users/groups, and subresources that matter. */
const RESOURCES: { group: string; resource: string; subresource?: string }[] = [
  ...Object.entries(KNOWN_RESOURCE_GROUPS).map(([resource, group]) => ({ group, resource })),
  { group: '*', resource: '*' },
  { group: '', resource: '*' },
  { group: '', resource: 'users' },
  { group: '', resource: 'groups' },
  { group: 'authentication.k8s.io', resource: 'tokenrequests' },
  { group: '', resource: 'pods', subresource: 'exec' },
  { group: '', resource: 'pods', subresource: 'attach' },
  { group: '', resource: 'pods', subresource: 'portforward' },
  { group: '', resource: 'pods', subresource: 'log' },
  { group: '', resource: 'serviceaccounts', subresource: 'token' },
  { group: '', resource: 'nodes', subresource: 'proxy' },
];

function scannerGrants(query: Parameters<typeof rbac.whoCan>[0]) {
  return rbac.whoCan(query).filter((grant) => scannerKeys.has(subjectKey(grant.subject)));
}

describe('deploy/kubernetes/scanner-rbac.yaml', () => {
  it('loads with the project loader: one ClusterRole, one Role, their bindings, the namespace and account', () => {
    expect(snapshot.kubernetes.clusterRoles.map((r) => r.name)).toEqual(['vigil-scanner']);
    expect(snapshot.kubernetes.roles.map((r) => `${r.namespace}/${r.name}`)).toEqual([
      'kube-system/vigil-scanner-aws-auth',
    ]);
    expect(snapshot.kubernetes.serviceAccounts.map((sa) => `${sa.namespace}/${sa.name}`)).toEqual([
      'vigil/vigil-scanner',
    ]);
    expect(rbac.danglingRoleRefs).toEqual([]);
  });

  it.each(SCANNERS)(
    'lets $kind $name get, list and watch every kind the collector reads, cluster-wide',
    (scanner) => {
      for (const { group, resource } of NEEDED) {
        for (const verb of READ_VERBS) {
          const grants = rbac.grantsFor(scanner, { verb, apiGroup: group, resource });
          expect(
            grants.some((g) => g.namespace === null && g.match === 'all'),
            `${verb} ${resource}`,
          ).toBe(true);
        }
      }
    },
  );

  it.each(SCANNERS)(
    'lets $kind $name get the ConfigMap kube-system/aws-auth and no other ConfigMap',
    (scanner) => {
      const awsAuth = rbac.grantsFor(scanner, {
        verb: 'get',
        apiGroup: '',
        resource: 'configmaps',
        name: 'aws-auth',
        namespace: 'kube-system',
      });
      expect(awsAuth.map((g) => [g.match, g.namespace, g.binding.kind])).toEqual([
        ['all', 'kube-system', 'RoleBinding'],
      ]);
      // Without a name the rule only covers its resourceNames: no list, no other object.
      const anyConfigMap = rbac.grantsFor(scanner, {
        verb: 'get',
        apiGroup: '',
        resource: 'configmaps',
        namespace: 'kube-system',
      });
      expect(anyConfigMap.every((g) => g.match === 'names')).toBe(true);
      for (const verb of ['list', 'watch', ...WRITE_VERBS]) {
        expect(
          rbac.grantsFor(scanner, { verb, apiGroup: '', resource: 'configmaps', namespace: 'kube-system' }),
          verb,
        ).toEqual([]);
      }
      for (const namespace of ['default', 'vigil', 'kube-public']) {
        expect(
          rbac.grantsFor(scanner, {
            verb: 'get',
            apiGroup: '',
            resource: 'configmaps',
            name: 'aws-auth',
            namespace,
          }),
        ).toEqual([]);
      }
      expect(
        rbac.grantsFor(scanner, {
          verb: 'get',
          apiGroup: '',
          resource: 'configmaps',
          name: 'other',
          namespace: 'kube-system',
        }),
      ).toEqual([]);
    },
  );

  it('grants nothing at all on Secrets, in any namespace, by any verb', () => {
    for (const verb of [...READ_VERBS, ...WRITE_VERBS]) {
      for (const namespace of [undefined, 'kube-system', 'vigil', 'default']) {
        const query =
          namespace === undefined
            ? { verb, apiGroup: '', resource: 'secrets' }
            : { verb, apiGroup: '', resource: 'secrets', namespace };
        expect(scannerGrants(query), `${verb} secrets in ${namespace ?? 'any namespace'}`).toEqual([]);
      }
    }
  });

  it('grants no write verb on any resource', () => {
    for (const verb of WRITE_VERBS) {
      for (const { group, resource, subresource } of RESOURCES) {
        const query = { verb, apiGroup: group, resource, ...(subresource ? { subresource } : {}) };
        expect(scannerGrants(query), `${verb} ${resource}${subresource ? `/${subresource}` : ''}`).toEqual(
          [],
        );
      }
    }
  });

  it('never appears in who-can for anything the collector does not read', () => {
    for (const verb of [...READ_VERBS, ...WRITE_VERBS]) {
      for (const { group, resource, subresource } of RESOURCES) {
        const granted = scannerGrants({
          verb,
          apiGroup: group,
          resource,
          ...(subresource ? { subresource } : {}),
        });
        const allowed = READ_VERBS.includes(verb) && !subresource && isNeeded(group, resource);
        const configMapByName = verb === 'get' && resource === 'configmaps' && !subresource;
        if (allowed) expect(granted.length, `${verb} ${resource}`).toBeGreaterThan(0);
        else if (configMapByName)
          expect(granted.every((g) => g.match === 'names' && g.namespace === 'kube-system')).toBe(true);
        else
          expect(granted, `${verb} ${group}/${resource}${subresource ? `/${subresource}` : ''}`).toEqual([]);
      }
    }
    for (const url of ['/metrics', '/logs', '/api', '/healthz', '/version']) {
      expect(scannerGrants({ verb: 'get', nonResourceURL: url }), url).toEqual([]);
    }
  });

  it('is not cluster-admin equivalent and binds only the scanner identities', () => {
    for (const scanner of SCANNERS)
      expect(rbac.isClusterAdminEquivalent(scanner, { implicit: true })).toBe(false);
    const bound = new Set(
      rbac.boundRoles
        .filter((b) => b.binding.kind !== 'Authorizer')
        .flatMap((b) => b.subjects.map(subjectKey)),
    );
    expect(bound).toEqual(scannerKeys);
  });
});
