import { inspect } from 'node:util';
import { gunzipSync } from 'node:zlib';
import {
  DescribeClusterCommand,
  EKSClient,
  ListAccessEntriesCommand,
  ListIdentityProviderConfigsCommand,
} from '@aws-sdk/client-eks';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import type { AwsClientFactories } from '@vigil/collect';
import { createCluster, getRun, listOutboxEvents, listRunFindings, listRuns } from '@vigil/db';
import { TEST_ENGINES, useTestDatabase } from '@vigil/db/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyEksToken } from '../fake-kube/eks-token.ts';
import { smallCluster } from '../fake-kube/fixtures.ts';
import { type FakeKube, startFakeKube } from '../fake-kube/server.ts';
import { type Harness, startHarness } from './support.ts';

// RELIABILITY 13 through the queue: a registered EKS cluster (role ARN + external id stored on the cluster)
// is scanned by the real scan handler behind the local SQS server. The AWS clients are injected through the
// handler's collect options and mocked; the Kubernetes API is the loopback fake, which accepts only EKS
// tokens signed with the assumed role's key.

const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/vigil-scanner`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ASSUMED = {
  AccessKeyId: 'ASIAPIPELINEASSUMED1',
  SecretAccessKey: 'pipelineAssumedSecretAccessKey0123456789ab',
  SessionToken: 'pipelineAssumedSessionToken-planted-0123456789',
};

/** STS's answer when the caller may not assume the role, e.g. the external id does not match the trust policy. */
function accessDenied() {
  return new STSServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: `User: arn:aws:sts::444455556666:assumed-role/vigil/i-0abc is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`,
  });
}

describe.each(TEST_ENGINES)('a registered EKS cluster scanned through the queue on %s', (engine) => {
  const db = useTestDatabase(engine);
  let h: Harness;
  let fake: FakeKube | undefined;
  // The instances the injected factories hand out; aws-sdk-client-mock stubs their send().
  const sts = new STSClient({ region: REGION });
  const eks = new EKSClient({ region: REGION });
  const kms = new KMSClient({ region: REGION });
  const stsMock = mockClient(sts);
  const eksMock = mockClient(eks);
  const kmsMock = mockClient(kms);
  const made: string[] = [];
  const aws: AwsClientFactories = {
    sts: (config) => {
      made.push(`sts:${config.region}`);
      return sts;
    },
    eks: (config) => {
      made.push(`eks:${config.region}`);
      return eks;
    },
    kms: (config) => {
      made.push(`kms:${config.region}`);
      return kms;
    },
  };
  const handler = () => h.handler({ collect: { ...h.deps().collect, aws } });

  beforeAll(async () => {
    h = await startHarness(db(), { maxReceiveCount: 3 });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    stsMock.reset();
    eksMock.reset();
    kmsMock.reset();
    made.length = 0;
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  function registerEks(name: string, externalId: string) {
    return createCluster(db(), {
      name: `${name}-${engine}`,
      source: {
        type: 'eks',
        arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${name}`,
        region: REGION,
        roleArn: ROLE_ARN,
        externalId,
      },
      scheduleIntervalSeconds: 86_400,
    });
  }

  /** The fake API server of EKS cluster `prod`: it authenticates EKS tokens signed with the assumed key only. */
  async function startEksFake() {
    fake = await startFakeKube({
      objects: smallCluster({ awsAuth: true }),
      tokens: {},
      authenticate: (token) => {
        try {
          verifyEksToken(token, {
            clusterName: 'prod',
            region: REGION,
            secretFor: (id) => (id === ASSUMED.AccessKeyId ? ASSUMED.SecretAccessKey : undefined),
          });
          return {
            name: `arn:aws:sts::${ACCOUNT}:assumed-role/vigil-scanner/session`,
            groups: ['vigil:scanners'],
          };
        } catch {
          return null;
        }
      },
    });
    return fake;
  }

  function mockHealthyAccount(server: FakeKube) {
    stsMock
      .on(AssumeRoleCommand)
      .resolves({ Credentials: { ...ASSUMED, Expiration: new Date(Date.now() + 3_600_000) } });
    eksMock.on(DescribeClusterCommand).resolves({
      cluster: {
        name: 'prod',
        arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/prod`,
        version: '1.31',
        status: 'ACTIVE',
        endpoint: server.url,
        certificateAuthority: { data: Buffer.from(server.pki.caCert).toString('base64') },
        accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
        encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: KEY_ARN } }],
        logging: { clusterLogging: [{ types: ['api', 'audit', 'authenticator'], enabled: true }] },
        resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true },
      },
    });
    eksMock.on(ListAccessEntriesCommand).resolves({ accessEntries: [] });
    eksMock.on(ListIdentityProviderConfigsCommand).resolves({ identityProviderConfigs: [] });
    kmsMock.on(DescribeKeyCommand).resolves({
      KeyMetadata: {
        KeyId: '1234abcd',
        Arn: KEY_ARN,
        KeyState: 'Enabled',
        KeyManager: 'CUSTOMER',
        Enabled: true,
      },
    });
    kmsMock.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true });
  }

  /** Everything the harness logged, errors with their messages, properties and causes. */
  const loggedText = () => inspect(h.logger.entries, { depth: 20, breakLength: Number.POSITIVE_INFINITY });

  it('assumes the role with the cluster external id and a session named after the run, and records the run', async () => {
    const externalId = `ext-pipeline-ok-${engine}-7f3c9a1e`;
    const cluster = await registerEks('prod', externalId);
    mockHealthyAccount(await startEksFake());

    await h.send([{ clusterId: cluster.id, slot: 'manual:eks-ok', trigger: 'manual' }]);
    await h.pollUntilEmpty(h.poller(handler(), { batchSize: 1 }));

    const [summary] = (await listRuns(db(), { clusterIds: [cluster.id] })).items;
    expect(summary).toMatchObject({ status: 'complete', attempts: 1, error: null });
    const runId = summary!.id;

    const assume = stsMock.commandCalls(AssumeRoleCommand);
    expect(assume).toHaveLength(1);
    expect(assume[0]!.args[0].input).toEqual({
      RoleArn: ROLE_ARN,
      ExternalId: externalId,
      RoleSessionName: `vigil-${runId}`,
      DurationSeconds: 3600,
    });
    expect([...new Set(made)].sort()).toEqual([`eks:${REGION}`, `kms:${REGION}`, `sts:${REGION}`]);
    // The Kubernetes part was read with the assumed role's credentials (the fake accepts nothing else).
    expect(fake!.requests.length).toBeGreaterThan(8);
    expect(new Set(fake!.requests.map((r) => r.status))).toEqual(new Set([200]));
    const run = await getRun(db(), runId);
    for (const entry of Object.values(run?.coverage ?? {})) expect(entry.status).toBe('complete');

    // Neither the external id nor any credential or token reached the run, its findings and events, the
    // stored snapshot (its bytes, not the parsed form) or the logs.
    const findings = await listRunFindings(db(), runId, { limit: 500 });
    const events = await listOutboxEvents(db(), { runId, limit: 500 });
    const rows = (await db().execute(sql`select data from snapshots where run_id = ${runId}`)) as unknown as {
      rows: { data: Uint8Array }[];
    };
    expect(rows.rows).toHaveLength(1);
    const storedSnapshot = gunzipSync(rows.rows[0]!.data).toString('utf8');
    expect(storedSnapshot).toContain('platform-admins');
    const stored = JSON.stringify([run, findings, events]) + storedSnapshot + loggedText();
    for (const secret of [
      externalId,
      ASSUMED.AccessKeyId,
      ASSUMED.SecretAccessKey,
      ASSUMED.SessionToken,
      'k8s-aws-v1.',
    ]) {
      expect(stored).not.toContain(secret);
    }
  });

  it('fails the run for good, naming the role, when AssumeRole is denied (external id mismatch)', async () => {
    const externalId = `ext-pipeline-mismatch-${engine}-2b9d4c`;
    const cluster = await registerEks('payments', externalId);
    stsMock.on(AssumeRoleCommand).rejects(accessDenied());

    await h.send([{ clusterId: cluster.id, slot: 'manual:eks-denied', trigger: 'manual' }]);
    await h.pollUntilEmpty(h.poller(handler(), { batchSize: 1 }));

    // One delivery: a refused trust relationship is permanent, so the message is not retried into the DLQ.
    const runs = (await listRuns(db(), { clusterIds: [cluster.id] })).items;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await h.depth(h.queueUrl)).toBe(0);
    expect(await h.depth(h.dlqUrl)).toBe(0);
    const assume = stsMock.commandCalls(AssumeRoleCommand);
    expect(assume).toHaveLength(1);
    expect(assume[0]!.args[0].input).toMatchObject({ RoleArn: ROLE_ARN, ExternalId: externalId });
    expect(eksMock.commandCalls(DescribeClusterCommand)).toHaveLength(0);

    const run = await getRun(db(), runs[0]!.id);
    expect(run?.error).toMatch(
      new RegExp(
        `^ASSUME_ROLE_FAILED: cannot assume role ${ROLE_ARN.replace(/[/.]/g, '\\$&')} \\(AccessDenied`,
      ),
    );
    expect(run?.error).toContain('external id');
    expect(h.logger.entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'scan failed; run recorded as failed',
        runId: run!.id,
        reason: run!.error,
      }),
    );
    // The readable reason names the role and says what to check, but never carries the external id itself.
    const stored = JSON.stringify([run, run?.coverage ?? null]) + loggedText();
    expect(stored).not.toContain(externalId);
    for (const secret of [ASSUMED.AccessKeyId, ASSUMED.SecretAccessKey, ASSUMED.SessionToken]) {
      expect(stored).not.toContain(secret);
    }
  });
});
