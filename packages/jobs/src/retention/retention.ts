import { type Database, deleteOlderThan, type RetentionResult } from '@vigil/db';
import type { Logger } from '../logger.ts';

const DAY_MS = 86_400_000;

/**
 * Keep at least this many days: evidence for daily compliance reports and the "what changed since
 * yesterday" digest needs a few days of runs, and a typo in an age should not wipe the history.
 */
export const MIN_RETENTION_DAYS = 7;
/** A year and a month: enough for an annual audit period and its follow-up. */
export const DEFAULT_RETENTION_DAYS = 400;

export class RetentionSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetentionSettingError';
  }
}

export interface PruneResult extends RetentionResult {
  retentionDays: number;
  /** Runs, findings and deliveries from before this instant went (except what the present still needs). */
  before: string;
}

/**
 * The retention job (daily in AWS and in the local stack, or `vigil prune`): deletes the history older than
 * `retentionDays` through the one repository that deletes history, which keeps each cluster's current results
 * and the evidence of every finding still open or suppressed.
 */
export async function pruneHistory(
  deps: { db: Database; logger?: Logger; now?: () => Date },
  options: { retentionDays: number },
): Promise<PruneResult> {
  const days = options.retentionDays;
  if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS) {
    throw new RetentionSettingError(
      `retention must be a whole number of days, at least ${MIN_RETENTION_DAYS}`,
    );
  }
  const now = deps.now?.() ?? new Date();
  const before = new Date(now.getTime() - days * DAY_MS);
  const result = await deleteOlderThan(deps.db, { before, now });
  const pruned: PruneResult = { retentionDays: days, before: before.toISOString(), ...result };
  deps.logger?.info({ msg: 'history pruned', ...pruned });
  return pruned;
}
