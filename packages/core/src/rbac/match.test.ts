// The matcher must agree with the Kubernetes RBAC authorizer: RuleAllows in
// plugin/pkg/auth/authorizer/rbac/rbac.go and VerbMatches / APIGroupMatches / ResourceMatches /
// ResourceNameMatches / NonResourceURLMatches in pkg/apis/rbac/v1/evaluation_helpers.go. Every expectation
// below is what that code decides for the same rule and request attributes. Two extensions are ours and
// are tested as such: a request without an apiGroup asks about any group, and a request without a name
// against a rule with resourceNames answers `names` (granted only for the listed objects).
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import type { PolicyRule } from '../snapshot/model.ts';
import {
  CLUSTER_SCOPED_RESOURCES,
  isFullWildcardRule,
  matchNonResourceRule,
  matchResourceRule,
  parseResourceArg,
  type ResourceRequest,
  type RuleMatch,
} from './match.ts';

function rule(fields: Partial<PolicyRule>): PolicyRule {
  return { verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...fields };
}

const podsGet = rule({ verbs: ['get'], apiGroups: [''], resources: ['pods'] });

type ResourceCase = [string, PolicyRule, ResourceRequest, RuleMatch];

const resourceCases: ResourceCase[] = [
  // verbs
  ['exact verb matches', podsGet, { verb: 'get', apiGroup: '', resource: 'pods' }, 'all'],
  ['another verb does not match', podsGet, { verb: 'list', apiGroup: '', resource: 'pods' }, null],
  [
    'verb * matches any verb',
    rule({ verbs: ['*'], apiGroups: [''], resources: ['pods'] }),
    { verb: 'deletecollection', apiGroup: '', resource: 'pods' },
    'all',
  ],
  [
    'verb * matches verbs that are not standard (escalate)',
    rule({ verbs: ['*'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'] }),
    { verb: 'escalate', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
    'all',
  ],
  [
    'verbs are case-sensitive (GET is not get)',
    rule({ verbs: ['GET'], apiGroups: [''], resources: ['pods'] }),
    { verb: 'get', apiGroup: '', resource: 'pods' },
    null,
  ],
  [
    'verb lists match any member',
    rule({ verbs: ['list', 'watch', 'get'], apiGroups: [''], resources: ['pods'] }),
    { verb: 'get', apiGroup: '', resource: 'pods' },
    'all',
  ],
  [
    'an empty verb list matches nothing',
    rule({ verbs: [], apiGroups: ['*'], resources: ['*'] }),
    { verb: 'get', apiGroup: '', resource: 'pods' },
    null,
  ],
  [
    'a verb is not a prefix match (get does not cover getx)',
    podsGet,
    { verb: 'getx', apiGroup: '', resource: 'pods' },
    null,
  ],
  // API groups
  [
    'the core group is the empty string',
    rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }),
    { verb: 'get', apiGroup: '', resource: 'secrets' },
    'all',
  ],
  [
    'the core group does not match a named group',
    rule({ verbs: ['get'], apiGroups: [''], resources: ['deployments'] }),
    { verb: 'get', apiGroup: 'apps', resource: 'deployments' },
    null,
  ],
  [
    'a named group does not match the core group',
    rule({ verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }),
    { verb: 'get', apiGroup: '', resource: 'pods' },
    null,
  ],
  [
    'apiGroups * matches the core group',
    rule({ verbs: ['get'], apiGroups: ['*'], resources: ['secrets'] }),
    { verb: 'get', apiGroup: '', resource: 'secrets' },
    'all',
  ],
  [
    'apiGroups * matches any named group',
    rule({ verbs: ['get'], apiGroups: ['*'], resources: ['deployments'] }),
    { verb: 'get', apiGroup: 'apps', resource: 'deployments' },
    'all',
  ],
  [
    'an empty apiGroups list matches nothing',
    rule({ verbs: ['get'], apiGroups: [], resources: ['pods'] }),
    { verb: 'get', apiGroup: '', resource: 'pods' },
    null,
  ],
  [
    'groups are compared whole (apps does not match apps.example.com)',
    rule({ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'] }),
    { verb: 'get', apiGroup: 'apps.example.com', resource: 'deployments' },
    null,
  ],
  [
    'a request with no group asks about any group (our extension)',
    rule({ verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] }),
    { verb: 'get', resource: 'widgets' },
    'all',
  ],
  [
    'a request with no group still needs the rule to name some group',
    rule({ verbs: ['get'], apiGroups: [], resources: ['widgets'] }),
    { verb: 'get', resource: 'widgets' },
    null,
  ],
  // resources
  [
    'resources * matches any resource',
    rule({ verbs: ['get'], apiGroups: [''], resources: ['*'] }),
    { verb: 'get', apiGroup: '', resource: 'configmaps' },
    'all',
  ],
  [
    'resources * matches subresources too',
    rule({ verbs: ['create'], apiGroups: [''], resources: ['*'] }),
    { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec' },
    'all',
  ],
  [
    'pods does not match pods/exec',
    rule({ verbs: ['create'], apiGroups: [''], resources: ['pods'] }),
    { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec' },
    null,
  ],
  [
    'pods/exec matches pods/exec',
    rule({ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }),
    { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec' },
    'all',
  ],
  [
    'pods/exec does not match the pods resource itself',
    rule({ verbs: ['get'], apiGroups: [''], resources: ['pods/exec'] }),
    { verb: 'get', apiGroup: '', resource: 'pods' },
    null,
  ],
  [
    'pods/exec does not match pods/attach',
    rule({ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }),
    { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'attach' },
    null,
  ],
  [
    'pods/* is not a wildcard: it does not match pods/exec',
    rule({ verbs: ['create'], apiGroups: [''], resources: ['pods/*'] }),
    { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec' },
    null,
  ],
  [
    'pods/* is not a wildcard: it does not match pods',
    rule({ verbs: ['get'], apiGroups: [''], resources: ['pods/*'] }),
    { verb: 'get', apiGroup: '', resource: 'pods' },
    null,
  ],
  [
    '*/scale matches the scale subresource of any resource',
    rule({ verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] }),
    { verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'scale' },
    'all',
  ],
  [
    '*/scale does not match another subresource',
    rule({ verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] }),
    { verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'status' },
    null,
  ],
  [
    '*/scale does not match the parent resource',
    rule({ verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] }),
    { verb: 'update', apiGroup: 'apps', resource: 'deployments' },
    null,
  ],
  [
    '*/exec does not match a subresource that only ends the same way (xexec)',
    rule({ verbs: ['create'], apiGroups: [''], resources: ['*/exec'] }),
    { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'xexec' },
    null,
  ],
  [
    'resources are compared whole (pod is not pods)',
    rule({ verbs: ['get'], apiGroups: [''], resources: ['pod'] }),
    { verb: 'get', apiGroup: '', resource: 'pods' },
    null,
  ],
  [
    'the singular secret never matches the resource secrets',
    rule({ verbs: ['get', 'list'], apiGroups: [''], resources: ['secret'] }),
    { verb: 'get', apiGroup: '', resource: 'secrets' },
    null,
  ],
  [
    'resources are case-sensitive',
    rule({ verbs: ['get'], apiGroups: [''], resources: ['Pods'] }),
    { verb: 'get', apiGroup: '', resource: 'pods' },
    null,
  ],
  [
    'an empty resources list matches nothing',
    rule({ verbs: ['*'], apiGroups: ['*'], resources: [] }),
    { verb: 'get', apiGroup: '', resource: 'pods' },
    null,
  ],
  // all wildcards together
  [
    '* verbs, * groups, * resources grants anything',
    rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }),
    { verb: 'impersonate', apiGroup: '', resource: 'users' },
    'all',
  ],
  [
    '* verbs and * resources but one group stays inside that group',
    rule({ verbs: ['*'], apiGroups: [''], resources: ['*'] }),
    { verb: 'delete', apiGroup: 'apps', resource: 'deployments' },
    null,
  ],
  [
    '* groups and * resources but one verb grants only that verb',
    rule({ verbs: ['get'], apiGroups: ['*'], resources: ['*'] }),
    { verb: 'delete', apiGroup: '', resource: 'secrets' },
    null,
  ],
  [
    '* groups and * resources with get grants get anywhere',
    rule({ verbs: ['get'], apiGroups: ['*'], resources: ['*'] }),
    { verb: 'get', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
    'all',
  ],
  [
    '* verbs and * groups on one resource grant only that resource',
    rule({ verbs: ['*'], apiGroups: ['*'], resources: ['secrets'] }),
    { verb: 'list', apiGroup: '', resource: 'configmaps' },
    null,
  ],
  [
    '* verbs and * groups on one resource grant every verb on it',
    rule({ verbs: ['*'], apiGroups: ['*'], resources: ['secrets'] }),
    { verb: 'watch', apiGroup: '', resource: 'secrets' },
    'all',
  ],
  // resourceNames
  [
    'a request naming a listed object matches',
    rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db', 'tls'] }),
    { verb: 'get', apiGroup: '', resource: 'secrets', name: 'tls' },
    'all',
  ],
  [
    'a request naming an unlisted object does not match',
    rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }),
    { verb: 'get', apiGroup: '', resource: 'secrets', name: 'other' },
    null,
  ],
  [
    'a request without a name matches only the listed objects',
    rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }),
    { verb: 'get', apiGroup: '', resource: 'secrets' },
    'names',
  ],
  [
    'a rule without resourceNames matches any named object',
    rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }),
    { verb: 'get', apiGroup: '', resource: 'secrets', name: 'anything' },
    'all',
  ],
  [
    'resourceNames * is a literal name, not a wildcard',
    rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['*'] }),
    { verb: 'get', apiGroup: '', resource: 'secrets', name: 'db' },
    null,
  ],
  [
    'resourceNames are compared whole',
    rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }),
    { verb: 'get', apiGroup: '', resource: 'secrets', name: 'db-2' },
    null,
  ],
  [
    'resourceNames still need verb, group and resource to match',
    rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }),
    { verb: 'delete', apiGroup: '', resource: 'secrets', name: 'db' },
    null,
  ],
  [
    'resourceNames apply to subresources of the named object',
    rule({ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'], resourceNames: ['debug'] }),
    { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec', name: 'debug' },
    'all',
  ],
  // non-resource rules never grant resources
  [
    'a rule with only nonResourceURLs never matches a resource request',
    rule({ verbs: ['*'], nonResourceURLs: ['*'] }),
    { verb: 'get', apiGroup: '', resource: 'pods' },
    null,
  ],
];

describe('matchResourceRule', () => {
  it.each(resourceCases)('%s', (_name, policy, request, expected) => {
    expect(matchResourceRule(policy, request)).toBe(expected);
  });
});

type UrlCase = [string, PolicyRule, string, string, boolean];

const urlCases: UrlCase[] = [
  ['* matches every URL', rule({ verbs: ['get'], nonResourceURLs: ['*'] }), 'get', '/metrics', true],
  [
    'an exact URL matches itself',
    rule({ verbs: ['get'], nonResourceURLs: ['/healthz'] }),
    'get',
    '/healthz',
    true,
  ],
  [
    'an exact URL does not match a longer path',
    rule({ verbs: ['get'], nonResourceURLs: ['/healthz'] }),
    'get',
    '/healthz/etcd',
    false,
  ],
  [
    'an exact URL does not match a shorter path',
    rule({ verbs: ['get'], nonResourceURLs: ['/healthz/etcd'] }),
    'get',
    '/healthz',
    false,
  ],
  [
    'a trailing * matches paths with that prefix',
    rule({ verbs: ['get'], nonResourceURLs: ['/healthz/*'] }),
    'get',
    '/healthz/etcd',
    true,
  ],
  [
    'a trailing * is a plain prefix, not a path segment (/hea* matches /healthz)',
    rule({ verbs: ['get'], nonResourceURLs: ['/hea*'] }),
    'get',
    '/healthz',
    true,
  ],
  [
    '/healthz/* does not match /healthz itself',
    rule({ verbs: ['get'], nonResourceURLs: ['/healthz/*'] }),
    'get',
    '/healthz',
    false,
  ],
  [
    'several trailing * are trimmed like one (strings.TrimRight)',
    rule({ verbs: ['get'], nonResourceURLs: ['/api**'] }),
    'get',
    '/apis/apps',
    true,
  ],
  [
    'a * inside the path is literal',
    rule({ verbs: ['get'], nonResourceURLs: ['/a/*/b'] }),
    'get',
    '/a/x/b',
    false,
  ],
  ['the verb must match', rule({ verbs: ['get'], nonResourceURLs: ['*'] }), 'post', '/logs', false],
  ['verb * matches any verb', rule({ verbs: ['*'], nonResourceURLs: ['/logs'] }), 'post', '/logs', true],
  [
    'verbs are case-sensitive for URLs too',
    rule({ verbs: ['GET'], nonResourceURLs: ['*'] }),
    'get',
    '/version',
    false,
  ],
  [
    'a resource rule never matches a URL, even all wildcards',
    rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }),
    'get',
    '/version',
    false,
  ],
  ['an empty nonResourceURLs list matches nothing', rule({ verbs: ['*'] }), 'get', '/version', false],
];

describe('matchNonResourceRule', () => {
  it.each(urlCases)('%s', (_name, policy, verb, path, expected) => {
    expect(matchNonResourceRule(policy, verb, path)).toBe(expected);
  });
});

describe('isFullWildcardRule', () => {
  it('recognises * verbs on * resources in * groups', () => {
    expect(isFullWildcardRule(rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }))).toBe(true);
  });
  it('recognises the wildcard among other entries of each field', () => {
    expect(
      isFullWildcardRule(rule({ verbs: ['get', '*'], apiGroups: ['', '*'], resources: ['pods', '*'] })),
    ).toBe(true);
  });
  it.each([
    ['verbs', rule({ verbs: ['get'], apiGroups: ['*'], resources: ['*'] })],
    ['apiGroups', rule({ verbs: ['*'], apiGroups: [''], resources: ['*'] })],
    ['resources', rule({ verbs: ['*'], apiGroups: ['*'], resources: ['pods'] })],
  ])('is false when %s is not a wildcard', (_field, policy) => {
    expect(isFullWildcardRule(policy)).toBe(false);
  });
  it('is false when resourceNames narrow the rule', () => {
    expect(
      isFullWildcardRule(rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: ['x'] })),
    ).toBe(false);
  });
});

describe('parseResourceArg', () => {
  it.each([
    ['pods', { resource: 'pods', apiGroup: '' }],
    ['secrets', { resource: 'secrets', apiGroup: '' }],
    ['deployments', { resource: 'deployments', apiGroup: 'apps' }],
    ['deployments.apps', { resource: 'deployments', apiGroup: 'apps' }],
    ['pods/exec', { resource: 'pods', apiGroup: '', subresource: 'exec' }],
    ['deployments.apps/scale', { resource: 'deployments', apiGroup: 'apps', subresource: 'scale' }],
    ['clusterroles', { resource: 'clusterroles', apiGroup: 'rbac.authorization.k8s.io' }],
    ['widgets.example.com', { resource: 'widgets', apiGroup: 'example.com' }],
    [
      'certificatesigningrequests/approval',
      {
        resource: 'certificatesigningrequests',
        apiGroup: 'certificates.k8s.io',
        subresource: 'approval',
      },
    ],
    ['widgets', { resource: 'widgets' }],
    ['widgets/status', { resource: 'widgets', subresource: 'status' }],
  ])('parses %s', (arg, expected) => {
    expect(parseResourceArg(arg)).toEqual(expected);
  });

  it('lets an explicit group override the well-known one', () => {
    expect(parseResourceArg('pods.metrics.k8s.io')).toEqual({ resource: 'pods', apiGroup: 'metrics.k8s.io' });
  });

  it.each(['', 'pods/exec/extra', '/exec', 'pods/', '.apps'])(
    'rejects the malformed argument "%s"',
    (arg) => {
      expect(() => parseResourceArg(arg)).toThrow(InputError);
    },
  );

  it('feeds the matcher: pods/exec asks for the exec subresource, not pods', () => {
    const request = { verb: 'create', ...parseResourceArg('pods/exec') };
    expect(
      matchResourceRule(rule({ verbs: ['create'], apiGroups: [''], resources: ['pods'] }), request),
    ).toBe(null);
    expect(
      matchResourceRule(rule({ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }), request),
    ).toBe('all');
  });
});

describe('CLUSTER_SCOPED_RESOURCES', () => {
  it.each([
    'nodes',
    'namespaces',
    'persistentvolumes',
    'clusterroles',
    'certificatesigningrequests',
    'users',
  ])('lists the cluster-scoped resource %s', (resource) => {
    expect(CLUSTER_SCOPED_RESOURCES.has(resource)).toBe(true);
  });
  it.each([
    'pods',
    'secrets',
    'serviceaccounts',
    'roles',
    'rolebindings',
    'deployments',
    'localsubjectaccessreviews',
  ])('does not list the namespaced resource %s', (resource) => {
    expect(CLUSTER_SCOPED_RESOURCES.has(resource)).toBe(false);
  });
});
