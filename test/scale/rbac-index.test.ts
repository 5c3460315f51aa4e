// The RBAC index answers whoCan from per-namespace lists, per-role matches and a per-query memo. These tests
// hold it to the plain definition (scan every bound role, match every rule, expand IAM principals) on
// synthetic clusters, so the shortcuts can never change an answer or its order.
import {
  buildRbacIndex,
  CLUSTER_SCOPED_RESOURCES,
  type Grant,
  matchNonResourceRule,
  matchResourceRule,
  type RbacIndex,
  type RuleMatch,
  type WhoCanQuery,
} from '@vigil/core/rbac';
import { describe, expect, it } from 'vitest';
import { generateCluster } from '../support/synthetic.ts';

/** whoCan as its documentation defines it, with no index structure at all. */
function referenceWhoCan(rbac: RbacIndex, query: WhoCanQuery, expand = true): Grant[] {
  const clusterScoped =
    query.nonResourceURL !== undefined ||
    (CLUSTER_SCOPED_RESOURCES.has(query.resource) &&
      !(query.verb === 'bind' && query.resource === 'clusterroles'));
  const rows: Grant[] = [];
  for (const bound of rbac.boundRoles) {
    if (bound.namespace !== null) {
      if (clusterScoped) continue;
      if (query.namespace !== undefined && bound.namespace !== query.namespace) continue;
    }
    bound.role.rules.forEach((rule, ruleIndex) => {
      const match: RuleMatch =
        query.nonResourceURL !== undefined
          ? bound.namespace === null && matchNonResourceRule(rule, query.verb, query.nonResourceURL)
            ? 'all'
            : null
          : matchResourceRule(rule, query);
      if (!match) return;
      for (const subject of bound.subjects) {
        rows.push({
          subject,
          binding: bound.binding,
          role: bound.role,
          ruleIndex,
          rule,
          namespace: bound.namespace,
          match,
        });
      }
    });
  }
  if (!expand) return rows;
  const expanded: Grant[] = [];
  for (const row of rows) {
    for (const mapping of rbac.principalsFor(row.subject)) {
      expanded.push({
        ...row,
        subject: { kind: 'IAMPrincipal', name: mapping.principalArn },
        via: { mapping, through: row.subject },
      });
    }
  }
  return rows.concat(expanded);
}

function queriesFor(namespaces: string[]): WhoCanQuery[] {
  const base: WhoCanQuery[] = [
    { verb: 'get', apiGroup: '', resource: 'secrets' },
    { verb: 'list', apiGroup: '', resource: 'secrets' },
    { verb: 'create', apiGroup: '', resource: 'pods' },
    { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec' },
    { verb: 'get', apiGroup: '', resource: 'nodes', subresource: 'proxy' },
    { verb: 'create', apiGroup: '', resource: 'serviceaccounts', subresource: 'token' },
    { verb: 'impersonate', apiGroup: '', resource: 'users' },
    { verb: 'bind', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
    { verb: 'bind', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'cluster-admin' },
    { verb: 'escalate', apiGroup: 'rbac.authorization.k8s.io', resource: 'roles' },
    { verb: '*', apiGroup: '*', resource: '*' },
    { verb: 'get', resource: 'configmaps', name: 'aws-auth' },
    { verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'scale' },
    { verb: 'get', nonResourceURL: '/metrics' },
    { verb: 'get', nonResourceURL: '/healthz/etcd' },
  ];
  const out = [...base];
  for (const namespace of namespaces) {
    for (const query of base) if (query.nonResourceURL === undefined) out.push({ ...query, namespace });
  }
  return out;
}

describe('RbacIndex.whoCan on synthetic clusters', () => {
  for (const eks of [true, false]) {
    it(`gives exactly the reference answer, in the same order (${eks ? 'EKS' : 'plain Kubernetes'})`, () => {
      const { snapshot } = generateCluster({ objects: 4000, seed: eks ? 21 : 22, eks });
      const rbac = buildRbacIndex(snapshot);
      const namespaces = ['kube-system', snapshot.kubernetes.namespaces.at(-1)!.name, 'no-such-namespace'];
      for (const query of queriesFor(namespaces)) {
        for (const expand of [true, false]) {
          const expected = referenceWhoCan(rbac, query, expand);
          // Twice: the second answer comes from the memo.
          expect(rbac.whoCan(query, { expandPrincipals: expand })).toEqual(expected);
          expect(rbac.whoCan(query, { expandPrincipals: expand })).toEqual(expected);
        }
      }
    });
  }

  it('hands every caller its own array, so changing one answer never changes the next', () => {
    const rbac = buildRbacIndex(generateCluster({ objects: 1000, seed: 3 }).snapshot);
    const query: WhoCanQuery = { verb: 'get', apiGroup: '', resource: 'secrets' };
    const first = rbac.whoCan(query);
    const length = first.length;
    expect(length).toBeGreaterThan(0);
    first.length = 0;
    expect(rbac.whoCan(query)).toHaveLength(length);
  });

  it('lists the bindings of one namespace, and the cluster-wide ones, in input order', () => {
    const { snapshot } = generateCluster({ objects: 2000, seed: 5 });
    const rbac = buildRbacIndex(snapshot);
    const namespace = snapshot.kubernetes.namespaces.at(-1)!.name;
    expect(rbac.boundIn(namespace)).toEqual(rbac.boundRoles.filter((b) => b.namespace === namespace));
    expect(rbac.boundIn(null)).toEqual(rbac.boundRoles.filter((b) => b.namespace === null));
    expect(rbac.boundIn('no-such-namespace')).toEqual([]);
  });

  it('answers isClusterAdminEquivalent the same with and without implicit groups, asked repeatedly', () => {
    const { snapshot } = generateCluster({ objects: 2000, seed: 6 });
    const rbac = buildRbacIndex(snapshot);
    for (const subject of rbac.subjects()) {
      for (const implicit of [false, true]) {
        const expected = rbac
          .boundTo(subject, { implicit })
          .some(
            (bound) =>
              bound.namespace === null &&
              bound.role.rules.some(
                (r) =>
                  r.verbs.includes('*') &&
                  r.apiGroups.includes('*') &&
                  r.resources.includes('*') &&
                  r.resourceNames.length === 0,
              ),
          );
        expect(rbac.isClusterAdminEquivalent(subject, { implicit })).toBe(expected);
        expect(rbac.isClusterAdminEquivalent(subject, { implicit })).toBe(expected);
      }
    }
  });
});
