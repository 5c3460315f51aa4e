import type { SQSClient } from '@aws-sdk/client-sqs';
import { EventSourcePoller } from '../sqs/event-source-poller.ts';
import type { NotifyDeps } from './deps.ts';
import { createNotifyHandler } from './handler.ts';
import { sweepNotifications } from './sweep.ts';

export interface LocalNotifierOptions {
  deps: NotifyDeps;
  client: SQSClient;
  queueUrl: string;
  /** Invocations at once, like the notify function's maximum concurrency (default 8). */
  concurrency?: number;
  /** Messages per invocation (default 10). */
  batchSize?: number;
  /** What the handler is told its timeout is (default 60 s, the notify function's timeout). */
  functionTimeoutMs?: number;
  /** How often the sweep runs (default 60 s, like the schedule in AWS); 0 disables the timer. */
  sweepIntervalMs?: number;
  waitTimeSeconds?: number;
}

export interface LocalNotifier {
  poller: EventSourcePoller;
  /** Runs the sweep once now (the timer keeps running). */
  sweepNow(): ReturnType<typeof sweepNotifications>;
  stop(): Promise<void>;
}

/**
 * The notify function and its sweep schedule in one process: a poller that acts like Lambda's event source
 * mapping in front of the very handler the Lambda exports, and the sweep on a timer.
 */
export async function startLocalNotifier(options: LocalNotifierOptions): Promise<LocalNotifier> {
  const { deps } = options;
  const poller = new EventSourcePoller({
    client: options.client,
    queueUrl: options.queueUrl,
    handler: createNotifyHandler(deps),
    batchSize: options.batchSize ?? 10,
    concurrency: options.concurrency ?? 8,
    functionTimeoutMs: options.functionTimeoutMs ?? 60_000,
    waitTimeSeconds: options.waitTimeSeconds ?? 1,
    onError: (error) => deps.logger.error({ msg: 'notify invocation failed', error }),
  });
  let running: ReturnType<typeof sweepNotifications> | null = null;
  const sweepNow = () => {
    running ??= sweepNotifications(deps).finally(() => {
      running = null;
    });
    return running;
  };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const interval = options.sweepIntervalMs ?? 60_000;
  const tick = () => {
    sweepNow()
      .catch((error) => deps.logger.error({ msg: 'notify sweep failed', error }))
      .finally(() => {
        if (!stopped && interval > 0) timer = setTimeout(tick, interval);
      });
  };
  await poller.start();
  if (interval > 0) timer = setTimeout(tick, 0);
  return {
    poller,
    sweepNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => {});
      await poller.stop();
    },
  };
}
