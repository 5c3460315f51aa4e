import { index, integer, pgTable, uuid } from 'drizzle-orm/pg-core';
import { clusters } from '../clusters/table.ts';
import { bytea, timestamptz } from '../columns.ts';
import { scanRuns } from '../runs/table.ts';

/** A run's snapshot, gzip-compressed JSON, kept so that who-can questions can be answered later. */
export const snapshots = pgTable(
  'snapshots',
  {
    runId: uuid('run_id')
      .primaryKey()
      .references(() => scanRuns.id, { onDelete: 'cascade' }),
    clusterId: uuid('cluster_id')
      .notNull()
      .references(() => clusters.id),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    sizeBytes: integer('size_bytes').notNull(),
    compressedBytes: integer('compressed_bytes').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [index('snapshots_cluster_created_idx').on(t.clusterId, t.createdAt)],
);
