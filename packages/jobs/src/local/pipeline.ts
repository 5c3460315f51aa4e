import type { Database } from '@vigil/db';
import { type DispatchResult, dispatchDueScans, requeueUnfinishedRuns } from '../dispatch/dispatch.ts';
import type { Logger } from '../logger.ts';
import { createScanHandler, type ScanDeps } from '../scan/index.ts';
import { createScanRequester, type ScanRequester } from '../scan-requester.ts';
import { EventSourcePoller } from '../sqs/event-source-poller.ts';
import { type LocalSqs, startLocalSqs } from '../sqs/local-sqs.ts';
import { sqsNotifyNudge } from '../sqs/notify-nudge.ts';
import { SqsScanQueue } from '../sqs/scan-queue.ts';

/** The queues of the pipeline, as infra/queues.ts defines them in AWS. */
export const SCAN_QUEUE = 'vigil-scan';
export const NOTIFY_QUEUE = 'vigil-notify';

export interface LocalPipelineOptions extends Omit<ScanDeps, 'db' | 'logger'> {
  db: Database;
  logger: Logger;
  /** Port of the in-process SQS server (0: any free port). */
  sqsPort?: number;
  scan?: {
    /** What the handler is told its timeout is, as Lambda would (default 120 s). */
    functionTimeoutMs?: number;
    /** Messages per invocation, like the event source mapping's batch size (default 5). */
    batchSize?: number;
    /** Invocations at once, like the mapping's maximum concurrency (default 2). */
    concurrency?: number;
    /** Deliveries before a message moves to the DLQ (default 5). */
    maxReceiveCount?: number;
  };
  dispatch?: {
    /** How often the dispatcher looks for due clusters (default 60 s); 0 disables the timer. */
    intervalMs?: number;
    spreadSeconds?: number;
  };
  /** Queue again the runs a previous process left queued or running (default true). */
  requeueOnStart?: boolean;
}

export interface LocalPipeline {
  sqs: LocalSqs;
  scanQueueUrl: string;
  notifyQueueUrl: string;
  /** The API's port for on-demand scans, over the same queue. */
  scans: ScanRequester;
  /** Runs the dispatcher once now (the timer keeps running). */
  dispatchNow(): Promise<DispatchResult>;
  /** Stops the timer and the poller (finishing the batch in flight), then the SQS server. */
  stop(): Promise<void>;
}

/**
 * The AWS pipeline in one process, with nothing faked beyond the service edges: an SQS server speaking the
 * real wire protocol (queues with dead-letter queues and redrive, visibility 6x the scanner's timeout), a
 * poller that behaves like Lambda's SQS event source mapping in front of the very scan handler the Lambda
 * function exports, and the dispatcher on a timer instead of EventBridge Scheduler.
 */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const { db, logger } = options;
  const functionTimeoutMs = options.scan?.functionTimeoutMs ?? 120_000;
  const maxReceiveCount = options.scan?.maxReceiveCount ?? 5;
  const visibilityTimeoutSeconds = Math.ceil((6 * functionTimeoutMs) / 1000);
  const sqs = await startLocalSqs(
    [
      { name: SCAN_QUEUE, visibilityTimeoutSeconds, maxReceiveCount },
      { name: NOTIFY_QUEUE, visibilityTimeoutSeconds: 6 * 30, maxReceiveCount },
    ],
    options.sqsPort ?? 0,
  );
  const scanQueueUrl = sqs.queues[SCAN_QUEUE]!.url;
  const queue = new SqsScanQueue({ client: sqs.client, queueUrl: scanQueueUrl });
  const { sqsPort: _port, scan: _scan, dispatch: _dispatch, requeueOnStart: _requeue, ...scanDeps } = options;
  const notifyQueueUrl = sqs.queues[NOTIFY_QUEUE]!.url;
  const handler = createScanHandler({
    nudgeNotifications: sqsNotifyNudge({ client: sqs.client, queueUrl: notifyQueueUrl }),
    ...scanDeps,
    maxReceiveCount,
  });
  const poller = new EventSourcePoller({
    client: sqs.client,
    queueUrl: scanQueueUrl,
    handler,
    batchSize: options.scan?.batchSize ?? 5,
    concurrency: options.scan?.concurrency ?? 2,
    functionTimeoutMs,
    waitTimeSeconds: 1,
    onError: (error) => logger.error({ msg: 'scan invocation failed', error }),
  });
  const deps = { db, queue, logger, ...(options.now ? { now: options.now } : {}) };
  const spreadSeconds = options.dispatch?.spreadSeconds ?? 0;

  let running: Promise<DispatchResult> | null = null;
  const dispatchNow = () => {
    // One dispatcher run at a time, as a schedule with a single target would behave.
    running ??= dispatchDueScans(deps, { spreadSeconds }).finally(() => {
      running = null;
    });
    return running;
  };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const intervalMs = options.dispatch?.intervalMs ?? 60_000;
  const tick = () => {
    dispatchNow()
      .catch((error) => logger.error({ msg: 'dispatch failed', error }))
      .finally(() => {
        if (!stopped && intervalMs > 0) timer = setTimeout(tick, intervalMs);
      });
  };

  try {
    if (options.requeueOnStart ?? true) await requeueUnfinishedRuns(deps);
    await poller.start();
  } catch (error) {
    await sqs.close().catch(() => {});
    throw error;
  }
  if (intervalMs > 0) timer = setTimeout(tick, 0);

  return {
    sqs,
    scanQueueUrl,
    notifyQueueUrl,
    scans: createScanRequester({ db, queue, logger }),
    dispatchNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => {});
      await poller.stop();
      await sqs.close();
    },
  };
}
