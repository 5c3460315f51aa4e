import { describe, expect, it } from 'vitest';
import type { Finding } from '../audit/types.ts';
import { InputError } from '../errors.ts';
import { DEFAULT_EXCEPTIONS } from './defaults.ts';
import { type ActiveException, activeExceptions, findException, globMatches } from './match.ts';
import { type ExceptionsFile, exceptionSchema, exceptionsFileSchema } from './model.ts';

const NOW = '2026-03-01T12:00:00Z';

function file(partial: Partial<ExceptionsFile>): ExceptionsFile {
  return exceptionsFileSchema.parse(partial);
}

type FindingKey = Pick<Finding, 'checkId' | 'resource' | 'subject'>;
const finding = (overrides: Partial<FindingKey> = {}): FindingKey => ({
  checkId: 'secrets-read',
  resource: { kind: 'ClusterRoleBinding', name: 'readers' },
  subject: { kind: 'User', name: 'alice' },
  ...overrides,
});

describe('globMatches', () => {
  it.each([
    ['alice', 'alice', true],
    ['alice', 'alicex', false],
    ['alice', 'Alice', false],
    ['*', '', true],
    ['*', 'anything', true],
    ['system:*', 'system:kube-scheduler', true],
    ['system:*', 'system:', true],
    ['system:*', 'system', false],
    ['*-controller', 'job-controller', true],
    ['*-controller', 'job-controller-x', false],
    ['eks:*', 'eks:addon-manager', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['*b*', 'abc', true],
    ['*b*', 'ac', false],
    ['x**y', 'xy', true],
    ['a*bc*bc', 'abcbc', true],
    ['a*bc*bc', 'abc', false],
    ['system:node:*', 'system:nodes', false],
    ['?', 'a', false],
    ['[ab]', 'a', false],
    ['a.c', 'abc', false],
  ])('%s against %s is %s', (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });
});

describe('activeExceptions', () => {
  const user = (id: string, expires?: string) => ({
    id,
    checks: ['*'],
    subject: { name: 'alice' },
    reason: 'accepted risk',
    ...(expires ? { expires } : {}),
  });

  it('applies every built-in exception by default, marked as such', () => {
    const active = activeExceptions(undefined, NOW);
    expect(active.map((e) => e.id)).toEqual(DEFAULT_EXCEPTIONS.map((e) => e.id));
    expect(new Set(active.map((e) => e.source))).toEqual(new Set(['default']));
  });

  it('drops the built-in exceptions named in disable, and all of them with defaults: false', () => {
    const disabled = activeExceptions(
      file({ disable: ['nodes', 'eks-managed-user-addon-manager'] }),
      NOW,
    ).map((e) => e.id);
    expect(disabled).not.toContain('nodes');
    expect(disabled).not.toContain('eks-managed-user-addon-manager');
    expect(disabled).toContain('apiserver-identity');
    expect(activeExceptions(file({ defaults: false, exceptions: [user('mine')] }), NOW)).toEqual([
      { ...user('mine'), source: 'user' },
    ]);
  });

  it('drops user exceptions from the moment they expire', () => {
    const exceptions = [
      user('no-expiry'),
      user('later', '2026-03-02'),
      user('earlier-today', '2026-03-01T11:59:59Z'),
      user('exactly-now', '2026-03-01T12:00:00Z'),
      user('date-is-today', '2026-03-01'),
      user('offset-later', '2026-03-01T13:30:00+01:00'),
      user('offset-earlier', '2026-03-01T12:30:00+01:00'),
    ];
    const active = activeExceptions(file({ defaults: false, exceptions }), NOW).map((e) => e.id);
    expect(active).toEqual(['no-expiry', 'later', 'offset-later']);
  });

  it('refuses a clock it cannot read rather than letting expired exceptions apply', () => {
    expect(() => activeExceptions(undefined, 'yesterday')).toThrow(InputError);
  });
});

describe('findException', () => {
  const active = (exceptions: ExceptionsFile['exceptions'], defaults = false) =>
    activeExceptions(file({ defaults, exceptions }), NOW);

  it('matches check ids, subject and resource by glob', () => {
    const exceptions = active([
      {
        id: 'break-glass',
        checks: ['secrets-*'],
        subject: { kind: 'User', name: 'ali*' },
        resource: { kind: 'ClusterRoleBinding', name: 'read*' },
        reason: 'break-glass account',
      },
    ]);
    expect(findException(finding(), exceptions)?.id).toBe('break-glass');
    expect(findException(finding({ checkId: 'cluster-admin' }), exceptions)).toBeUndefined();
    expect(findException(finding({ subject: { kind: 'Group', name: 'alice' } }), exceptions)).toBeUndefined();
    expect(findException(finding({ subject: { kind: 'User', name: 'bob' } }), exceptions)).toBeUndefined();
    expect(
      findException(
        finding({ resource: { kind: 'RoleBinding', name: 'readers', namespace: 'a' } }),
        exceptions,
      ),
    ).toBeUndefined();
  });

  it('never lets a subject exception cover a finding without a subject', () => {
    const exceptions = active([{ id: 'x', checks: ['*'], subject: { name: '*' }, reason: 'any subject' }]);
    expect(
      findException({ checkId: 'wildcards', resource: { kind: 'ClusterRole', name: 'r' } }, exceptions),
    ).toBe(undefined);
  });

  it('requires a namespace when the exception names one', () => {
    const exceptions = active([
      {
        id: 'ci',
        checks: ['*'],
        subject: { kind: 'ServiceAccount', namespace: 'ci', name: '*' },
        reason: 'CI runners',
      },
    ]);
    const sa = (namespace?: string) =>
      finding({ subject: { kind: 'ServiceAccount', name: 'runner', ...(namespace ? { namespace } : {}) } });
    expect(findException(sa('ci'), exceptions)?.id).toBe('ci');
    expect(findException(sa('prod'), exceptions)).toBeUndefined();
    expect(findException(sa(), exceptions)).toBeUndefined();
  });

  it('ignores kind and namespace the exception leaves out', () => {
    const exceptions = active([{ id: 'any', checks: ['*'], resource: { name: 'readers' }, reason: 'ok' }]);
    expect(
      findException(
        finding({ resource: { kind: 'RoleBinding', name: 'readers', namespace: 'x' } }),
        exceptions,
      )?.id,
    ).toBe('any');
  });

  it('prefers a user exception over a built-in one that also matches', () => {
    const exceptions = activeExceptions(
      file({
        exceptions: [
          { id: 'ours', checks: ['*'], subject: { kind: 'Group', name: 'system:nodes' }, reason: 'ours' },
        ],
      }),
      NOW,
    );
    const nodes = finding({ subject: { kind: 'Group', name: 'system:nodes' } });
    expect(findException(nodes, exceptions)).toMatchObject({ id: 'ours', source: 'user' });
    // Order in the list does not matter: a user exception listed after the defaults still wins.
    expect(exceptions.findIndex((e) => e.id === 'ours')).toBeGreaterThan(
      exceptions.findIndex((e) => e.id === 'nodes'),
    );
  });

  it('falls back to the first built-in exception that matches', () => {
    const exceptions = activeExceptions(undefined, NOW);
    expect(
      findException(finding({ subject: { kind: 'User', name: 'system:kube-scheduler' } }), exceptions),
    ).toMatchObject({ id: 'control-plane-kube-scheduler', source: 'default' });
    expect(findException(finding(), exceptions)).toBeUndefined();
  });

  it('suppresses the default system:masters binding only on that binding', () => {
    const exceptions = activeExceptions(undefined, NOW);
    const masters = { kind: 'Group' as const, name: 'system:masters' };
    expect(
      findException(
        {
          checkId: 'cluster-admin',
          resource: { kind: 'ClusterRoleBinding', name: 'cluster-admin' },
          subject: masters,
        },
        exceptions,
      )?.id,
    ).toBe('system-masters-default-binding');
    expect(
      findException(
        {
          checkId: 'cluster-admin',
          resource: { kind: 'ClusterRoleBinding', name: 'extra-admins' },
          subject: masters,
        },
        exceptions,
      ),
    ).toBeUndefined();
  });

  it('returns nothing from an empty list', () => {
    const none: ActiveException[] = [];
    expect(findException(finding(), none)).toBeUndefined();
  });
});

describe('DEFAULT_EXCEPTIONS', () => {
  it('have unique ids and each one is a valid exception with a reason', () => {
    const ids = DEFAULT_EXCEPTIONS.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const exception of DEFAULT_EXCEPTIONS) {
      expect(exceptionSchema.safeParse(exception).success, exception.id).toBe(true);
      expect(
        exception.subject ?? exception.resource,
        `${exception.id} must narrow by subject or resource`,
      ).toBeDefined();
    }
  });
});

describe('DEFAULT_EXCEPTIONS cover built-in identities by name', () => {
  const defaults = activeExceptions(undefined, NOW);
  const idOf = (f: Partial<FindingKey>) => findException(finding(f), defaults)?.id;
  const sa = (name: string, namespace = 'kube-system') => ({
    kind: 'ServiceAccount' as const,
    name,
    namespace,
  });

  it('use no glob except for kubelet users, whose names differ per cluster', () => {
    const globbed = DEFAULT_EXCEPTIONS.filter(
      (e) => e.subject?.name.includes('*') || e.resource?.name.includes('*') || e.subject?.namespace === '*',
    ).map((e) => e.id);
    expect(globbed).toEqual(['node-users']);
  });

  it.each([
    ['control-plane-kube-scheduler', { subject: { kind: 'User' as const, name: 'system:kube-scheduler' } }],
    ['kube-system-job-controller', { subject: sa('job-controller') }],
    ['kube-system-pod-garbage-collector', { subject: sa('pod-garbage-collector') }],
    ['eks-managed-user-addon-manager', { subject: { kind: 'User' as const, name: 'eks:addon-manager' } }],
    ['addon-aws-node', { checkId: 'token-automount', subject: sa('aws-node') }],
    ['addon-ebs-csi-controller-sa', { checkId: 'pv-create', subject: sa('ebs-csi-controller-sa') }],
    [
      'bootstrap-binding-kube-dns',
      {
        checkId: 'dangling-binding',
        resource: { kind: 'ClusterRoleBinding', name: 'system:kube-dns' },
        subject: sa('kube-dns'),
      },
    ],
  ])('suppress with %s', (id, f) => {
    expect(idOf(f)).toBe(id);
  });

  it.each([
    ['a user-installed controller in kube-system', { subject: sa('aws-load-balancer-controller') }],
    ['a look-alike control-plane user', { subject: { kind: 'User' as const, name: 'system:kube-admin' } }],
    [
      'the group EKS Auto Mode asks users to bind',
      { subject: { kind: 'Group' as const, name: 'eks:managed' } },
    ],
    [
      'an add-on account in another namespace',
      { checkId: 'token-automount', subject: sa('aws-node', 'default') },
    ],
    ['an add-on account holding more than its token', { checkId: 'secrets-read', subject: sa('coredns') }],
    [
      'a home-made role named like a controller role',
      { checkId: 'wildcards', resource: { kind: 'ClusterRole', name: 'system:controller:my-operator' } },
    ],
    [
      'another binding to a missing kube-system account',
      {
        checkId: 'dangling-binding',
        resource: { kind: 'RoleBinding', namespace: 'kube-system', name: 'mine' },
        subject: sa('kube-dns'),
      },
    ],
  ])('do not suppress %s', (_what, f) => {
    expect(idOf(f)).toBeUndefined();
  });
});
