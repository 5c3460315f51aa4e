import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatApiKey, generateApiKey, hashApiKey, parseApiKey, sameHash } from './api-keys.ts';

describe('API keys', () => {
  it('look like vgl_<8 character id>_<38 characters> and carry their id', () => {
    const key = generateApiKey();
    expect(key.token).toMatch(/^vgl_[0-9A-Za-z]{8}_[0-9A-Za-z]{38}$/);
    expect(key.token.slice(4, 12)).toBe(key.keyId);
    expect(parseApiKey(key.token)).toEqual({ keyId: key.keyId, secretHash: key.secretHash });
  });

  it('are different every time, with characters spread over the whole alphabet', () => {
    const secrets = Array.from({ length: 200 }, () => generateApiKey().token.slice(13, 45));
    expect(new Set(secrets).size).toBe(200);
    const seen = new Set(secrets.join(''));
    expect(seen.size).toBe(62);
  });

  it('are hashed with SHA-256 of the whole key', () => {
    const key = generateApiKey();
    expect(Buffer.from(key.secretHash).toString('hex')).toBe(
      createHash('sha256').update(key.token).digest('hex'),
    );
    expect(key.secretHash.byteLength).toBe(32);
  });

  it('are refused without a database read when mistyped, truncated or foreign', () => {
    const { token } = generateApiKey();
    const flipped = token.slice(0, 20) + (token[20] === 'a' ? 'b' : 'a') + token.slice(21);
    for (const bad of [
      flipped,
      token.slice(0, -1),
      `${token}x`,
      token.replace('vgl_', 'vgx_'),
      '',
      'vgl_',
      'Bearer',
    ]) {
      expect(parseApiKey(bad)).toBeNull();
    }
  });

  it('may share a key id with another key yet hash differently (the hash decides, not the id)', () => {
    const a = formatApiKey('AbCdEfGh', 'a'.repeat(32));
    const b = formatApiKey('AbCdEfGh', 'b'.repeat(32));
    expect(parseApiKey(a)?.keyId).toBe(parseApiKey(b)?.keyId);
    expect(sameHash(hashApiKey(a), hashApiKey(b))).toBe(false);
    expect(sameHash(hashApiKey(a), hashApiKey(a))).toBe(true);
    expect(sameHash(hashApiKey(a), new Uint8Array(31))).toBe(false);
  });
});
