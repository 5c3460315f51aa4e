import type { SQSClient } from '@aws-sdk/client-sqs';
import { EventSourcePoller } from '../sqs/event-source-poller.ts';
import { clockOf, type NotifyDeps } from './deps.ts';
import { buildDailyDigest, type DailyDigestResult } from './digest.ts';
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
  /**
   * From this UTC hour on (default 6, like the digest schedule in AWS), the first sweep of each day builds the
   * daily compliance digest first; `null` turns the digest off. A restart on the same day builds nothing new.
   */
  digestHourUtc?: number | null;
  waitTimeSeconds?: number;
}

export interface LocalNotifier {
  poller: EventSourcePoller;
  /** Runs the sweep once now (the timer keeps running). */
  sweepNow(): ReturnType<typeof sweepNotifications>;
  /** Builds today's digest now if it is due and not built yet in this process (what each timer tick does). */
  digestIfDue(): Promise<DailyDigestResult | undefined>;
  stop(): Promise<void>;
}

/**
 * The notify function and its sweep and digest schedules in one process: a poller that acts like Lambda's
 * event source mapping in front of the very handler the Lambda exports, and the sweep (with the daily digest
 * once it is due) on a timer.
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
  const clock = clockOf(deps);
  const digestHour = options.digestHourUtc === undefined ? 6 : options.digestHourUtc;
  let digestedDay: string | undefined;
  const digestIfDue = async () => {
    if (digestHour === null) return undefined;
    const now = clock();
    const day = now.toISOString().slice(0, 10);
    if (day === digestedDay || now.getUTCHours() < digestHour) return undefined;
    const result = await buildDailyDigest(deps.db, now);
    digestedDay = day;
    if (result.deliveries > 0) deps.logger.info({ msg: 'daily digest built', ...result });
    return result;
  };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const interval = options.sweepIntervalMs ?? 60_000;
  let ticking: Promise<unknown> | undefined;
  const tick = () => {
    ticking = digestIfDue()
      .catch((error) => deps.logger.error({ msg: 'daily digest failed', error }))
      .then(() => sweepNow())
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
    digestIfDue,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await ticking?.catch(() => {});
      await running?.catch(() => {});
      await poller.stop();
    },
  };
}
