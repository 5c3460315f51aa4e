import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createCluster, deleteCluster, ensureRun, failRun, listRuns, scheduleSlot } from '@vigil/db';
import { TEST_ENGINES, useTestDatabase } from '@vigil/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, silentLogger } from '../logger.ts';
import { parseScanMessage, type ScanMessage } from '../messages/scan-message.ts';
import { type LocalSqs, startLocalSqs } from '../sqs/local-sqs.ts';
import { SqsScanQueue } from '../sqs/scan-queue.ts';
import { dispatchDueScans, requeueUnfinishedRuns, spreadDelay } from './dispatch.ts';

const NOW = new Date('2026-03-05T10:30:00.000Z');
const DAY = 86_400;

describe.each(TEST_ENGINES)('dispatchDueScans on %s', (engine) => {
  const db = useTestDatabase(engine);
  let sqs: LocalSqs;
  let queueUrl: string;
  let run = 0;

  beforeAll(async () => {
    sqs = await startLocalSqs([{ name: 'scan', visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }]);
    queueUrl = sqs.queues.scan!.url;
  });
  afterAll(async () => {
    await sqs.close();
  });

  async function drain(): Promise<ScanMessage[]> {
    const out: ScanMessage[] = [];
    for (;;) {
      const received = await sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
      );
      if (!received.Messages?.length) return out;
      out.push(...received.Messages.map((m) => parseScanMessage(m.Body!)));
    }
  }

  /** A fresh fleet per test, told apart by a label; dispatch sees every test's clusters, so filter. */
  async function fleet(specs: { interval: number | null; enabled?: boolean }[]) {
    const tag = `t${++run}`;
    const clusters = [];
    for (const [i, spec] of specs.entries()) {
      clusters.push(
        await createCluster(db(), {
          name: `${engine}-${tag}-${i}`,
          source: { type: 'snapshot', path: `/demo/${i}` },
          scheduleIntervalSeconds: spec.interval,
          enabled: spec.enabled ?? true,
        }),
      );
    }
    return clusters;
  }

  function deps(now = NOW, logger = silentLogger) {
    return { db: db(), queue: new SqsScanQueue({ client: sqs.client, queueUrl }), logger, now: () => now };
  }

  it('sends one message per due cluster for the slot its own schedule puts now in', async () => {
    await drain();
    const [daily, hourly, manualOnly, disabled, deleted] = await fleet([
      { interval: DAY },
      { interval: 3_600 },
      { interval: null },
      { interval: DAY, enabled: false },
      { interval: DAY },
    ]);
    await deleteCluster(db(), deleted!.id);
    const logger = memoryLogger();
    const result = await dispatchDueScans(deps(NOW, logger));
    const mine = (await drain()).filter((m) =>
      [daily, hourly, manualOnly, disabled, deleted].some((c) => c!.id === m.clusterId),
    );
    expect(mine.sort((a, b) => a.slot.localeCompare(b.slot))).toEqual([
      { v: 1, clusterId: daily!.id, slot: '2026-03-05T00:00:00.000Z', trigger: 'schedule' },
      { v: 1, clusterId: hourly!.id, slot: '2026-03-05T10:00:00.000Z', trigger: 'schedule' },
    ]);
    expect(result.failed).toEqual([]);
    expect(result.sent).toBe(result.due);
    expect(logger.entries.at(-1)).toMatchObject({ level: 'info', msg: 'dispatch finished', due: result.due });
  });

  it('skips clusters that already have a run for their current slot, whatever its status', async () => {
    await drain();
    const [queued, failed, fresh, older] = await fleet([
      { interval: DAY },
      { interval: DAY },
      { interval: DAY },
      { interval: DAY },
    ]);
    const slot = scheduleSlot(NOW, DAY);
    await ensureRun(db(), { clusterId: queued!.id, slot, trigger: 'schedule' });
    await failRun(db(), { clusterId: failed!.id, slot, trigger: 'schedule', reason: 'x' });
    // A run for yesterday's slot does not count for today's.
    await ensureRun(db(), {
      clusterId: older!.id,
      slot: scheduleSlot(new Date(NOW.getTime() - DAY * 1000), DAY),
      trigger: 'schedule',
    });
    // A manual run does not stand in for the scheduled one.
    await ensureRun(db(), { clusterId: fresh!.id, slot: 'manual:1', trigger: 'manual' });
    await dispatchDueScans(deps());
    const ids = new Set((await drain()).map((m) => m.clusterId));
    expect(ids.has(queued!.id)).toBe(false);
    expect(ids.has(failed!.id)).toBe(false);
    expect(ids.has(fresh!.id)).toBe(true);
    expect(ids.has(older!.id)).toBe(true);
  });

  it('names the same run from two dispatcher runs in one slot, and the next slot after it', async () => {
    await drain();
    const [cluster] = await fleet([{ interval: DAY }]);
    await dispatchDueScans(deps(new Date('2026-03-05T01:00:00Z')));
    await dispatchDueScans(deps(new Date('2026-03-05T23:00:00Z')));
    await dispatchDueScans(deps(new Date('2026-03-06T00:00:01Z')));
    const slots = (await drain()).filter((m) => m.clusterId === cluster!.id).map((m) => m.slot);
    expect(slots).toEqual([
      '2026-03-05T00:00:00.000Z',
      '2026-03-05T00:00:00.000Z',
      '2026-03-06T00:00:00.000Z',
    ]);
  });

  it('reads the fleet page by page and sends every due cluster exactly once', async () => {
    await drain();
    const clusters = await fleet(Array.from({ length: 130 }, () => ({ interval: DAY })));
    const result = await dispatchDueScans(deps(), { pageSize: 50 });
    const messages = (await drain()).filter((m) => clusters.some((c) => c.id === m.clusterId));
    expect(messages).toHaveLength(130);
    expect(new Set(messages.map((m) => m.clusterId)).size).toBe(130);
    expect(result.batchCalls).toBeGreaterThanOrEqual(13);
  });

  it('queues again the runs a previous process left queued or running', async () => {
    await drain();
    const [a, b, c] = await fleet([{ interval: DAY }, { interval: DAY }, { interval: DAY }]);
    await ensureRun(db(), { clusterId: a!.id, slot: 'manual:a', trigger: 'manual' });
    await ensureRun(db(), { clusterId: b!.id, slot: '2026-03-05T00:00:00.000Z', trigger: 'schedule' });
    await failRun(db(), { clusterId: c!.id, slot: 'manual:c', trigger: 'manual', reason: 'x' });
    const summary = await requeueUnfinishedRuns(deps());
    const mine = (await drain()).filter((m) => [a, b, c].some((x) => x!.id === m.clusterId));
    expect(mine.map((m) => [m.clusterId, m.slot, m.trigger]).sort()).toEqual(
      [
        [a!.id, 'manual:a', 'manual'],
        [b!.id, '2026-03-05T00:00:00.000Z', 'schedule'],
      ].sort(),
    );
    expect(summary.found).toBeGreaterThanOrEqual(2);
    expect((await listRuns(db(), { clusterIds: [c!.id] })).items[0]?.status).toBe('failed');
  });
});

describe('spreadDelay', () => {
  it('stays within the spread and is the same for a (cluster, slot) on every run', () => {
    const delays = Array.from({ length: 500 }, (_, i) => spreadDelay(`cluster-${i}`, 'slot', 900));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(900);
    expect(new Set(delays).size).toBeGreaterThan(300);
    expect(spreadDelay('cluster-1', 'slot', 900)).toBe(delays[1]);
    expect(spreadDelay('cluster-1', 'slot', 0)).toBe(0);
  });
});
