import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterAuthError, collectSnapshot, InvalidSourceError } from '@vigil/collect';
import { afterEach, describe, expect, it } from 'vitest';
import { smallCluster } from '../fake-kube/fixtures.ts';
import { type FakeKube, startFakeKube } from '../fake-kube/server.ts';
import { testOptions } from './support.ts';

let fake: FakeKube | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const dir = mkdtempSync(join(tmpdir(), 'vigil-kubeconfig-'));

/** An exec credential plugin like `aws eks get-token`: prints an ExecCredential and counts its runs. */
function execPlugin(token: string, options: { fail?: boolean; hangMs?: number } = {}) {
  const script = join(dir, `plugin-${Math.random().toString(36).slice(2)}.mjs`);
  const counter = `${script}.runs`;
  writeFileSync(counter, '');
  writeFileSync(
    script,
    [
      `import { appendFileSync } from 'node:fs';`,
      `appendFileSync(${JSON.stringify(counter)}, 'x');`,
      options.hangMs ? `await new Promise((resolve) => setTimeout(resolve, ${options.hangMs}));` : '',
      options.fail
        ? `process.stderr.write('the SSO session has expired'); process.exit(1);`
        : `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: ${JSON.stringify(token)}, expirationTimestamp: new Date(Date.now() + 600000).toISOString() } }));`,
      '',
    ].join('\n'),
  );
  return { command: process.execPath, args: [script], runs: () => readFileSync(counter, 'utf8').length };
}

describe('kubeconfigs as users have them', () => {
  it('reads the CA from a file path and authenticates with a bearer token', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    const path = join(dir, 'ca-file.yaml');
    writeFileSync(path, fake.kubeconfig({ ca: 'file' }));
    const snapshot = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigPath: path },
      testOptions().options,
    );
    expect(snapshot.coverage.clusterroles?.status).toBe('complete');
    expect(new Set(fake.requests.map((r) => r.user))).toEqual(
      new Set(['system:serviceaccount:vigil:scanner']),
    );
  });

  it('authenticates with a client certificate', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    const snapshot = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigYaml: fake.kubeconfig({ auth: 'cert' }) },
      testOptions().options,
    );
    expect(snapshot.coverage.roles?.status).toBe('complete');
    expect(new Set(fake.requests.map((r) => r.user))).toEqual(new Set([fake.pki.clientUser]));
  });

  it('runs an exec credential plugin once and reuses its token across concurrent lists', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.addToken('token-from-exec-plugin', { name: 'arn:aws:iam::111122223333:role/scanner' });
    const plugin = execPlugin('token-from-exec-plugin');
    const snapshot = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigYaml: fake.kubeconfig({ auth: 'exec', exec: plugin }) },
      testOptions({ concurrency: 4 }).options,
    );
    expect(snapshot.coverage.pods?.status).toBe('complete');
    expect(new Set(fake.requests.map((r) => r.user))).toEqual(
      new Set(['arn:aws:iam::111122223333:role/scanner']),
    );
    expect(plugin.runs()).toBe(1);
  });

  it('fails with ClusterAuthError when the exec plugin fails', async () => {
    fake = await startFakeKube();
    const plugin = execPlugin('unused', { fail: true });
    const error = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigYaml: fake.kubeconfig({ auth: 'exec', exec: plugin }) },
      testOptions().options,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterAuthError);
    expect((error as Error).message).toMatch(/could not obtain credentials.*SSO session has expired/);
  });

  it('does not wait past the request time limit for an exec plugin that never finishes', async () => {
    fake = await startFakeKube();
    const plugin = execPlugin('late-token', { hangMs: 3_000 });
    const started = Date.now();
    const error = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigYaml: fake.kubeconfig({ auth: 'exec', exec: plugin }) },
      testOptions({ requestTimeoutMs: 300 }).options,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterAuthError);
    expect((error as Error).message).toMatch(/credential plugin did not finish within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(fake.requests).toHaveLength(0);
  });

  it('uses the named context instead of the current one', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.addToken('other-token-value', { name: 'other-user' });
    const snapshot = await collectSnapshot(
      {
        type: 'kubeconfig',
        kubeconfigYaml: fake.kubeconfig({ extraContexts: { staging: 'other-token-value' } }),
        context: 'staging',
      },
      testOptions().options,
    );
    expect(snapshot.cluster.name).toBe('fake');
    expect(new Set(fake.requests.map((r) => r.user))).toEqual(new Set(['other-user']));
  });

  it('names the known contexts when the requested one does not exist', async () => {
    fake = await startFakeKube();
    const error = await collectSnapshot(
      {
        type: 'kubeconfig',
        kubeconfigYaml: fake.kubeconfig({ extraContexts: { staging: 'x'.repeat(20) } }),
        context: 'prod',
      },
      testOptions().options,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSourceError);
    expect((error as Error).message).toBe(
      'context "prod" is not in the kubeconfig text (contexts: fake, staging)',
    );
  });

  it('rejects a missing file and a malformed kubeconfig without echoing its contents', async () => {
    const missing = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigPath: join(dir, 'nope.yaml') },
      testOptions().options,
    ).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InvalidSourceError);
    expect((missing as Error).message).toMatch(/nope\.yaml does not exist/);

    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzY2FubmVyIn0.c2lnbmF0dXJl';
    const broken = `users:\n- name: u\n  user:\n    token: ${token}\n  : [unbalanced\n`;
    const error = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigYaml: broken },
      testOptions().options,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSourceError);
    expect((error as InvalidSourceError).code).toBe('INVALID_SOURCE');
    expect((error as Error).message).not.toContain(token);
    expect((error as Error).message).not.toContain(token.slice(0, 12));

    const plain = 'plain0token0value0without0any0shape';
    const broken2 = `users:\n- name: u\n  user:\n    token: ${plain}\n    bad: [x\n`;
    const error2 = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigYaml: broken2 },
      testOptions().options,
    ).catch((e: unknown) => e);
    expect((error2 as Error).message).toMatch(
      /^the kubeconfig text is not a valid kubeconfig: .*\(\d+:\d+\)$/,
    );
    expect((error2 as Error).message).not.toContain(plain.slice(0, 10));
  });

  it('rejects a context without a cluster entry', async () => {
    const yaml =
      'apiVersion: v1\nkind: Config\ncurrent-context: a\ncontexts:\n- name: a\n  context: {cluster: gone, user: u}\nusers:\n- name: u\n  user: {token: t}\nclusters: []\n';
    const error = await collectSnapshot(
      { type: 'kubeconfig', kubeconfigYaml: yaml },
      testOptions().options,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSourceError);
    expect((error as Error).message).toMatch(/names cluster "gone"/);
  });
});
