import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AssumeRoleError } from '../errors.ts';
import { assumeRoleProvider, roleSessionName } from './credentials.ts';

const sts = mockClient(STSClient);
beforeEach(() => sts.reset());

const silent = { info() {}, warn() {}, error() {} };

function provider(clock: () => number, externalId: string | undefined) {
  return assumeRoleProvider({
    sts: new STSClient({ region: 'eu-west-1' }),
    roleArn: 'arn:aws:iam::111122223333:role/vigil-scanner',
    externalId,
    sessionName: 'vigil-test',
    call: {
      timing: { deadline: clock() + 3_600_000, now: clock, sleep: async () => {}, random: () => 0.5 },
      retryPolicy: {},
      requestTimeoutMs: 5_000,
      logger: silent,
      scanId: 'test',
    },
  });
}

function credentials(n: number, expiresAt: number) {
  return {
    Credentials: {
      AccessKeyId: `ASIAEXAMPLE0000000${n}`,
      SecretAccessKey: `secret-${n}`,
      SessionToken: `session-${n}`,
      Expiration: new Date(expiresAt),
    },
  };
}

describe('roleSessionName', () => {
  it('is vigil-<scanId> with characters STS refuses replaced', () => {
    expect(roleSessionName('2025-06-01T00:00:00Z/prod#1')).toBe('vigil-2025-06-01T00-00-00Z-prod-1');
  });

  it('is at most 64 characters', () => {
    const name = roleSessionName('x'.repeat(200));
    expect(name).toHaveLength(64);
    expect(name.startsWith('vigil-')).toBe(true);
  });

  it('is unique without a scan id', () => {
    expect(roleSessionName(undefined)).not.toBe(roleSessionName(undefined));
    expect(roleSessionName(undefined)).toMatch(/^vigil-[\w-]+$/);
  });
});

describe('assumeRoleProvider', () => {
  it('assumes once, reuses the credentials, and assumes again shortly before they expire', async () => {
    let now = 1_000_000;
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(credentials(1, now + 3_600_000))
      .resolvesOnce(credentials(2, now + 7_200_000));
    const get = provider(() => now, 'ext-1');
    expect((await get()).accessKeyId).toBe('ASIAEXAMPLE00000001');
    now += 54 * 60_000;
    expect((await get()).accessKeyId).toBe('ASIAEXAMPLE00000001');
    now += 2 * 60_000;
    expect((await get()).accessKeyId).toBe('ASIAEXAMPLE00000002');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.ExternalId).toBe('ext-1');
  });

  it('sends no ExternalId when none is configured', async () => {
    sts.on(AssumeRoleCommand).resolves(credentials(1, Date.now() + 3_600_000));
    await provider(Date.now, undefined)();
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).not.toHaveProperty('ExternalId');
  });

  it('fails with AssumeRoleError when STS returns no credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({});
    await expect(provider(Date.now, 'ext-1')()).rejects.toBeInstanceOf(AssumeRoleError);
  });
});
