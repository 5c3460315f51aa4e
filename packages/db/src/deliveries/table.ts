import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamptz } from '../columns.ts';
import { notificationSubscriptions } from '../subscriptions/table.ts';
import type { DeliveryStatus, StoredTicket } from './model.ts';

/**
 * One event for one subscription, and its delivery state. Created by the fan-out from outbox rows (or by the
 * digest job), unique per (subscription, event), so fanning out twice creates nothing new.
 *
 * `enqueued_at` marks a row whose queue message is out (or whose worker holds it): at most the per-host
 * limit of a host's rows are, which bounds the connections to any one destination; `leased_until` is the
 * attempt in progress.
 */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Creation order: events about the same finding are delivered in this order. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => notificationSubscriptions.id),
    /** The outbox event id, or `compliance.digest:<day>` for digests. */
    eventKey: text('event_key').notNull(),
    /** `webhook-id`: constant across retries and redeliveries. */
    webhookId: text('webhook_id').notNull(),
    eventType: text('event_type').notNull(),
    eventTimestamp: timestamptz('event_timestamp').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    clusterId: uuid('cluster_id'),
    /** `<cluster id>:<fingerprint>` for finding events: their ticket, and their order. */
    ticketKey: text('ticket_key'),
    /** The subscription's host when the row was made (kept in step when the URL changes). */
    host: text('host').notNull(),
    status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    firstAttemptAt: timestamptz('first_attempt_at'),
    lastAttemptAt: timestamptz('last_attempt_at'),
    nextAttemptAt: timestamptz('next_attempt_at').notNull().defaultNow(),
    enqueuedAt: timestamptz('enqueued_at'),
    leasedUntil: timestamptz('leased_until'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    lastDurationMs: integer('last_duration_ms'),
    /** What the last successful attempt did ("created OPS-12", "nothing to resolve"). */
    note: text('note'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    completedAt: timestamptz('completed_at'),
  },
  (t) => [
    unique('notification_deliveries_subscription_event_key').on(t.subscriptionId, t.eventKey),
    index('notification_deliveries_due_idx')
      .on(t.host, t.nextAttemptAt, t.seq)
      .where(sql`${t.status} = 'pending'`),
    index('notification_deliveries_inflight_idx')
      .on(t.host)
      .where(sql`${t.status} = 'pending' and ${t.enqueuedAt} is not null`),
    index('notification_deliveries_ticket_idx')
      .on(t.subscriptionId, t.ticketKey, t.seq)
      .where(sql`${t.status} = 'pending' and ${t.ticketKey} is not null`),
    index('notification_deliveries_subscription_idx').on(t.subscriptionId, t.createdAt, t.id),
    check('notification_deliveries_status_check', sql`${t.status} in ('pending', 'succeeded', 'failed')`),
  ],
);

/** The ticket each ticketing subscription keeps per finding on a cluster (Jira issue, incident, alert key). */
export const notificationTickets = pgTable(
  'notification_tickets',
  {
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => notificationSubscriptions.id),
    clusterId: uuid('cluster_id').notNull(),
    fingerprint: text('fingerprint').notNull(),
    reference: jsonb('reference').$type<StoredTicket>().notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.clusterId, t.fingerprint] })],
);
