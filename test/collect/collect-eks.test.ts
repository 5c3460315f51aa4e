import {
  AccessDeniedException,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  DescribeIdentityProviderConfigCommand,
  EKSClient,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
  ListIdentityProviderConfigsCommand,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-eks';
import {
  DescribeKeyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  KMSServiceException,
} from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import {
  AssumeRoleError,
  ClusterUnreachableError,
  type CollectOptions,
  collectSnapshot,
  EksApiError,
  InvalidSourceError,
} from '@vigil/collect';
import { CHECKS, runAudit, snapshotSchema } from '@vigil/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyEksToken } from '../fake-kube/eks-token.ts';
import { awsAuthConfigMap, smallCluster } from '../fake-kube/fixtures.ts';
import { type FakeKube, startFakeKube } from '../fake-kube/server.ts';
import { testOptions } from './support.ts';

const CLUSTER_ARN = 'arn:aws:eks:eu-west-1:111122223333:cluster/prod';
const ROLE_ARN = 'arn:aws:iam::111122223333:role/vigil-scanner';
const EXTERNAL_ID = 'ext-7f3c9a1e-planted';
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ASSUMED = {
  AccessKeyId: 'ASIAEXAMPLEASSUMED01',
  SecretAccessKey: 'assumedSecretAccessKeyValue0123456789abcd',
  SessionToken: 'assumedSessionTokenValue-planted-0123456789',
};
const ADMIN_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

const eks = mockClient(EKSClient);
const sts = mockClient(STSClient);
const kms = mockClient(KMSClient);
let fake: FakeKube | undefined;

function denied(message: string) {
  return new STSServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message,
  });
}

/** A fake EKS control plane: the API server accepts only valid EKS tokens signed with the assumed role's key. */
async function startEksFake(objects = smallCluster({ awsAuth: true })) {
  fake = await startFakeKube({
    objects,
    tokens: {},
    authenticate: (token) => {
      try {
        verifyEksToken(token, {
          clusterName: 'prod',
          region: 'eu-west-1',
          secretFor: (id) => (id === ASSUMED.AccessKeyId ? ASSUMED.SecretAccessKey : undefined),
        });
        return {
          name: 'arn:aws:sts::111122223333:assumed-role/vigil-scanner/session',
          groups: ['vigil:scanners'],
        };
      } catch {
        return null;
      }
    },
  });
  return fake;
}

function clusterDescription(overrides: Record<string, unknown> = {}) {
  return {
    name: 'prod',
    arn: CLUSTER_ARN,
    version: '1.31',
    platformVersion: 'eks.12',
    status: 'ACTIVE',
    endpoint: fake!.url,
    certificateAuthority: { data: Buffer.from(fake!.pki.caCert).toString('base64') },
    createdAt: new Date('2024-01-01T00:00:00Z'),
    roleArn: 'arn:aws:iam::111122223333:role/eks-cluster',
    accessConfig: {
      authenticationMode: 'API_AND_CONFIG_MAP',
      bootstrapClusterCreatorAdminPermissions: false,
    },
    encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: KEY_ARN } }],
    logging: { clusterLogging: [{ types: ['api', 'audit', 'authenticator'], enabled: true }] },
    resourcesVpcConfig: {
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['10.0.0.0/8'],
    },
    tags: { team: 'platform' },
    ...overrides,
  };
}

const PRINCIPALS = [
  'arn:aws:iam::111122223333:role/admins',
  'arn:aws:iam::111122223333:role/developers',
  'arn:aws:iam::999988887777:role/vendor-support',
];

function mockHealthyAccount() {
  sts
    .on(AssumeRoleCommand)
    .resolves({ Credentials: { ...ASSUMED, Expiration: new Date(Date.now() + 3_600_000) } });
  eks.on(DescribeClusterCommand).callsFake(() => ({ cluster: clusterDescription() }));
  eks
    .on(ListAccessEntriesCommand)
    .resolvesOnce({ accessEntries: PRINCIPALS.slice(0, 2), nextToken: 'page-2' })
    .resolves({ accessEntries: PRINCIPALS.slice(2) });
  eks.on(DescribeAccessEntryCommand).callsFake((input: { principalArn: string }) => ({
    accessEntry: {
      clusterName: 'prod',
      principalArn: input.principalArn,
      kubernetesGroups: input.principalArn.endsWith('developers') ? ['developers'] : [],
      type: 'STANDARD',
      username: input.principalArn,
      tags: { owner: 'someone' },
    },
  }));
  eks.on(ListAssociatedAccessPoliciesCommand).callsFake((input: { principalArn: string }) => ({
    clusterName: 'prod',
    principalArn: input.principalArn,
    associatedAccessPolicies: input.principalArn.endsWith('developers')
      ? []
      : [
          {
            policyArn: ADMIN_POLICY,
            accessScope: { type: 'cluster', namespaces: [] },
            associatedAt: new Date(),
          },
        ],
  }));
  eks
    .on(ListIdentityProviderConfigsCommand)
    .resolves({ identityProviderConfigs: [{ type: 'oidc', name: 'okta' }] });
  eks.on(DescribeIdentityProviderConfigCommand).resolves({
    identityProviderConfig: {
      oidc: {
        identityProviderConfigName: 'okta',
        issuerUrl: 'https://example.okta.com',
        clientId: 'kubernetes',
        usernameClaim: 'email',
        groupsClaim: 'groups',
        groupsPrefix: 'okta:',
        requiredClaims: { aud: 'kubernetes' },
        status: 'ACTIVE',
      },
    },
  });
  kms.on(DescribeKeyCommand).resolves({
    KeyMetadata: {
      KeyId: '1234abcd',
      Arn: KEY_ARN,
      KeyState: 'Enabled',
      KeyManager: 'CUSTOMER',
      Enabled: true,
    },
  });
  kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true });
}

function eksOptions(overrides: Partial<CollectOptions> = {}) {
  return testOptions({ scanId: 'scan/2025-06-01T00:00:00Z#eks', ...overrides });
}

const source = { type: 'eks', clusterArn: CLUSTER_ARN, roleArn: ROLE_ARN, externalId: EXTERNAL_ID } as const;

beforeEach(() => {
  eks.reset();
  sts.reset();
  kms.reset();
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('collecting an EKS cluster by ARN', () => {
  it('assumes the role with the external id, signs an EKS token and reads Kubernetes and EKS data', async () => {
    await startEksFake();
    mockHealthyAccount();
    const done = new Map<string, number>();
    const { options, logs } = eksOptions({ onProgress: (p) => p.done && done.set(p.source, p.fetched) });
    const snapshot = await collectSnapshot(source, options);
    expect(Object.fromEntries(done)).toMatchObject({
      eksCluster: 1,
      accessEntries: 3,
      identityProviderConfigs: 1,
      kmsKey: 1,
      rolebindings: 1,
    });

    const assume = sts.commandCalls(AssumeRoleCommand);
    expect(assume).toHaveLength(1);
    expect(assume[0]!.args[0].input).toEqual({
      RoleArn: ROLE_ARN,
      ExternalId: EXTERNAL_ID,
      RoleSessionName: 'vigil-scan-2025-06-01T00-00-00Z-eks',
      DurationSeconds: 3600,
    });
    // Every Kubernetes request carried a valid EKS token for this cluster, signed with the assumed key.
    expect(fake!.requests.length).toBeGreaterThan(8);
    expect(new Set(fake!.requests.map((r) => r.user))).toEqual(
      new Set(['arn:aws:sts::111122223333:assumed-role/vigil-scanner/session']),
    );

    expect(snapshot.cluster).toEqual({
      name: 'prod',
      platform: 'eks',
      arn: CLUSTER_ARN,
      accountId: '111122223333',
      region: 'eu-west-1',
      kubernetesVersion: '1.31',
    });
    expect(snapshot.eks?.cluster).toMatchObject({
      name: 'prod',
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
      encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: KEY_ARN } }],
    });
    expect(snapshot.eks?.accessEntries).toEqual([
      {
        principalArn: PRINCIPALS[0],
        kubernetesGroups: [],
        username: PRINCIPALS[0],
        type: 'STANDARD',
        associatedAccessPolicies: [
          { policyArn: ADMIN_POLICY, accessScope: { type: 'cluster', namespaces: [] } },
        ],
      },
      {
        principalArn: PRINCIPALS[1],
        kubernetesGroups: ['developers'],
        username: PRINCIPALS[1],
        type: 'STANDARD',
        associatedAccessPolicies: [],
      },
      {
        principalArn: PRINCIPALS[2],
        kubernetesGroups: [],
        username: PRINCIPALS[2],
        type: 'STANDARD',
        associatedAccessPolicies: [
          { policyArn: ADMIN_POLICY, accessScope: { type: 'cluster', namespaces: [] } },
        ],
      },
    ]);
    expect(eks.commandCalls(ListAccessEntriesCommand).map((c) => c.args[0].input.nextToken)).toEqual([
      undefined,
      'page-2',
    ]);
    expect(snapshot.eks?.identityProviderConfigs).toEqual([
      {
        identityProviderConfigName: 'okta',
        issuerUrl: 'https://example.okta.com',
        clientId: 'kubernetes',
        usernameClaim: 'email',
        groupsClaim: 'groups',
        groupsPrefix: 'okta:',
        status: 'ACTIVE',
      },
    ]);
    expect(snapshot.eks?.kmsKey).toEqual({
      keyArn: KEY_ARN,
      keyState: 'Enabled',
      keyManager: 'CUSTOMER',
      rotationEnabled: true,
    });
    for (const entry of Object.values(snapshot.coverage)) expect(entry.status).toBe('complete');
    expect(snapshot.kubernetes.awsAuth?.mapRoles).toContain('platform-admins');

    // No credential, token or external id anywhere in what the collection produced.
    const produced = JSON.stringify(snapshot) + JSON.stringify(logs);
    for (const secret of [
      ASSUMED.SecretAccessKey,
      ASSUMED.SessionToken,
      ASSUMED.AccessKeyId,
      EXTERNAL_ID,
      'k8s-aws-v1.',
    ]) {
      expect(produced).not.toContain(secret);
    }
    expect(snapshotSchema.parse(JSON.parse(JSON.stringify(snapshot)))).toEqual(snapshot);
  });

  it('feeds the audit: identity-mapping findings and a complete run', async () => {
    await startEksFake();
    mockHealthyAccount();
    const snapshot = await collectSnapshot(source, eksOptions().options);
    const report = runAudit({ snapshot, checks: CHECKS, options: { now: '2025-06-01T00:00:00Z' } });
    expect(report.status).toBe('complete');
    expect(report.checks.filter((c) => c.status === 'not_evaluated')).toEqual([]);
    const fails = report.findings.filter((f) => f.status === 'fail');
    expect(fails).toContainEqual(
      expect.objectContaining({
        checkId: 'aws-auth-masters',
        subject: expect.objectContaining({ name: 'arn:aws:iam::111122223333:role/platform-admins' }),
      }),
    );
    expect(fails).toContainEqual(
      expect.objectContaining({
        checkId: 'foreign-principals',
        subject: expect.objectContaining({ name: PRINCIPALS[2] }),
      }),
    );
  });

  it('fails with AssumeRoleError naming the role, and nothing secret, when the external id does not match', async () => {
    await startEksFake();
    mockHealthyAccount();
    sts
      .on(AssumeRoleCommand)
      .rejects(
        denied(
          'User: arn:aws:sts::444455556666:assumed-role/vigil/i-0abc is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/vigil-scanner',
        ),
      );
    const error = await collectSnapshot(source, eksOptions().options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssumeRoleError);
    expect((error as AssumeRoleError).code).toBe('ASSUME_ROLE_FAILED');
    expect((error as AssumeRoleError).roleArn).toBe(ROLE_ARN);
    expect((error as Error).message).toContain(`cannot assume role ${ROLE_ARN} (AccessDenied`);
    expect((error as Error).message).toContain('external id');
    expect((error as Error).message).not.toContain(EXTERNAL_ID);
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(0);
    expect(fake!.requests).toHaveLength(0);
  });

  it('fails with EksApiError when DescribeCluster is denied or the cluster does not exist', async () => {
    await startEksFake();
    mockHealthyAccount();
    eks.on(DescribeClusterCommand).rejects(
      new AccessDeniedException({
        $metadata: { httpStatusCode: 403 },
        message: 'not authorized to perform: eks:DescribeCluster',
      }),
    );
    const denial = await collectSnapshot(source, eksOptions().options).catch((e: unknown) => e);
    expect(denial).toBeInstanceOf(EksApiError);
    expect((denial as EksApiError).code).toBe('EKS_ACCESS_DENIED');
    expect((denial as Error).message).toContain(CLUSTER_ARN);

    eks
      .on(DescribeClusterCommand)
      .rejects(new ResourceNotFoundException({ $metadata: {}, message: 'No cluster found' }));
    const missing = await collectSnapshot(source, eksOptions().options).catch((e: unknown) => e);
    expect((missing as EksApiError).code).toBe('EKS_CLUSTER_NOT_FOUND');
  });

  it('records denied access entries as forbidden; checks that need them are not_evaluated', async () => {
    await startEksFake();
    mockHealthyAccount();
    eks.on(ListAccessEntriesCommand).rejects(
      new AccessDeniedException({
        $metadata: { httpStatusCode: 403 },
        message: 'not authorized to perform: eks:ListAccessEntries',
      }),
    );
    const snapshot = await collectSnapshot(source, eksOptions().options);
    expect(snapshot.coverage.accessEntries?.status).toBe('forbidden');
    expect(snapshot.coverage.accessEntries?.reason).toMatch(
      /^eks:ListAccessEntries was denied \(AccessDeniedException/,
    );
    expect(snapshot.coverage.clusterroles?.status).toBe('complete');
    const report = runAudit({ snapshot, checks: CHECKS, options: { now: '2025-06-01T00:00:00Z' } });
    expect(report.status).toBe('partial');
    for (const check of CHECKS.filter((c) => c.meta.reads.includes('accessEntries'))) {
      expect(report.checks.find((c) => c.checkId === check.meta.id)?.status, check.meta.id).toBe(
        'not_evaluated',
      );
    }
  });

  it('records a denied KMS key read as forbidden, so the key health check is not_evaluated', async () => {
    await startEksFake();
    mockHealthyAccount();
    kms.on(DescribeKeyCommand).rejects(
      new KMSServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'User is not authorized to perform: kms:DescribeKey',
      }),
    );
    const snapshot = await collectSnapshot(source, eksOptions().options);
    expect(snapshot.coverage.kmsKey?.status).toBe('forbidden');
    expect(snapshot.eks?.kmsKey).toBeNull();
    const report = runAudit({ snapshot, checks: CHECKS, options: { now: '2025-06-01T00:00:00Z' } });
    const kmsReaders = CHECKS.filter((c) => c.meta.reads.includes('kmsKey'));
    for (const check of kmsReaders) {
      expect(report.checks.find((c) => c.checkId === check.meta.id)?.status).toBe('not_evaluated');
    }
  });

  it('retries EKS throttling with backoff, and reports a source throttled to the end', async () => {
    await startEksFake();
    mockHealthyAccount();
    const throttled = () =>
      new ThrottlingException({ $metadata: { httpStatusCode: 429 }, message: 'Rate exceeded' });
    eks
      .on(ListIdentityProviderConfigsCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ identityProviderConfigs: [] });
    eks.on(ListAccessEntriesCommand).rejects(throttled());
    const { options, waits } = eksOptions({ retry: { maxAttempts: 4 } });
    const snapshot = await collectSnapshot(source, options);
    expect(snapshot.coverage.identityProviderConfigs).toEqual({ status: 'complete', count: 0 });
    expect(snapshot.coverage.accessEntries).toEqual({
      status: 'error',
      reason:
        'eks:ListAccessEntries was throttled on every try (ThrottlingException: Rate exceeded, 4 attempts)',
    });
    expect(eks.commandCalls(ListAccessEntriesCommand)).toHaveLength(4);
    expect(waits.length).toBeGreaterThanOrEqual(5);
  });

  it('treats aws-auth as not applicable in API mode and skips access entries in CONFIG_MAP mode', async () => {
    await startEksFake(smallCluster());
    mockHealthyAccount();
    eks.on(DescribeClusterCommand).callsFake(() => ({
      cluster: clusterDescription({ accessConfig: { authenticationMode: 'API' } }),
    }));
    const apiMode = await collectSnapshot(source, eksOptions().options);
    expect(apiMode.coverage.awsAuth).toEqual({
      status: 'not_applicable',
      reason: 'authentication mode is API: EKS ignores aws-auth',
    });

    eks.on(DescribeClusterCommand).callsFake(() => ({
      cluster: clusterDescription({ accessConfig: { authenticationMode: 'CONFIG_MAP' } }),
    }));
    const before = eks.commandCalls(ListAccessEntriesCommand).length;
    const configMapMode = await collectSnapshot(source, eksOptions().options);
    expect(configMapMode.coverage.accessEntries?.status).toBe('not_applicable');
    expect(eks.commandCalls(ListAccessEntriesCommand).length).toBe(before);
    // On EKS an absent aws-auth means no mappings: a complete read.
    expect(configMapMode.coverage.awsAuth).toEqual({ status: 'complete', count: 0, reason: 'not present' });
  });

  it('uses the default credentials without AssumeRole when no role is given', async () => {
    await startEksFake([awsAuthConfigMap()]);
    mockHealthyAccount();
    const { options } = eksOptions({
      aws: {
        credentials: async () => ({
          accessKeyId: ASSUMED.AccessKeyId,
          secretAccessKey: ASSUMED.SecretAccessKey,
        }),
      },
    });
    const snapshot = await collectSnapshot({ type: 'eks', clusterArn: CLUSTER_ARN }, options);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(snapshot.coverage.awsAuth?.status).toBe('complete');
  });

  it('uses injected client factories (e.g. for LocalStack endpoints)', async () => {
    await startEksFake();
    mockHealthyAccount();
    const made: string[] = [];
    const { options } = eksOptions({
      aws: {
        eks: (config) => {
          made.push(`eks:${config.region}`);
          return new EKSClient({
            region: config.region,
            credentials: config.credentials,
            endpoint: 'http://localhost:4566',
          });
        },
        kms: (config) => {
          made.push(`kms:${config.region}`);
          return new KMSClient({ region: config.region, credentials: config.credentials });
        },
        sts: (config) => {
          made.push(`sts:${config.region}`);
          return new STSClient({ region: config.region });
        },
      },
    });
    await collectSnapshot(source, options);
    expect(made.sort()).toEqual(['eks:eu-west-1', 'kms:eu-west-1', 'sts:eu-west-1']);
  });

  it('says a private endpoint needs the scanner in the VPC when it cannot be reached', async () => {
    await startEksFake();
    mockHealthyAccount();
    eks.on(DescribeClusterCommand).callsFake(() => ({
      cluster: clusterDescription({
        endpoint: 'https://127.0.0.1:1',
        resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true },
      }),
    }));
    const error = await collectSnapshot(source, eksOptions({ retry: { maxAttempts: 2 } }).options).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect((error as Error).message).toMatch(/endpoint is private.*VPC/);
  });

  it('rejects a malformed ARN and an external id without a role', async () => {
    const bad = await collectSnapshot({ type: 'eks', clusterArn: 'prod' }, eksOptions().options).catch(
      (e: unknown) => e,
    );
    expect(bad).toBeInstanceOf(InvalidSourceError);
    expect((bad as Error).message).toMatch(/is not an EKS cluster ARN/);
    const lonely = await collectSnapshot(
      { type: 'eks', clusterArn: CLUSTER_ARN, externalId: EXTERNAL_ID },
      eksOptions().options,
    ).catch((e: unknown) => e);
    expect(lonely).toBeInstanceOf(InvalidSourceError);
    expect((lonely as Error).message).not.toContain(EXTERNAL_ID);
  });
});
