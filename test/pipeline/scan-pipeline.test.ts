import { randomUUID } from 'node:crypto';
import {
  deleteCluster,
  getRun,
  listOutboxEvents,
  listRuns,
  type OutboxEvent,
  type ScanRunSummary,
} from '@vigil/db';
import { TEST_ENGINES, useTestDatabase } from '@vigil/db/testing';
import { dispatchDueScans, type SqsBatchResponse, SqsScanQueue, silentLogger } from '@vigil/jobs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { smallCluster } from '../fake-kube/fixtures.ts';
import { type FakeKube, startFakeKube } from '../fake-kube/server.ts';
import { type Harness, referenceFingerprints, sleep, startHarness, storedFingerprints } from './support.ts';

// The scan pipeline end to end over the real SQS wire protocol: messages go through the local SQS server,
// a poller plays Lambda's event source mapping, and the handler is the one the scan function exports.
describe.each(TEST_ENGINES)('the scan pipeline on %s', (engine) => {
  const db = useTestDatabase(engine);
  let h: Harness;
  let fake: FakeKube | undefined;

  beforeAll(async () => {
    h = await startHarness(db(), { maxReceiveCount: 3 });
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    // Each test starts with empty queues.
    await h.pollUntilEmpty(h.poller(h.handler()), 30_000).catch(() => {});
  });

  /** What makes an outbox event unique within a run: its type and what it is about. */
  function eventKey(event: OutboxEvent): string {
    const payload = event.payload as { fingerprint?: string; qualifiedId?: string };
    return `${event.type} ${payload.fingerprint ?? payload.qualifiedId ?? ''}`;
  }

  async function runsOf(clusterId: string): Promise<ScanRunSummary[]> {
    return (await listRuns(db(), { clusterIds: [clusterId] })).items;
  }

  // First in the block: the dispatcher sees every cluster of the database, and here there is only this one.
  it('scans two dispatcher runs of one schedule slot into one run', async () => {
    const cluster = await h.demoCluster('staging-onprem', { scheduleIntervalSeconds: 3_600 });
    const queue = new SqsScanQueue({ client: h.sqs.client, queueUrl: h.queueUrl });
    const deps = { db: db(), queue, logger: silentLogger, now: () => new Date('2026-03-05T10:05:00Z') };
    const first = await dispatchDueScans(deps);
    const second = await dispatchDueScans({ ...deps, now: () => new Date('2026-03-05T10:55:00Z') });
    expect(first.sent).toBeGreaterThanOrEqual(1);
    expect(second.sent).toBeGreaterThanOrEqual(1);
    await h.pollUntilEmpty(h.poller(h.handler()));
    const runs = await runsOf(cluster.id);
    expect(runs.map((r) => [r.slot, r.trigger, r.status])).toEqual([
      ['2026-03-05T10:00:00.000Z', 'schedule', 'complete'],
    ]);
  });

  it('records one run with the findings of one clean audit when a message is delivered twice', async () => {
    const cluster = await h.demoCluster('prod-eu');
    const message = { clusterId: cluster.id, slot: '2026-03-01T00:00:00.000Z', trigger: 'schedule' as const };
    const poller = h.poller(h.handler(), { batchSize: 1 });
    await h.send([message]);
    await h.pollUntilEmpty(poller);
    await h.send([message]);
    await h.pollUntilEmpty(poller);

    const runs = await runsOf(cluster.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'complete', attempts: 1, slot: message.slot });
    const stored = await storedFingerprints(db(), runs[0]!.id);
    expect(stored.sort()).toEqual((await referenceFingerprints(db(), cluster)).sort());
    expect(h.logger.entries).toContainEqual(
      expect.objectContaining({ msg: 'run already final; nothing to do', clusterId: cluster.id }),
    );
  });

  it('nudges the notifier once per finalised run, and a failed nudge never fails the scan', async () => {
    const cluster = await h.demoCluster('prod-us');
    const message = { clusterId: cluster.id, slot: 'manual:nudge', trigger: 'manual' as const };
    let nudges = 0;
    const handler = h.handler({
      nudgeNotifications: async () => {
        nudges++;
        throw new Error('notify queue unreachable');
      },
    });
    await h.send([message, message]);
    await h.pollUntilEmpty(h.poller(handler, { batchSize: 1 }));
    expect(nudges).toBe(1);
    expect((await runsOf(cluster.id))[0]?.status).toBe('complete');
    expect(h.logger.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'could not nudge the notifier; the sweep will deliver' }),
    );
  });

  it('records one run with identical findings when two deliveries of a message are scanned concurrently', async () => {
    const cluster = await h.demoCluster('staging-onprem');
    const message = { clusterId: cluster.id, slot: 'manual:concurrent', trigger: 'manual' as const };
    await h.send([message, message]);
    // Two consumers of one queue, each handed one copy at the same moment: two Lambda invocations.
    const first = h.poller(h.handler(), { batchSize: 1 });
    const second = h.poller(h.handler(), { batchSize: 1 });
    const handled = await Promise.all([first.pollOnce(), second.pollOnce()]);
    expect(handled).toEqual([1, 1]);
    expect(await h.depth(h.queueUrl)).toBe(0);

    const runs = await runsOf(cluster.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe('complete');
    // Both deliveries usually claim the run before either records it (2 attempts); on a loaded machine the
    // first can finish before the second claims, which then finds the run final (1). Either way: one run,
    // each finding and each event once.
    expect([1, 2]).toContain(runs[0]?.attempts);
    const stored = await storedFingerprints(db(), runs[0]!.id);
    expect(new Set(stored).size).toBe(stored.length);
    expect(stored.sort()).toEqual((await referenceFingerprints(db(), cluster)).sort());
    const events = (await listOutboxEvents(db(), { runId: runs[0]!.id, limit: 500 })).items;
    expect(new Set(events.map(eventKey)).size).toBe(events.length);
  });

  it('names the message that failed, and only it, when message 2 of 3 fails', async () => {
    const ok1 = await h.demoCluster('prod-us');
    const unreachable = await h.kubeCluster(null, { server: 'https://127.0.0.1:1' });
    const ok2 = await h.demoCluster('staging-onprem');
    await h.send(
      [ok1, unreachable, ok2].map((c) => ({
        clusterId: c.id,
        slot: 'manual:partial',
        trigger: 'manual' as const,
      })),
    );
    const handler = h.handler();
    const responses: SqsBatchResponse[] = [];
    const ids: Record<string, string> = {};
    const poller = h.poller(async (event, context) => {
      for (const record of event.Records) ids[JSON.parse(record.body).clusterId] = record.messageId;
      const response = await handler(event, context);
      responses.push(response);
      return response;
    });
    expect(await poller.pollOnce()).toBe(3);
    expect(responses).toEqual([{ batchItemFailures: [{ itemIdentifier: ids[unreachable.id] }] }]);
    expect((await runsOf(ok1.id))[0]?.status).toBe('complete');
    expect((await runsOf(ok2.id))[0]?.status).toBe('complete');
    expect((await runsOf(unreachable.id))[0]).toMatchObject({ status: 'running', attempts: 1 });
    expect(await h.depth(h.queueUrl)).toBe(1);
  });

  it('fails a transiently failing scan for good on the last delivery instead of leaving it running', async () => {
    const unreachable = await h.kubeCluster(null, { server: 'https://127.0.0.1:1' });
    await h.send([{ clusterId: unreachable.id, slot: 'manual:gives-up', trigger: 'manual' }]);
    await h.pollUntilEmpty(h.poller(h.handler()));
    const [run] = await runsOf(unreachable.id);
    expect(run).toMatchObject({ status: 'failed', attempts: 3 });
    expect(run?.error).toMatch(/^gave up after 3 deliveries: CLUSTER_UNREACHABLE: /);
    expect(await h.deadLetters()).toEqual([]);
  });

  it('moves a malformed message to the dead-letter queue after maxReceiveCount, scanning its batch mates', async () => {
    const cluster = await h.demoCluster('prod-us');
    const good = JSON.stringify({ v: 1, clusterId: cluster.id, slot: 'manual:mate', trigger: 'manual' });
    const poison = '{"v":1,"clusterId":"not-a-uuid"';
    await h.sendRaw([poison, good]);
    await h.pollUntilEmpty(h.poller(h.handler()));
    expect((await runsOf(cluster.id))[0]?.status).toBe('complete');
    expect(await h.deadLetters()).toEqual([poison]);
    expect(h.logger.entries.filter((e) => e.msg === 'malformed scan message')).toHaveLength(3);
  });

  it('ends a scan interrupted inside its recording transaction, then redelivered, with one run and no duplicates', async () => {
    const cluster = await h.demoCluster('prod-eu');
    let crashes = 0;
    const crashing = h.handler({
      recordOptions: {
        faults: {
          afterLifecycle: () => {
            if (crashes++ === 0) throw new Error('process killed while recording');
          },
        },
      },
    });
    await h.send([{ clusterId: cluster.id, slot: 'manual:crash', trigger: 'manual' }]);
    await h.pollUntilEmpty(h.poller(crashing));

    expect(crashes).toBe(2);
    const runs = await runsOf(cluster.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'complete', attempts: 2 });
    const stored = await storedFingerprints(db(), runs[0]!.id);
    expect(stored.sort()).toEqual((await referenceFingerprints(db(), cluster)).sort());
    const events = (await listOutboxEvents(db(), { runId: runs[0]!.id, limit: 500 })).items;
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map(eventKey)).size).toBe(events.length);
  });

  it('records what it read as partial when the deadline comes before a kind is read, never complete', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('pods', { delayMs: 4_000 });
    const cluster = await h.kubeCluster(fake);
    await h.send([{ clusterId: cluster.id, slot: 'manual:deadline', trigger: 'manual' }]);
    // The function has 2.5 s; 0.5 s are kept for audit and recording, so collection stops after ~2 s.
    const poller = h.poller(h.handler(), { functionTimeoutMs: 2_500 });
    const started = Date.now();
    await poller.pollOnce();
    expect(Date.now() - started).toBeLessThan(2_500);

    const [summary] = await runsOf(cluster.id);
    expect(summary?.status).toBe('partial');
    const run = await getRun(db(), summary!.id);
    expect(run?.coverage?.pods).toMatchObject({ status: 'timed_out' });
    expect(run?.coverage?.clusterroles).toMatchObject({ status: 'complete' });
    const podChecks = run?.checks?.filter((c) => c.status === 'not_evaluated' && /pods/.test(c.reason ?? ''));
    expect(podChecks?.length).toBeGreaterThan(0);
    expect(await h.depth(h.queueUrl)).toBe(0);
  });

  it('does not start a scan with too little time left; the message comes back', async () => {
    const cluster = await h.demoCluster('prod-us');
    await h.send([{ clusterId: cluster.id, slot: 'manual:late', trigger: 'manual' }]);
    await h.poller(h.handler(), { functionTimeoutMs: 550 }).pollOnce();
    expect(await runsOf(cluster.id)).toEqual([]);
    expect(await h.depth(h.queueUrl)).toBe(1);
    await sleep(1_100);
    await h.pollUntilEmpty(h.poller(h.handler()));
    expect((await runsOf(cluster.id))[0]?.status).toBe('complete');
  });

  it('never lets one failing cluster affect the others in its batch', async () => {
    fake = await startFakeKube({ objects: smallCluster() });
    fake.inject('version', { body: '<html>login page</html>' });
    const good = await h.demoCluster('prod-eu');
    const garbage = await h.kubeCluster(fake);
    const deleted = await h.demoCluster('prod-us');
    await deleteCluster(db(), deleted.id);
    const disabled = await h.demoCluster('staging-onprem', { enabled: false });
    const unknown = randomUUID();
    const clusters = [good.id, garbage.id, deleted.id, disabled.id, unknown];
    await h.send(clusters.map((id) => ({ clusterId: id, slot: 'manual:mixed', trigger: 'manual' as const })));

    const handler = h.handler();
    const responses: SqsBatchResponse[] = [];
    const poller = h.poller(async (event, context) => {
      const response = await handler(event, context);
      responses.push(response);
      return response;
    });
    expect(await poller.pollOnce()).toBe(5);
    expect(responses).toEqual([{ batchItemFailures: [] }]);
    expect(await h.depth(h.queueUrl)).toBe(0);

    expect((await runsOf(good.id))[0]).toMatchObject({ status: 'complete' });
    expect((await runsOf(garbage.id))[0]).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^INVALID_RESPONSE: /),
    });
    const deletedRuns = (await listRuns(db(), { clusterIds: [deleted.id] })).items;
    expect(deletedRuns[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/was deleted/) });
    expect((await runsOf(disabled.id))[0]).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/disabled/),
    });
    expect(h.logger.entries).toContainEqual(
      expect.objectContaining({ msg: 'scan message for an unknown cluster dropped', clusterId: unknown }),
    );
    expect(await h.deadLetters()).toEqual([]);
  });
});
