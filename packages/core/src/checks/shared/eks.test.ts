import { describe, expect, it } from 'vitest';
import type { AwsAuthMapping } from '../../identity/aws-auth.ts';
import { awsAuthEntries, deadAwsAuthArn, resolveAwsAuth } from './eks.ts';

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
    const entries = awsAuthEntries([shadowed, winner, dead]);
    expect(entries.map((e) => [e.mapping, e.inert !== undefined])).toEqual([
      [winner, false],
      [shadowed, true],
      [dead, true],
    ]);
    expect(entries[1]?.inert).toContain('mapRoles[1]');
  });
});
