import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '@vigil/api';
import {
  closeDatabase,
  createCluster,
  getClusterByName,
  getRun,
  listClusters,
  listRuns,
  openDatabase,
  updateCluster,
} from '@vigil/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../packages/cli/src/local-stack.ts';
import { referenceFingerprints, sleep, storedFingerprints } from './support.ts';

const ROOT = join(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');

function stackOptions(dataDir: string) {
  return {
    port: 0,
    dataDir,
    corsOrigins: [],
    dispatchIntervalMs: 60_000,
    logToStderr: false,
    trustedAccountIds: [],
    secretsKeyFile: join(dataDir, 'secrets.key'),
    generatedAdminKey: () => generateApiKey().token,
  };
}

// The local stack (`npm start`) in-process: demo fleet registered on the first start and scanned through
// the real queue, the API in front of the same database, a clean stop, and a restart that keeps it all.
describe('the local stack', () => {
  let dataDir: string;
  let stack: LocalStack | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-stack-'));
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers the demo fleet on the first start and scans it through the queue', async () => {
    stack = await startLocalStack(stackOptions(dataDir));
    expect(stack.firstStart).toBe(true);
    expect(stack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.demoClusters.map((c) => c.name)).toEqual(['prod-eu', 'prod-us', 'staging-onprem']);
    const runs = await stack.waitForDemoScans(90_000);
    expect(runs.map((r) => [r.status, r.trigger])).toEqual([
      ['complete', 'schedule'],
      ['complete', 'schedule'],
      ['complete', 'schedule'],
    ]);
    // The pipeline finds what one clean audit with the cluster's stored exceptions finds.
    for (const cluster of stack.demoClusters) {
      const run = runs.find((r) => r.clusterId === cluster.id)!;
      expect((await storedFingerprints(stack.db, run.id)).sort()).toEqual(
        (await referenceFingerprints(stack.db, cluster)).sort(),
      );
    }
    const prodEu = runs.find((r) => r.clusterId === stack!.demoClusters[0]!.id)!;
    expect(prodEu.findingsSuppressed).toBeGreaterThan(0);
  });

  it('serves the API with the admin key it printed, and queues on-demand scans through the same pipeline', async () => {
    const key = stack!.generatedAdminKey!;
    expect(key).toMatch(/^vgl_/);
    const auth = { authorization: `Bearer ${key}` };
    expect((await fetch(`${stack!.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${stack!.url}/v1/clusters`)).status).toBe(401);
    const clusters = (await (await fetch(`${stack!.url}/v1/clusters`, { headers: auth })).json()) as {
      items: { id: string; name: string }[];
    };
    expect(clusters.items.map((c) => c.name)).toEqual(['prod-eu', 'prod-us', 'staging-onprem']);

    // The notification routes are served too (their service is wired, not 503).
    expect((await fetch(`${stack!.url}/v1/subscriptions`, { headers: auth })).status).toBe(200);

    const prodUs = clusters.items.find((c) => c.name === 'prod-us')!;
    const requested = await fetch(`${stack!.url}/v1/clusters/${prodUs.id}/scans`, {
      method: 'POST',
      headers: auth,
    });
    expect(requested.status).toBe(202);
    const { runId: id, slot } = (await requested.json()) as { runId: string; slot: string };
    expect(slot).toMatch(/^manual:/);
    let run = await getRun(stack!.db, id);
    for (let i = 0; i < 100 && run && !['complete', 'partial', 'failed'].includes(run.status); i++) {
      await sleep(100);
      run = await getRun(stack!.db, id);
    }
    expect(run).toMatchObject({ status: 'complete', trigger: 'manual' });
  });

  it('refuses a second start on the same data directory while the first runs', async () => {
    await expect(startLocalStack(stackOptions(dataDir))).rejects.toThrow(/already running/);
  });

  it('stops cleanly and starts again with every cluster, run and key kept', async () => {
    const key = stack!.generatedAdminKey!;
    const before = (await listRuns(stack!.db, { limit: 500 })).items.length;
    await stack!.stop();
    stack = await startLocalStack(stackOptions(dataDir));
    expect(stack.firstStart).toBe(false);
    expect(stack.generatedAdminKey).toBeUndefined();
    expect(stack.demoClusters).toEqual([]);
    expect((await listClusters(stack.db)).items.map((c) => c.name)).toEqual([
      'prod-eu',
      'prod-us',
      'staging-onprem',
    ]);
    // Today's slot was scanned already: the dispatcher on the new start queues nothing new.
    await stack.pipeline.dispatchNow();
    expect((await listRuns(stack.db, { limit: 500 })).items.length).toBe(before);
    const response = await fetch(`${stack.url}/v1/clusters`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
  });

  it('points the demo clusters at this checkout when the data was kept from another one', async () => {
    const key = stack!.generatedAdminKey ?? null;
    await stack!.stop();
    stack = undefined;
    // As if the repository had been cloned elsewhere before and VIGIL_DATA_DIR kept: a stale absolute path.
    const db = await openDatabase({ dataDir: join(dataDir, 'data') });
    const prodEu = (await getClusterByName(db, 'prod-eu'))!;
    await updateCluster(db, prodEu.id, {
      source: { type: 'snapshot', path: '/old/checkout/demo/clusters/prod-eu' },
    });
    const other = await createCluster(db, {
      name: 'not-demo',
      source: { type: 'snapshot', path: '/somewhere/else' },
    });
    await closeDatabase(db);

    stack = await startLocalStack(stackOptions(dataDir));
    expect(key).toBeNull();
    expect((await getClusterByName(stack.db, 'prod-eu'))?.source).toEqual({
      type: 'snapshot',
      path: join(ROOT, 'demo/clusters/prod-eu'),
    });
    // Only demo clusters are touched.
    expect((await getClusterByName(stack.db, 'not-demo'))?.source).toEqual(other.source);
    const { runId } = await stack.pipeline.scans.requestScan({
      clusterId: prodEu.id,
      requestedBy: 'test',
    });
    let run = await getRun(stack.db, runId);
    for (let i = 0; i < 100 && run && !['complete', 'partial', 'failed'].includes(run.status); i++) {
      await sleep(100);
      run = await getRun(stack.db, runId);
    }
    expect(run).toMatchObject({ status: 'complete' });
  });
});

// `npm start` itself: the real command in its own process, stopped with Ctrl-C.
describe('vigil serve', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-serve-'));
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the URL, the docs link and the admin key, scans the demo fleet, and exits 0 on Ctrl-C', async () => {
    child = spawn(NODE, [join(ROOT, 'packages/cli/src/bin.ts'), 'serve'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', VIGIL_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const until = Date.now() + 90_000;
    while (!stdout.includes('Demo fleet scanned') && Date.now() < until) await sleep(200);
    expect(stdout, stderr).toContain('Demo fleet scanned: 3 clusters');
    const url = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    expect(url).toBeDefined();
    expect(stdout).toContain(`${url}/docs`);
    const key = /\n {2}(vgl_\S+)\n/.exec(stdout)?.[1];
    expect(key).toBeDefined();
    expect((await fetch(`${url}/v1/clusters`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
      200,
    );

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toContain('Stopped.');
    expect(stderr).toBe('');
  });
});
