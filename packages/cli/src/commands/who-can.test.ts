import { describe, expect, it } from 'vitest';
import { CHECK_FIXTURES, demoClusterArgs, runVigil } from '../testing.ts';

interface Answer {
  subject: { kind: string; name: string; namespace?: string };
  scope: { cluster: true } | { namespace: string };
  binding: { kind: string; name: string; namespace?: string };
  role: { kind: string; name: string };
  match: 'all' | 'names';
  resourceNames?: string[];
  via?: {
    mapping: string;
    principalArn: string;
    list?: string;
    index?: number;
    as: { kind: string; name: string };
  };
  path: Record<string, unknown>[];
}

async function whoCanJson(args: string[]) {
  const result = await runVigil(['who-can', ...args, '--format', 'json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as {
    complete: boolean;
    query: Record<string, unknown>;
    answers: Answer[];
  };
}

describe('vigil who-can', () => {
  it('answers who can read secrets with IAM principals and the aws-auth mapping they come through', async () => {
    const { answers, complete } = await whoCanJson(['get', 'secrets', ...demoClusterArgs('prod-eu')]);
    expect(complete).toBe(true);
    const group = answers.find((a) => a.subject.kind === 'Group' && a.subject.name === 'support-engineers');
    expect(group).toMatchObject({
      binding: { name: 'support-secret-readers' },
      role: { name: 'secret-reader' },
      scope: { cluster: true },
    });
    const role = answers.find((a) => a.subject.name === 'arn:aws:iam::111122223333:role/SupportEngineers');
    expect(role?.via).toMatchObject({
      mapping: 'aws-auth',
      list: 'mapRoles',
      as: { kind: 'Group', name: 'support-engineers' },
    });
    expect(role?.path.map((step) => step.kind)).toEqual([
      'IAMPrincipal',
      'aws-auth',
      'Group',
      'ClusterRoleBinding',
      'ClusterRole',
      'rule',
    ]);
  });

  it('limits answers to a namespace: namespaced grants there plus cluster-wide ones', async () => {
    const { answers } = await whoCanJson([
      'create',
      'pods',
      '-n',
      'kube-system',
      ...demoClusterArgs('prod-eu'),
    ]);
    expect(answers.some((a) => a.subject.name === 'addon-installer' && 'namespace' in a.scope)).toBe(true);
    expect(
      answers.some((a) => a.binding.name === 'payments/default-edit' || a.binding.namespace === 'payments'),
    ).toBe(false);
    const anywhere = await whoCanJson(['create', 'pods', ...demoClusterArgs('prod-eu')]);
    expect(anywhere.answers.some((a) => a.binding.namespace === 'payments')).toBe(true);
  });

  it('understands subresources given either way', async () => {
    const slash = await whoCanJson(['create', 'pods/exec', ...demoClusterArgs('staging-onprem', false)]);
    const flag = await whoCanJson([
      'create',
      'pods',
      '--subresource',
      'exec',
      ...demoClusterArgs('staging-onprem', false),
    ]);
    expect(slash.answers).toEqual(flag.answers);
    expect(
      slash.answers.some((a) => a.subject.name === 'qa-team' && a.binding.name === 'qa-pod-debugger'),
    ).toBe(true);
  });

  it('answers non-resource URLs, including for anonymous users', async () => {
    const { answers } = await whoCanJson(['get', '/metrics', ...demoClusterArgs('staging-onprem', false)]);
    expect(
      answers.some((a) => a.subject.name === 'system:anonymous' && a.binding.name === 'anonymous-metrics'),
    ).toBe(true);
  });

  it('shows rules limited by resourceNames, and honours --name', async () => {
    const { answers } = await whoCanJson([
      'bind',
      'clusterroles',
      '-n',
      'staging',
      ...demoClusterArgs('staging-onprem', false),
    ]);
    const deployer = answers.find((a) => a.subject.name === 'preview-deployer');
    expect(deployer).toMatchObject({ match: 'names', resourceNames: ['admin', 'edit'] });
    const named = await whoCanJson([
      'bind',
      'clusterroles',
      '--name',
      'cluster-admin',
      '-n',
      'staging',
      ...demoClusterArgs('staging-onprem', false),
    ]);
    expect(named.answers.some((a) => a.subject.name === 'preview-deployer')).toBe(false);
  });

  it('prints a table with subject, scope, binding, role and mapping', async () => {
    const { stdout, code } = await runVigil(['who-can', 'get', 'secrets', ...demoClusterArgs('prod-eu')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+ way\(s\) to get secrets:\nSUBJECT\s+SCOPE\s+BINDING\s+ROLE\s+VIA/);
    expect(stdout).toMatch(
      /IAMPrincipal arn:aws:iam::111122223333:role\/SupportEngineers\s+cluster-wide\s+ClusterRoleBinding support-secret-readers\s+ClusterRole secret-reader\s+aws-auth mapRoles\[2\] as Group support-engineers/,
    );
  });

  it('always names system:masters (the authorizer lets it do anything) and warns when RBAC input is incomplete', async () => {
    const manifests = `${CHECK_FIXTURES}/cluster-admin/fixtures/pass-namespaced-admin/manifests.yaml`;
    const result = await runVigil([
      'who-can',
      'create',
      'certificatesigningrequests',
      '--manifests',
      manifests,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^1 way\(s\) to create certificatesigningrequests.certificates.k8s.io:\n/);
    expect(result.stdout).toMatch(/Group system:masters\s+cluster-wide\s+Authorizer system:masters/);
    expect(result.stderr).toMatch(/warning: RBAC input incomplete.*: roles: not_collected/);
  });

  it('rejects bad questions with exit 2', async () => {
    const args = demoClusterArgs('staging-onprem', false);
    expect((await runVigil(['who-can', 'get', ...args])).code).toBe(2);
    const url = await runVigil(['who-can', 'get', '/metrics', '-n', 'default', ...args]);
    expect(url).toMatchObject({ code: 2 });
    expect(url.stderr).toContain('a non-resource URL takes no --namespace');
    const twice = await runVigil(['who-can', 'create', 'pods/exec', '--subresource', 'attach', ...args]);
    expect(twice.stderr).toContain('give the subresource once');
    const malformed = await runVigil(['who-can', 'get', 'pods/exec/x', ...args]);
    expect(malformed).toMatchObject({ code: 2 });
    expect(malformed.stderr).toContain('is not RESOURCE[.GROUP][/SUBRESOURCE]');
  });
});
