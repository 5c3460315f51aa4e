import { type LabelSelector, labelSelectorSchema } from '@vigil/core';
import { and, asc, eq, gt, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../database.ts';
import { ConflictError, InvalidInputError, isUniqueViolation } from '../errors.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../pagination.ts';
import { isUuid, parseOrThrow } from '../validate.ts';
import { API_KEY_SCOPES, type ApiKeyCredential, type ApiKeyRecord, type ApiKeyScope } from './model.ts';
import { apiKeys } from './table.ts';

export interface NewApiKey {
  /** The non-secret key id embedded in the key (the caller generates the key; the store never sees it). */
  keyId: string;
  /** SHA-256 of the whole key. */
  secretHash: Uint8Array;
  name: string;
  scopes: readonly ApiKeyScope[];
  /** Clusters the key may see by their labels; null or absent: every cluster. */
  clusterSelector?: LabelSelector | null;
  createdBy: string;
  expiresAt?: Date | null;
}

type ApiKeyRow = typeof apiKeys.$inferSelect;

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  const { secretHash: _hash, ...rest } = row;
  return { ...rest, scopes: rest.scopes as ApiKeyScope[] };
}

const KEY_ID = /^[A-Za-z0-9]{6,32}$/;

function validate(input: NewApiKey): void {
  if (!KEY_ID.test(input.keyId)) throw new InvalidInputError('keyId must be 6-32 letters or digits');
  if (input.secretHash.byteLength !== 32) throw new InvalidInputError('secretHash must be a SHA-256 digest');
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) throw new InvalidInputError('name must be 1-200 characters');
  if (input.scopes.length === 0 || input.scopes.some((s) => !API_KEY_SCOPES.includes(s))) {
    throw new InvalidInputError(`scopes must be a non-empty list of ${API_KEY_SCOPES.join(', ')}`);
  }
  if (input.clusterSelector) parseOrThrow('clusterSelector', labelSelectorSchema, input.clusterSelector);
  if (input.expiresAt && Number.isNaN(input.expiresAt.getTime())) {
    throw new InvalidInputError('expiresAt must be a valid instant');
  }
}

function values(input: NewApiKey) {
  return {
    keyId: input.keyId,
    secretHash: input.secretHash,
    name: input.name.trim(),
    scopes: [...new Set(input.scopes)],
    clusterSelector: input.clusterSelector ?? null,
    createdBy: input.createdBy,
    expiresAt: input.expiresAt ?? null,
  };
}

/** Stores a new key's hash and metadata. A key id that exists already is a ConflictError. */
export async function createApiKey(db: Database, input: NewApiKey): Promise<ApiKeyRecord> {
  validate(input);
  try {
    const [row] = await db.insert(apiKeys).values(values(input)).returning();
    return toRecord(row!);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError('an API key with this key id exists', { cause: error });
    throw error;
  }
}

/**
 * Stores the key unless its key id is known, and returns the stored row either way (`created` says which).
 * For keys whose value the operator chose (the bootstrap admin key): starting twice stores it once, and a
 * key that was revoked stays revoked.
 */
export async function ensureApiKey(
  db: Database,
  input: NewApiKey,
): Promise<{ credential: ApiKeyCredential; created: boolean }> {
  validate(input);
  const inserted = await db
    .insert(apiKeys)
    .values(values(input))
    .onConflictDoNothing({ target: apiKeys.keyId })
    .returning({ id: apiKeys.id });
  const credential = await findApiKeyCredential(db, input.keyId);
  if (!credential) throw new ConflictError(`API key ${input.keyId} vanished while it was being stored`);
  return { credential, created: inserted.length > 0 };
}

/** The key with this key id, revoked or not, with its hash: authentication decides what to accept. */
export async function findApiKeyCredential(db: Database, keyId: string): Promise<ApiKeyCredential | null> {
  if (!KEY_ID.test(keyId)) return null;
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.keyId, keyId));
  return row ? { record: toRecord(row), secretHash: row.secretHash } : null;
}

export async function getApiKey(db: Database, id: string): Promise<ApiKeyRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row ? toRecord(row) : null;
}

export interface ApiKeyFilter extends PageRequest {
  includeRevoked?: boolean;
}

const API_KEYS_LISTING = 'api-keys';

/** Keys oldest first, keyset-paginated; revoked ones only when asked for. */
export async function listApiKeys(db: Database, filter: ApiKeyFilter = {}): Promise<Page<ApiKeyRecord>> {
  const limit = pageLimit(filter.limit);
  let after: SQL | undefined;
  if (filter.cursor) {
    const [at, id] = decodeCursor(API_KEYS_LISTING, filter.cursor, ['string', 'string']);
    const date = new Date(at);
    after = or(gt(apiKeys.createdAt, date), and(eq(apiKeys.createdAt, date), gt(apiKeys.id, id)));
  }
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(filter.includeRevoked ? undefined : isNull(apiKeys.revokedAt), after))
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id))
    .limit(limit + 1);
  return toPage(rows, limit, toRecord, (row) =>
    encodeCursor(API_KEYS_LISTING, [row.createdAt.toISOString(), row.id]),
  );
}

/** Revokes a key from now on; false when there is no unrevoked key with that id. */
export async function revokeApiKey(db: Database, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

/** Records that a key was used (callers throttle this; it is bookkeeping, not an audit log). */
export async function touchApiKey(db: Database, id: string, at: Date): Promise<void> {
  if (!isUuid(id)) return;
  await db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));
}
