import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../columns.ts';
import type { ClusterSource } from './model.ts';

export const clusters = pgTable(
  'clusters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    source: jsonb('source').$type<ClusterSource>().notNull(),
    labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
    /** Seconds between scheduled scans; null means the cluster is scanned on demand only. */
    scheduleIntervalSeconds: integer('schedule_interval_seconds'),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    deletedAt: timestamptz('deleted_at'),
  },
  (t) => [
    // Names are unique among live clusters only: a deleted cluster's name can be reused.
    uniqueIndex('clusters_live_name_key').on(t.name).where(sql`${t.deletedAt} is null`),
    index('clusters_labels_idx').using('gin', t.labels),
    check(
      'clusters_schedule_check',
      sql`${t.scheduleIntervalSeconds} is null or ${t.scheduleIntervalSeconds} >= 60`,
    ),
  ],
);
