import { describe, expect, it } from 'vitest';
import { snapshotSchema } from '../snapshot/model.ts';
import type { AwsAuthMapping } from './aws-auth.ts';
import {
  admittedAwsAuthMappings,
  awsAuthEntries,
  deadAwsAuthArn,
  principalKey,
  resolveAwsAuth,
} from './aws-auth-resolution.ts';

const entry = (source: AwsAuthMapping['source'], index: number, arn: string): AwsAuthMapping => ({
  source,
  index,
  arn,
  groups: [],
});

describe('deadAwsAuthArn', () => {
  it.each([
    ['arn:aws:iam::111122223333:role/Admin'],
    ['arn:aws-us-gov:iam::111122223333:role/Admin'],
    ['arn:aws:iam::111122223333:user/ci/bot'],
    ['arn:aws:iam::111122223333:root'],
  ])('accepts %s', (arn) => {
    expect(deadAwsAuthArn(arn)).toBeNull();
  });

  it('rejects a role path and names the ARN EKS compares against', () => {
    expect(
      deadAwsAuthArn('arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1'),
    ).toEqual(
      expect.objectContaining({
        reason: 'role-path',
        canonical: 'arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_1',
      }),
    );
  });

  it('rejects an assumed-role session ARN and names the role', () => {
    expect(deadAwsAuthArn('arn:aws:sts::111122223333:assumed-role/Dev/alice')).toEqual(
      expect.objectContaining({ reason: 'assumed-role', canonical: 'arn:aws:iam::111122223333:role/Dev' }),
    );
  });

  it.each([['Admin'], ['arn:aws:iam:::role/Admin'], ['arn:aws:iam::1234:role/Admin']])(
    'rejects %s',
    (arn) => {
      expect(deadAwsAuthArn(arn)?.reason).toBe('not-an-arn');
    },
  );
});

describe('resolveAwsAuth', () => {
  it('keeps the last entry of a list for an ARN, compared case-insensitively', () => {
    const first = entry('mapRoles', 0, 'arn:aws:iam::111122223333:role/Deploy');
    const last = entry('mapRoles', 1, 'arn:aws:iam::111122223333:role/deploy');
    const resolved = resolveAwsAuth([first, last]);
    expect(resolved.effective).toEqual([last]);
    expect(resolved.shadowed).toEqual([{ mapping: first, by: last }]);
  });

  it('prefers mapRoles over mapUsers for the same ARN, whatever the order', () => {
    const user = entry('mapUsers', 0, 'arn:aws:iam::111122223333:role/Deploy');
    const role = entry('mapRoles', 0, 'arn:aws:iam::111122223333:role/Deploy');
    expect(resolveAwsAuth([user, role]).effective).toEqual([role]);
    expect(resolveAwsAuth([role, user]).effective).toEqual([role]);
  });

  it('sets apart an entry whose principal has an access entry, whatever the path or case of its ARN', () => {
    const overridden = entry('mapRoles', 0, 'arn:aws:iam::111122223333:role/Deploy');
    const kept = entry('mapRoles', 1, 'arn:aws:iam::111122223333:role/Other');
    const accessEntry = 'arn:aws:iam::111122223333:role/teams/deploy';
    const resolved = resolveAwsAuth([overridden, kept], { accessEntryArns: [accessEntry] });
    expect(resolved.effective).toEqual([kept]);
    expect(resolved.overridden).toEqual([{ mapping: overridden, accessEntry }]);
  });

  it('sets dead entries apart so they shadow nothing', () => {
    const dead = entry('mapRoles', 0, 'arn:aws:iam::111122223333:role/team/Deploy');
    const live = entry('mapRoles', 1, 'arn:aws:iam::111122223333:role/Deploy');
    const resolved = resolveAwsAuth([dead, live]);
    expect(resolved.effective).toEqual([live]);
    expect(resolved.dead.map((d) => d.mapping)).toEqual([dead]);
    expect(resolved.shadowed).toEqual([]);
  });
});

describe('awsAuthEntries', () => {
  it('lists effective entries first, then inert ones with the reason', () => {
    const shadowed = entry('mapRoles', 0, 'arn:aws:iam::111122223333:role/A');
    const winner = entry('mapRoles', 1, 'arn:aws:iam::111122223333:role/a');
    const dead = entry('mapUsers', 0, 'arn:aws:sts::111122223333:assumed-role/B/s');
    const entries = awsAuthEntries(resolveAwsAuth([shadowed, winner, dead]));
    expect(entries.map((e) => [e.mapping, e.inert !== undefined])).toEqual([
      [winner, false],
      [shadowed, true],
      [dead, true],
    ]);
    expect(entries[1]?.inert).toContain('mapRoles[1]');
  });
});

describe('principalKey', () => {
  it('compares roles without their path and case, and leaves other ARNs as they are', () => {
    expect(principalKey('arn:aws:iam::111122223333:role/a/b/Admin')).toBe(
      'arn:aws:iam::111122223333:role/admin',
    );
    expect(principalKey('arn:aws:iam::111122223333:user/ci/Bot')).toBe(
      'arn:aws:iam::111122223333:user/ci/bot',
    );
  });
});

describe('admittedAwsAuthMappings', () => {
  const mapRoles = '- rolearn: arn:aws:iam::111122223333:role/Admin\n  groups: [admins]';
  const snapshotIn = (authenticationMode: string | undefined, accessEntries: object[] = []) =>
    snapshotSchema.parse({
      schemaVersion: 1,
      cluster: { name: 'test', platform: 'eks' },
      kubernetes: { awsAuth: { mapRoles } },
      eks: {
        cluster: { name: 'test', ...(authenticationMode ? { accessConfig: { authenticationMode } } : {}) },
        accessEntries,
      },
    });

  it('admits the entries of clusters that read aws-auth', () => {
    for (const mode of [undefined, 'CONFIG_MAP', 'API_AND_CONFIG_MAP']) {
      expect(
        admittedAwsAuthMappings(snapshotIn(mode)).map((m) => m.arn),
        String(mode),
      ).toEqual(['arn:aws:iam::111122223333:role/Admin']);
    }
  });

  it('admits nothing in authentication mode API', () => {
    expect(admittedAwsAuthMappings(snapshotIn('API'))).toEqual([]);
  });

  it('admits nothing for a principal whose access entry takes precedence', () => {
    const snapshot = snapshotIn('API_AND_CONFIG_MAP', [
      { principalArn: 'arn:aws:iam::111122223333:role/Admin' },
    ]);
    expect(admittedAwsAuthMappings(snapshot)).toEqual([]);
  });
});
