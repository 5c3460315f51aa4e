import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidInputError } from '../errors.ts';
import { TEST_ENGINES, useTestDatabase } from '../testing/index.ts';
import {
  createApiKey,
  ensureApiKey,
  findApiKeyCredential,
  getApiKey,
  listApiKeys,
  type NewApiKey,
  revokeApiKey,
  touchApiKey,
} from './repository.ts';

let counter = 0;
function newKey(overrides: Partial<NewApiKey> = {}): NewApiKey {
  counter++;
  return {
    keyId: `k${String(counter).padStart(5, '0')}${randomBytes(2).toString('hex')}`,
    secretHash: new Uint8Array(createHash('sha256').update(`secret-${counter}`).digest()),
    name: `key ${counter}`,
    scopes: ['read'],
    createdBy: 'test',
    ...overrides,
  };
}

describe.each(TEST_ENGINES)('API keys on %s', (engine) => {
  const db = useTestDatabase(engine);

  it('stores a key by key id with its hash, scopes and selector, and never returns the hash in a record', async () => {
    const input = newKey({
      scopes: ['scan', 'read', 'scan'],
      clusterSelector: { matchLabels: { env: 'prod' } },
    });
    const record = await createApiKey(db(), input);
    expect(record).toMatchObject({
      keyId: input.keyId,
      scopes: ['scan', 'read'],
      clusterSelector: { matchLabels: { env: 'prod' } },
    });
    expect(record).not.toHaveProperty('secretHash');
    expect(await getApiKey(db(), record.id)).toEqual(record);
    const credential = await findApiKeyCredential(db(), input.keyId);
    expect(Buffer.from(credential!.secretHash)).toEqual(Buffer.from(input.secretHash));
    expect(await findApiKeyCredential(db(), 'nokey000')).toBeNull();
    expect(await findApiKeyCredential(db(), "'; drop table api_keys; --")).toBeNull();
  });

  it('refuses a second key with the same key id, bad scopes, an empty name or a hash that is not SHA-256', async () => {
    const input = newKey();
    await createApiKey(db(), input);
    await expect(createApiKey(db(), { ...input, secretHash: new Uint8Array(32) })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(createApiKey(db(), newKey({ scopes: [] }))).rejects.toBeInstanceOf(InvalidInputError);
    await expect(createApiKey(db(), newKey({ scopes: ['root' as 'read'] }))).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(createApiKey(db(), newKey({ name: '  ' }))).rejects.toBeInstanceOf(InvalidInputError);
    await expect(createApiKey(db(), newKey({ secretHash: new Uint8Array(16) }))).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });

  it('revokes once, lists revoked keys only on request, and pages by creation', async () => {
    const a = await createApiKey(db(), newKey());
    const b = await createApiKey(db(), newKey());
    expect(await revokeApiKey(db(), a.id)).toBe(true);
    expect(await revokeApiKey(db(), a.id)).toBe(false);
    expect(await revokeApiKey(db(), 'not-a-uuid')).toBe(false);
    const live = (await listApiKeys(db(), { limit: 500 })).items.map((k) => k.id);
    expect(live).toContain(b.id);
    expect(live).not.toContain(a.id);
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listApiKeys(db(), { includeRevoked: true, limit: 1, ...(cursor ? { cursor } : {}) });
      all.push(...page.items.map((k) => k.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(all).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(new Set(all).size).toBe(all.length);
  });

  it('ensures a chosen key once and keeps it revoked when it is ensured again', async () => {
    const input = newKey({ scopes: ['admin'], createdBy: 'bootstrap' });
    const first = await ensureApiKey(db(), input);
    const second = await ensureApiKey(db(), input);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.credential.record.id).toBe(first.credential.record.id);
    await revokeApiKey(db(), first.credential.record.id);
    const third = await ensureApiKey(db(), input);
    expect(third.created).toBe(false);
    expect(third.credential.record.revokedAt).not.toBeNull();
  });

  it('records the last use', async () => {
    const record = await createApiKey(db(), newKey());
    const at = new Date('2026-11-26T10:00:00.000Z');
    await touchApiKey(db(), record.id, at);
    expect((await getApiKey(db(), record.id))?.lastUsedAt).toEqual(at);
  });
});
