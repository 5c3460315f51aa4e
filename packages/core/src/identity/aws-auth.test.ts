import { describe, expect, it } from 'vitest';
import { accountOfArn, isTemplated, parseAwsAuth } from './aws-auth.ts';

const lines = (...text: string[]) => `${text.join('\n')}\n`;

describe('parseAwsAuth', () => {
  it('returns nothing for a missing ConfigMap or empty keys', () => {
    expect(parseAwsAuth(null)).toEqual({ mappings: [], accounts: [], problems: [] });
    expect(parseAwsAuth({ mapRoles: '', mapUsers: '  \n', mapAccounts: '[]' })).toEqual({
      mappings: [],
      accounts: [],
      problems: [],
    });
  });

  it('reads mapRoles and mapUsers with usernames, groups and their positions', () => {
    const parsed = parseAwsAuth({
      mapRoles: lines(
        '- rolearn: arn:aws:iam::111122223333:role/nodes',
        '  username: system:node:{{EC2PrivateDNSName}}',
        '  groups:',
        '    - system:bootstrappers',
        '    - system:nodes',
        '- rolearn: arn:aws:iam::111122223333:role/admins',
        '  username: admin:{{SessionName}}',
        '  groups: [system:masters]',
      ),
      mapUsers: lines('- userarn: arn:aws:iam::111122223333:user/jane', '  username: jane'),
    });
    expect(parsed.problems).toEqual([]);
    expect(parsed.mappings).toEqual([
      {
        source: 'mapRoles',
        index: 0,
        arn: 'arn:aws:iam::111122223333:role/nodes',
        username: 'system:node:{{EC2PrivateDNSName}}',
        groups: ['system:bootstrappers', 'system:nodes'],
      },
      {
        source: 'mapRoles',
        index: 1,
        arn: 'arn:aws:iam::111122223333:role/admins',
        username: 'admin:{{SessionName}}',
        groups: ['system:masters'],
      },
      {
        source: 'mapUsers',
        index: 0,
        arn: 'arn:aws:iam::111122223333:user/jane',
        username: 'jane',
        groups: [],
      },
    ]);
  });

  it('reads numbers and booleans as the text written, as EKS decodes them into strings', () => {
    const parsed = parseAwsAuth({
      mapRoles: lines(
        '- rolearn: arn:aws:iam::111122223333:role/x',
        '  username: 0042',
        '  groups: [true, 007]',
      ),
      mapAccounts: lines('- 012345678901', '- "111122223333"', '- 444455556666'),
    });
    expect(parsed.mappings[0]).toMatchObject({ username: '0042', groups: ['true', '007'] });
    expect(parsed.accounts).toEqual(['012345678901', '111122223333', '444455556666']);
    expect(parsed.problems).toEqual([]);
  });

  it('reports entries EKS cannot use, with their list and position, and keeps the good ones', () => {
    const parsed = parseAwsAuth({
      mapRoles: lines(
        '- rolearn: arn:aws:iam::111122223333:role/good',
        '- username: no-arn',
        '- just a string',
        '- rolearn: arn:aws:iam::111122223333:role/bad-groups',
        '  groups: system:masters',
        '- userarn: arn:aws:iam::111122223333:user/wrong-key',
        '- rolearn: arn:aws:iam::111122223333:role/odd',
        '  username: {nested: map}',
        '  groups: [ok, ~, {a: b}]',
      ),
      mapAccounts: lines('- 1234', '- abc'),
    });
    expect(parsed.mappings.map((m) => m.arn)).toEqual([
      'arn:aws:iam::111122223333:role/good',
      'arn:aws:iam::111122223333:role/bad-groups',
      'arn:aws:iam::111122223333:role/odd',
    ]);
    expect(parsed.mappings[1]?.groups).toEqual([]);
    expect(parsed.mappings[2]?.groups).toEqual(['ok']);
    expect(parsed.problems).toEqual([
      { key: 'mapRoles', index: 1, problem: 'entry has no rolearn' },
      { key: 'mapRoles', index: 2, problem: 'entry is not a mapping' },
      { key: 'mapRoles', index: 3, problem: 'groups is not a list' },
      { key: 'mapRoles', index: 4, problem: 'entry has no rolearn' },
      { key: 'mapRoles', index: 5, problem: 'groups has entries that are not names' },
      { key: 'mapRoles', index: 5, problem: 'username is not a string' },
      { key: 'mapAccounts', index: 0, problem: 'entry is not a 12-digit account id' },
      { key: 'mapAccounts', index: 1, problem: 'entry is not a 12-digit account id' },
    ]);
  });

  it('reports YAML that does not parse or is not a list, per key, without throwing', () => {
    const parsed = parseAwsAuth({
      mapRoles: '- rolearn: [unclosed',
      mapUsers: 'userarn: arn:aws:iam::111122223333:user/x',
      mapAccounts: '- a\n---\n- b',
    });
    expect(parsed.mappings).toEqual([]);
    expect(parsed.problems).toEqual([
      { key: 'mapRoles', problem: expect.stringMatching(/^is not valid YAML \([A-Z_]+ at line 1\)$/) },
      { key: 'mapUsers', problem: 'is not a YAML list' },
      { key: 'mapAccounts', problem: expect.stringMatching(/^is not valid YAML/) },
    ]);
  });

  it('refuses alias bombs', () => {
    const bomb = ['- &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `- &a${i} [${Array(10)
          .fill(i === 0 ? '*a' : `*a${i - 1}`)
          .join(', ')}]`,
      );
    const parsed = parseAwsAuth({ mapRoles: lines(...bomb) });
    expect(parsed.problems).toEqual([{ key: 'mapRoles', problem: expect.stringMatching(/^cannot be read/) }]);
  });

  it('tolerates duplicate keys, keeping the last as a non-strict Go YAML decoder does', () => {
    const parsed = parseAwsAuth({
      mapRoles: lines(
        '- rolearn: arn:aws:iam::111122223333:role/a',
        '  rolearn: arn:aws:iam::111122223333:role/b',
      ),
    });
    expect(parsed.mappings.map((m) => m.arn)).toEqual(['arn:aws:iam::111122223333:role/b']);
  });
});

describe('accountOfArn', () => {
  it.each([
    ['arn:aws:iam::111122223333:role/x', '111122223333'],
    ['arn:aws:iam::111122223333:role/path/to/x', '111122223333'],
    ['arn:aws:sts::444455556666:assumed-role/x/session', '444455556666'],
    ['arn:aws-cn:iam::111122223333:user/x', '111122223333'],
    ['arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', undefined],
    ['not-an-arn', undefined],
    ['arn:aws:iam::1111:role/x', undefined],
  ])('finds the account of %s', (arn, account) => {
    expect(accountOfArn(arn)).toBe(account);
  });
});

describe('isTemplated', () => {
  it.each([
    ['{{SessionName}}', true],
    ['admin:{{SessionName}}', true],
    ['system:node:{{EC2PrivateDNSName}}', true],
    ['admin', false],
    ['system:masters', false],
  ])('%s -> %s', (name, expected) => {
    expect(isTemplated(name)).toBe(expected);
  });
});
