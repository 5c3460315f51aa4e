import type { AuditException, LabelSelector } from '@vigil/core';
import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../columns.ts';

/**
 * Accepted risks. The row id is the exception id the audit reports in a suppressed finding's
 * `suppression.exceptionId`, so a suppression always points back at its row.
 */
export const auditExceptions = pgTable(
  'exceptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Which clusters it covers, as a Kubernetes label selector over cluster labels; `{}` is every cluster. */
    clusterSelector: jsonb('cluster_selector').$type<LabelSelector>().notNull().default({}),
    checks: text('checks').array().notNull(),
    subject: jsonb('subject').$type<AuditException['subject']>(),
    resource: jsonb('resource').$type<AuditException['resource']>(),
    reason: text('reason').notNull(),
    owner: text('owner'),
    /** From this instant on it no longer applies; runs started afterwards report the findings again. */
    expiresAt: timestamptz('expires_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    revokedAt: timestamptz('revoked_at'),
  },
  (t) => [index('exceptions_created_idx').on(t.createdAt, t.id)],
);
