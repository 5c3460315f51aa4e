import { describe, expect, it } from 'vitest';
import type { PolicyRule } from '../../snapshot/model.ts';
import { isDiscoveryOnlyRule, summariseRule } from './discovery.ts';

function rule(partial: Partial<PolicyRule>): PolicyRule {
  return { verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...partial };
}

describe('isDiscoveryOnlyRule', () => {
  it.each([
    [
      'the default system:discovery paths',
      rule({ verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis/*', '/openapi/*', '/version/'] }),
    ],
    [
      'health endpoints and their sub-paths',
      rule({ verbs: ['get', 'head'], nonResourceURLs: ['/healthz', '/livez/*', '/readyz'] }),
    ],
    [
      'the service account issuer documents',
      rule({ verbs: ['get'], nonResourceURLs: ['/.well-known/openid-configuration', '/openid/v1/jwks'] }),
    ],
    [
      'self-subject reviews',
      rule({
        verbs: ['create'],
        apiGroups: ['authorization.k8s.io', 'authentication.k8s.io'],
        resources: ['selfsubjectaccessreviews', 'selfsubjectreviews'],
      }),
    ],
    ['a rule without verbs', rule({ apiGroups: ['*'], resources: ['*'] })],
  ])('accepts %s', (_name, r) => {
    expect(isDiscoveryOnlyRule(r, true)).toBe(true);
  });

  it.each([
    ['metrics', rule({ verbs: ['get'], nonResourceURLs: ['/metrics'] })],
    ['every path', rule({ verbs: ['get'], nonResourceURLs: ['*'] })],
    ['a prefix that is not a discovery tree', rule({ verbs: ['get'], nonResourceURLs: ['/api*'] })],
    ['a write verb on a discovery path', rule({ verbs: ['post'], nonResourceURLs: ['/version'] })],
    ['a wildcard verb on a health path', rule({ verbs: ['*'], nonResourceURLs: ['/healthz'] })],
    [
      'reviews of other subjects',
      rule({ verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'] }),
    ],
    [
      'self reviews under a wildcard group',
      rule({ verbs: ['create'], apiGroups: ['*'], resources: ['selfsubjectaccessreviews'] }),
    ],
    ['reads of core resources', rule({ verbs: ['get'], apiGroups: [''], resources: ['pods'] })],
  ])('rejects %s', (_name, r) => {
    expect(isDiscoveryOnlyRule(r, true)).toBe(false);
  });

  it('ignores non-resource URLs granted through a namespace, where they take no effect', () => {
    expect(isDiscoveryOnlyRule(rule({ verbs: ['get'], nonResourceURLs: ['/metrics'] }), false)).toBe(true);
    expect(
      isDiscoveryOnlyRule(rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }), false),
    ).toBe(false);
  });
});

describe('summariseRule', () => {
  it('names the API group only when it says something', () => {
    expect(summariseRule(rule({ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }))).toBe(
      'get,list on secrets',
    );
    expect(summariseRule(rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }))).toBe(
      '* on * in every API group',
    );
    expect(
      summariseRule(
        rule({
          verbs: ['get'],
          apiGroups: ['', 'apps'],
          resources: ['pods', 'deployments'],
          resourceNames: ['a'],
        }),
      ),
    ).toBe('get on pods, deployments in API groups core, apps (only a)');
    expect(summariseRule(rule({ verbs: ['get'], nonResourceURLs: ['/metrics'] }))).toBe('get on /metrics');
  });
});
