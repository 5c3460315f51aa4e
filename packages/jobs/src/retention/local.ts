import type { Database } from '@vigil/db';
import type { Logger } from '../logger.ts';
import { type PruneResult, pruneHistory } from './retention.ts';

const DAY_MS = 86_400_000;

export interface LocalRetention {
  /** Prunes now (one run at a time; a call during a run joins it). */
  pruneNow(): Promise<PruneResult>;
  stop(): Promise<void>;
}

/**
 * The retention schedule of the local stack: a prune shortly after start (so a stack started once a day still
 * prunes) and then every `intervalMs` (default a day). Failures are logged and retried on the next tick.
 */
export function startLocalRetention(options: {
  db: Database;
  logger: Logger;
  retentionDays: number;
  now?: () => Date;
  intervalMs?: number;
  /** Delay of the first prune after start (default 60 s; the first scans go first). */
  firstDelayMs?: number;
}): LocalRetention {
  const interval = options.intervalMs ?? DAY_MS;
  let running: Promise<PruneResult> | null = null;
  let stopped = false;
  const deps = { db: options.db, logger: options.logger, ...(options.now ? { now: options.now } : {}) };
  const pruneNow = () => {
    running ??= pruneHistory(deps, { retentionDays: options.retentionDays }).finally(() => {
      running = null;
    });
    return running;
  };
  let timer: NodeJS.Timeout | undefined;
  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(tick, delay);
    timer.unref();
  };
  const tick = () => {
    pruneNow()
      .catch((error) => options.logger.error({ msg: 'retention failed', error }))
      .finally(() => schedule(interval));
  };
  schedule(options.firstDelayMs ?? 60_000);
  return {
    pruneNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
