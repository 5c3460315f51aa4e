import { describe, expect, it } from 'vitest';
import { buildRbacIndex, type Grant } from '../../rbac/index-builder.ts';
import { type PolicyRule, snapshotSchema } from '../../snapshot/model.ts';
import {
  describeHeldSet,
  type HeldPermission,
  joinWords,
  namesCanApply,
  whoHolds,
} from './held-permissions.ts';

describe('namesCanApply', () => {
  it('says a create or deletecollection of a top-level object is never limited by resourceNames', () => {
    expect(namesCanApply({ verb: 'create', apiGroup: '', resource: 'pods' })).toBe(false);
    expect(namesCanApply({ verb: 'deletecollection', apiGroup: '', resource: 'secrets' })).toBe(false);
  });

  it('keeps resourceNames for subresources, which carry the parent object name, and for other verbs', () => {
    expect(namesCanApply({ verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec' })).toBe(true);
    expect(namesCanApply({ verb: 'update', apiGroup: '', resource: 'configmaps' })).toBe(true);
    expect(namesCanApply({ verb: 'get', nonResourceURL: '/healthz' })).toBe(true);
  });
});

function held(label: string, resourceNames: string[] = []): HeldPermission {
  const rule: PolicyRule = {
    verbs: ['*'],
    apiGroups: [''],
    resources: ['*'],
    resourceNames,
    nonResourceURLs: [],
  };
  const grant: Grant = {
    subject: { kind: 'User', name: 'u' },
    binding: { kind: 'ClusterRoleBinding', name: 'b' },
    role: { kind: 'ClusterRole', name: 'r', exists: true, rules: [rule] },
    ruleIndex: 0,
    rule,
    namespace: null,
    match: resourceNames.length ? 'names' : 'all',
  };
  const [verb = '', resource = ''] = label.split(' ');
  return { permission: { label, query: { verb, apiGroup: '', resource } }, grant };
}

describe('describeHeldSet', () => {
  it('groups verbs per resource and merges resources with the same verbs', () => {
    expect(
      describeHeldSet([
        held('create pods/exec'),
        held('get pods/exec'),
        held('create pods/attach'),
        held('get pods/attach'),
      ]),
    ).toBe('create and get pods/exec and pods/attach');
  });

  it('keeps a names limit apart, and drops it when another rule grants every object', () => {
    expect(describeHeldSet([held('update cm', ['a']), held('patch cm', ['a'])])).toBe(
      'update and patch cm (only a)',
    );
    expect(describeHeldSet([held('update cm', ['a']), held('update cm')])).toBe('update cm');
  });

  it('separates phrases that carry their own "and" with a comma', () => {
    expect(describeHeldSet([held('create pods'), held('create jobs'), held('patch deployments')])).toBe(
      'create pods and jobs, and patch deployments',
    );
  });
});

describe('joinWords', () => {
  it('joins like a sentence and drops repeats', () => {
    expect(joinWords([])).toBe('');
    expect(joinWords(['a', 'a'])).toBe('a');
    expect(joinWords(['a', 'b', 'c'])).toBe('a, b and c');
  });
});

describe('whoHolds', () => {
  it('reports a member of system:masters once, through the authorizer, not once per binding naming the group', () => {
    const snapshot = snapshotSchema.parse({
      schemaVersion: 1,
      cluster: { name: 'test', platform: 'eks' },
      kubernetes: {
        clusterRoles: [
          {
            kind: 'ClusterRole',
            name: 'cluster-admin',
            rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
          },
        ],
        clusterRoleBindings: [
          {
            kind: 'ClusterRoleBinding',
            name: 'cluster-admin',
            roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
            subjects: [{ kind: 'Group', name: 'system:masters' }],
          },
        ],
        awsAuth: { mapUsers: '- userarn: arn:aws:iam::111122223333:user/ops\n  groups: [system:masters]' },
      },
      eks: { cluster: { name: 'test' } },
    });
    const held = whoHolds(buildRbacIndex(snapshot), [
      { label: 'get secrets', query: { verb: 'get', apiGroup: '', resource: 'secrets' } },
    ]);
    expect(
      held.map(({ grant }) => `${grant.subject.kind} ${grant.subject.name} <- ${grant.binding.kind}`),
    ).toEqual([
      'Group system:masters <- ClusterRoleBinding',
      'IAMPrincipal arn:aws:iam::111122223333:user/ops <- Authorizer',
    ]);
  });
});
