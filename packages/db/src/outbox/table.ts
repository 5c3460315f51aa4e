import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { clusters } from '../clusters/table.ts';
import { timestamptz } from '../columns.ts';
import type { OutboxEventType, OutboxPayload } from './model.ts';

/**
 * Notification outbox: rows are written in the transaction that finalises a run, so an event exists exactly
 * when the change it describes committed. The id is the webhook id, constant across delivery retries.
 */
export const outboxEvents = pgTable(
  'outbox_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    type: text('type').$type<OutboxEventType>().notNull(),
    clusterId: uuid('cluster_id')
      .notNull()
      .references(() => clusters.id),
    runId: uuid('run_id'),
    /**
     * One row per event: `${runId}:${type}:${what}`. `insertOutboxEvents` skips an event written already;
     * `recordScan` writes each finding event once (a second write would fail its transaction).
     */
    dedupeKey: text('dedupe_key').notNull().unique('outbox_events_dedupe_key'),
    payload: jsonb('payload').$type<OutboxPayload>().notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    // Delivery bookkeeping for the notifier: leased rows are invisible to other workers until the lease ends.
    availableAt: timestamptz('available_at').notNull().defaultNow(),
    leasedUntil: timestamptz('leased_until'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    dispatchedAt: timestamptz('dispatched_at'),
  },
  (t) => [
    index('outbox_events_pending_idx').on(t.availableAt, t.createdAt).where(sql`${t.dispatchedAt} is null`),
    index('outbox_events_cluster_created_idx').on(t.clusterId, t.createdAt),
    check(
      'outbox_events_type_check',
      sql`${t.type} in ('finding.opened', 'finding.resolved', 'finding.reopened', 'scan.failed', 'compliance.control_regressed')`,
    ),
  ],
);
