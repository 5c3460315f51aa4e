import type { LabelSelector } from '@vigil/core';
import { sql } from 'drizzle-orm';
import { boolean, check, index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../columns.ts';
import type { SubscriptionFormat } from './model.ts';

/**
 * Notification subscriptions: where events go and which ones. Credentials and signing secrets are stored
 * only sealed (`sealed_secrets`, encrypted by the notifier with KMS or the local key); nothing in this table
 * is a usable credential on its own. A Slack webhook URL is a credential too: `url` holds its redacted form.
 */
export const notificationSubscriptions = pgTable(
  'notification_subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    format: text('format').$type<SubscriptionFormat>().notNull(),
    /** The destination as shown to API callers (redacted for Slack). */
    url: text('url').notNull(),
    /** Lower-case host[:port] of the real destination: deliveries are bounded per host. */
    host: text('host').notNull(),
    eventTypes: jsonb('event_types').$type<string[]>().notNull(),
    /** Finding events below this severity are not sent; other events ignore it. */
    minSeverity: text('min_severity'),
    /** Only events of clusters whose labels match; null: every cluster. */
    clusterSelector: jsonb('cluster_selector').$type<LabelSelector>(),
    /** Format options (Jira project key, ServiceNow close code...): never a credential. */
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    sealedSecrets: text('sealed_secrets'),
    enabled: boolean('enabled').notNull().default(true),
    disabledReason: text('disabled_reason'),
    disabledAt: timestamptz('disabled_at'),
    /** Set by the first failed attempt after a success, cleared by the next success. */
    failingSince: timestamptz('failing_since'),
    lastSuccessAt: timestamptz('last_success_at'),
    lastFailureAt: timestamptz('last_failure_at'),
    /** Until when the previous signing secret still signs (after a rotation). */
    previousSecretExpiresAt: timestamptz('previous_secret_expires_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    deletedAt: timestamptz('deleted_at'),
  },
  (t) => [
    index('notification_subscriptions_live_idx').on(t.createdAt, t.id).where(sql`${t.deletedAt} is null`),
    check(
      'notification_subscriptions_format_check',
      sql`${t.format} in ('generic', 'jira', 'servicenow', 'pagerduty', 'slack')`,
    ),
    check(
      'notification_subscriptions_severity_check',
      sql`${t.minSeverity} is null or ${t.minSeverity} in ('critical', 'high', 'medium', 'low', 'info')`,
    ),
  ],
);
