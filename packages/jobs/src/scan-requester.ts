import { randomUUID } from 'node:crypto';
import { type Database, ensureRun, failRun } from '@vigil/db';
import { QueueSendError } from './errors.ts';
import type { Logger } from './logger.ts';
import { manualSlot } from './messages/scan-message.ts';
import type { ScanQueue } from './sqs/scan-queue.ts';

/**
 * The API's port for on-demand scans (ApiDeps.scans in @vigil/api), implemented over the scan queue: an
 * on-demand scan takes exactly the path a scheduled one does.
 */
export interface ScanRequester {
  requestScan(input: { clusterId: string; requestedBy: string }): Promise<{ runId: string; slot: string }>;
}

export interface ScanRequesterDeps {
  db: Database;
  queue: ScanQueue;
  logger: Logger;
  /** Makes the manual slot's id (tests pin it). */
  newId?: () => string;
}

/**
 * Creates the queued run for a fresh `manual:<id>` slot and sends its scan message. Each request is its own
 * run. A deleted or unknown cluster is the store's NotFoundError (the API answers 404). If the message
 * cannot be sent the run is failed at once (so it never sits `queued` with no message) and QueueSendError
 * is thrown (the API answers 503).
 */
export function createScanRequester(deps: ScanRequesterDeps): ScanRequester {
  const newId = deps.newId ?? randomUUID;
  return {
    async requestScan({ clusterId, requestedBy }) {
      const slot = manualSlot(newId());
      const { run } = await ensureRun(deps.db, { clusterId, slot, trigger: 'manual' });
      const summary = await deps.queue.send([{ message: { clusterId, slot, trigger: 'manual' } }]);
      if (summary.sent !== 1) {
        const reason = summary.failed[0]?.reason ?? 'not sent';
        await failRun(deps.db, {
          clusterId,
          slot,
          trigger: 'manual',
          reason: `the scan could not be queued: ${reason}`,
        }).catch(() => {});
        deps.logger.error({
          msg: 'manual scan not queued',
          clusterId,
          slot,
          runId: run.id,
          requestedBy,
          reason,
        });
        throw new QueueSendError('the scan could not be queued; try again', summary.failed);
      }
      deps.logger.info({ msg: 'manual scan queued', clusterId, slot, runId: run.id, requestedBy });
      return { runId: run.id, slot };
    },
  };
}
