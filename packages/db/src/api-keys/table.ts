import type { LabelSelector } from '@vigil/core';
import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bytea, timestamptz } from '../columns.ts';

/**
 * API credentials. Only a hash of each key is stored: the key itself is shown once, when it is created.
 * `key_id` is the short, non-secret part of the key that finds the row; the hash decides.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    keyId: text('key_id').notNull(),
    name: text('name').notNull(),
    /** SHA-256 of the whole key (32 bytes). */
    secretHash: bytea('secret_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    /** The clusters the key may see, by their labels; null: every cluster. */
    clusterSelector: jsonb('cluster_selector').$type<LabelSelector>(),
    /** Who created it (`cli`, `bootstrap`, `key:<keyId>`, `oidc:<sub>`). */
    createdBy: text('created_by').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    expiresAt: timestamptz('expires_at'),
    lastUsedAt: timestamptz('last_used_at'),
    revokedAt: timestamptz('revoked_at'),
  },
  (t) => [
    uniqueIndex('api_keys_key_id_key').on(t.keyId),
    index('api_keys_created_idx').on(t.createdAt, t.id),
    check('api_keys_scopes_check', sql`${t.scopes} <@ array['read', 'scan', 'admin']::text[]`),
    check('api_keys_secret_hash_check', sql`octet_length(${t.secretHash}) = 32`),
  ],
);
