import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '@vigil/api';
import { listRuns } from '@vigil/db';
import { testDatabaseUrl, useTestDatabase } from '@vigil/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../packages/cli/src/local-stack.ts';
import { runVigil } from '../../packages/cli/src/testing.ts';
import { smallCluster } from '../fake-kube/fixtures.ts';
import { type FakeKube, startFakeKube } from '../fake-kube/server.ts';
import { sleep } from './support.ts';

describe('vigil clusters without a running Vigil', () => {
  // Postgres (DATABASE_URL) keeps this quick; the embedded engine has its own test.
  const db = useTestDatabase('postgres');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-clusters-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const vigil = (...args: string[]) =>
    runVigil(['clusters', ...args], { env: { DATABASE_URL: testDatabaseUrl(db()) }, cwd: dir });

  it('writes to the embedded database in the data directory by default', async () => {
    const env = { VIGIL_DATA_DIR: '.vigil' };
    const added = await runVigil(['clusters', 'add', 'dev', '--context', 'kind-dev'], { env, cwd: dir });
    expect(added.stdout).toMatch(/^Registered dev \([0-9a-f-]{36}\) in the database in \.vigil\.\n/);
    expect((await runVigil(['clusters', 'list'], { env, cwd: dir })).stdout).toBe(
      'dev   every 1d    kubeconfig context kind-dev\n',
    );
  });

  it('registers, lists and removes clusters in the local database', async () => {
    const added = await vigil(
      'add',
      'prod',
      '--context',
      'prod-admin',
      '--kubeconfig',
      'kube.yaml',
      '--label',
      'env=prod',
      '--schedule',
      '6h',
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^Registered prod \([0-9a-f-]{36}\) in the database at DATABASE_URL\.\n/);
    expect(added.stdout).toContain('start it with `npm start`');
    const eks = await vigil(
      'add',
      'prod-eu',
      '--eks-arn',
      'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu',
      '--role-arn',
      'arn:aws:iam::111122223333:role/vigil-scanner',
      '--external-id',
      'vigil-prod-eu-4f2a',
      '--schedule',
      'manual',
    );
    expect(eks.code).toBe(0);

    const listed = await vigil('list');
    expect(listed.stdout).toBe(
      `prod     every 6h    kubeconfig context prod-admin in ${join(dir, 'kube.yaml')}\n` +
        'prod-eu  manual      eks arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu as arn:aws:iam::111122223333:role/vigil-scanner\n',
    );

    const twice = await vigil('add', 'prod', '--context', 'other');
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/already exists/);

    expect((await vigil('remove', 'prod')).code).toBe(0);
    const gone = await vigil('remove', 'prod');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/no cluster named prod/);
    expect((await vigil('scan', 'prod-eu')).stderr).toMatch(/needs a running Vigil/);
  });

  it.each([
    [['add', 'x'], /either --context .* or --eks-arn/],
    [['add', 'x', '--context', 'a', '--eks-arn', 'arn:aws:eks:eu-west-1:111122223333:cluster/x'], /either/],
    [['add', 'x', '--eks-arn', 'not-an-arn'], /not an EKS cluster ARN/],
    [['add', 'x', '--context', 'a', '--role-arn', 'arn:aws:iam::111122223333:role/r'], /go with --eks-arn/],
    [
      [
        'add',
        'x',
        '--eks-arn',
        'arn:aws:eks:eu-west-1:111122223333:cluster/x',
        '--role-arn',
        'arn:aws:iam::111122223333:role/r',
      ],
      /go together/,
    ],
    [['add', 'x', '--context', 'a', '--schedule', 'often'], /--schedule/],
    [['add', 'x', '--context', 'a', '--label', 'novalue'], /KEY=VALUE/],
    [['frobnicate', 'x'], /unknown action/],
    [['add'], /needs the cluster's NAME/],
  ])('refuses %j before touching anything', async (args, message) => {
    const result = await vigil(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('vigil clusters with the local stack running', () => {
  let dir: string;
  let stack: LocalStack;
  let fake: FakeKube;
  let key: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-clusters-live-'));
    fake = await startFakeKube({ objects: smallCluster() });
    writeFileSync(join(dir, 'kubeconfig.yaml'), fake.kubeconfig({ contextName: 'staging' }));
    key = generateApiKey().token;
    stack = await startLocalStack({
      port: 0,
      dataDir: join(dir, '.vigil'),
      corsOrigins: [],
      dispatchIntervalMs: 60_000,
      logToStderr: false,
      trustedAccountIds: [],
      secretsKeyFile: join(dir, '.vigil', 'secrets.key'),
      bootstrapAdminKey: key,
      demo: false,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('goes through the API, and the cluster it adds is scanned through the queue', async () => {
    const env = { VIGIL_DATA_DIR: '.vigil', VIGIL_API_KEY: key };
    const added = await runVigil(
      ['clusters', 'add', 'staging', '--context', 'staging', '--kubeconfig', 'kubeconfig.yaml'],
      {
        env,
        cwd: dir,
      },
    );
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(
      /Registered staging .* in the Vigil API at http:\/\/127\.0\.0\.1:\d+\.\nScan queued/,
    );
    let runs = (await listRuns(stack.db)).items;
    for (let i = 0; i < 100 && runs[0]?.status !== 'complete'; i++) {
      await sleep(100);
      runs = (await listRuns(stack.db)).items;
    }
    expect(runs[0]).toMatchObject({ status: 'complete', trigger: 'manual' });
    expect(fake.count('clusterroles')).toBeGreaterThan(0);

    const listed = await runVigil(['clusters', 'list'], { env, cwd: dir });
    expect(listed.stdout).toContain(
      `staging  every 1d    kubeconfig context staging in ${join(dir, 'kubeconfig.yaml')}`,
    );
  });

  it('asks for the API key rather than opening the database under the running server', async () => {
    const result = await runVigil(['clusters', 'list'], { env: { VIGIL_DATA_DIR: '.vigil' }, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/set VIGIL_API_KEY/);
    // The message says what to do; the usage text would only bury it.
    expect(result.stderr).not.toMatch(/^Usage: /m);
  });
});
