import { describe, expect, it } from 'vitest';
import { matchResourceRule } from '../rbac/match.ts';
import { ACCESS_POLICIES, accessPolicyName } from './access-policies.ts';

const grants = (policy: string, verb: string, apiGroup: string, resource: string, subresource?: string) =>
  ACCESS_POLICIES[policy]!.rules.some(
    (rule) =>
      matchResourceRule(rule, { verb, apiGroup, resource, ...(subresource ? { subresource } : {}) }) !== null,
  );

describe('accessPolicyName', () => {
  it.each([
    ['arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', 'AmazonEKSClusterAdminPolicy'],
    ['arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', 'AmazonEKSViewPolicy'],
    ['AmazonEKSEditPolicy', 'AmazonEKSEditPolicy'],
  ])('names %s', (arn, name) => {
    expect(accessPolicyName(arn)).toBe(name);
  });
});

describe('ACCESS_POLICIES', () => {
  it('keys each definition by its own name', () => {
    for (const [key, definition] of Object.entries(ACCESS_POLICIES)) expect(definition.name).toBe(key);
  });

  it('gives the cluster admin policy everything, non-resource URLs included', () => {
    expect(
      grants('AmazonEKSClusterAdminPolicy', 'escalate', 'rbac.authorization.k8s.io', 'clusterroles'),
    ).toBe(true);
    expect(
      ACCESS_POLICIES.AmazonEKSClusterAdminPolicy!.rules.some((r) => r.nonResourceURLs.includes('*')),
    ).toBe(true);
  });

  it('lets view read workloads but not Secrets, and write nothing', () => {
    expect(grants('AmazonEKSViewPolicy', 'list', 'apps', 'deployments')).toBe(true);
    expect(grants('AmazonEKSViewPolicy', 'get', '', 'secrets')).toBe(false);
    expect(grants('AmazonEKSViewPolicy', 'create', '', 'pods')).toBe(false);
  });

  it('lets admin view read Secrets but write nothing', () => {
    expect(grants('AmazonEKSAdminViewPolicy', 'list', '', 'secrets')).toBe(true);
    expect(grants('AmazonEKSAdminViewPolicy', 'delete', '', 'pods')).toBe(false);
  });

  it('lets edit change workloads, read Secrets and exec, but not RBAC', () => {
    expect(grants('AmazonEKSEditPolicy', 'create', '', 'pods')).toBe(true);
    expect(grants('AmazonEKSEditPolicy', 'get', '', 'secrets')).toBe(true);
    expect(grants('AmazonEKSEditPolicy', 'create', '', 'pods', 'exec')).toBe(true);
    expect(grants('AmazonEKSEditPolicy', 'create', 'rbac.authorization.k8s.io', 'rolebindings')).toBe(false);
  });

  it('lets admin also manage Roles and RoleBindings', () => {
    expect(grants('AmazonEKSAdminPolicy', 'create', 'rbac.authorization.k8s.io', 'rolebindings')).toBe(true);
    expect(grants('AmazonEKSAdminPolicy', 'create', 'rbac.authorization.k8s.io', 'clusterrolebindings')).toBe(
      false,
    );
  });
});
