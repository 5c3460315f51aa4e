import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getRun, listRuns } from '@vigil/db';
import { testDatabaseUrl, useTestDatabase } from '@vigil/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallCluster } from '../fake-kube/fixtures.ts';
import { type FakeKube, startFakeKube } from '../fake-kube/server.ts';
import { type Harness, sleep, startHarness, storedFingerprints } from './support.ts';

const WORKER = fileURLToPath(new URL('./crash-worker.ts', import.meta.url));
const NODE = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url));

// RELIABILITY 6 with a real crash: the process scanning a cluster is killed (SIGKILL, no cleanup), its
// message becomes visible again after the visibility timeout, and another consumer finishes the run.
// Postgres only: the embedded engine cannot be shared between two processes.
describe('a scan whose process is killed mid-scan', () => {
  const db = useTestDatabase('postgres');
  let h: Harness;
  let fake: FakeKube;
  let worker: ChildProcess | undefined;

  beforeAll(async () => {
    h = await startHarness(db(), { maxReceiveCount: 5 });
    fake = await startFakeKube({ objects: smallCluster() });
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await fake.close();
    await h.close();
  });

  it('is redelivered and ends with one terminal run, its attempts counted, no duplicate findings', async () => {
    const cluster = await h.kubeCluster(fake);
    // The first scan hangs on pods long enough to be killed in the middle of it.
    fake.inject('pods', { delayMs: 30_000, times: 1 });
    await h.send([{ clusterId: cluster.id, slot: 'manual:killed', trigger: 'manual' }]);

    worker = spawn(NODE, [WORKER, testDatabaseUrl(db()), h.sqs.endpoint, h.queueUrl], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    worker.stderr?.on('data', (chunk) => {
      output += String(chunk);
    });
    const until = Date.now() + 20_000;
    let running = false;
    while (!running && Date.now() < until) {
      const [run] = (await listRuns(db(), { clusterIds: [cluster.id] })).items;
      running = run?.status === 'running' && fake.count('pods') > 0;
      if (!running) await sleep(100);
    }
    expect(running, `the worker never started the scan:\n${output}`).toBe(true);
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGKILL');
    await exited;

    // The killed worker never deleted its message: after the visibility timeout it is delivered again.
    await h.pollUntilEmpty(h.poller(h.handler()));
    const runs = (await listRuns(db(), { clusterIds: [cluster.id] })).items;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'complete', attempts: 2 });
    const run = await getRun(db(), runs[0]!.id);
    expect(run?.coverage?.pods).toMatchObject({ status: 'complete' });
    const findings = await storedFingerprints(db(), runs[0]!.id);
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings).size).toBe(findings.length);
  });
});
