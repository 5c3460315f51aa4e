import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecryptionError, EncryptionConfigError } from '../errors.ts';
import { openLocalEncryptor } from './local.ts';

describe('local key file encryptor', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-secrets-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the key file with mode 0600 on first use and reuses it afterwards', async () => {
    const keyFile = join(dir, 'nested', 'secrets.key');
    const first = await openLocalEncryptor(keyFile);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'nested'))).mode & 0o777).toBe(0o700);
    const sealed = await first.encrypt('api-token-123', 'subscription:a');
    const second = await openLocalEncryptor(keyFile);
    expect(await second.decrypt(sealed, 'subscription:a')).toBe('api-token-123');
  });

  it('never stores the plaintext and seals the same value differently each time', async () => {
    const enc = await openLocalEncryptor(join(dir, 'k'));
    const a = await enc.encrypt('hunter2-password', 'subscription:a');
    const b = await enc.encrypt('hunter2-password', 'subscription:a');
    expect(a).toMatch(/^v1\.local\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter2');
    expect(Buffer.from(a.split('.')[3]!, 'base64url').toString('latin1')).not.toContain('hunter2');
  });

  it('refuses to open a value under another context, another key, or after tampering', async () => {
    const enc = await openLocalEncryptor(join(dir, 'k1'));
    const other = await openLocalEncryptor(join(dir, 'k2'));
    const sealed = await enc.encrypt('secret', 'subscription:a');
    await expect(enc.decrypt(sealed, 'subscription:b')).rejects.toBeInstanceOf(DecryptionError);
    await expect(other.decrypt(sealed, 'subscription:a')).rejects.toBeInstanceOf(DecryptionError);
    const parts = sealed.split('.');
    const data = Buffer.from(parts[3]!, 'base64url');
    data[0] = data[0]! ^ 1;
    parts[3] = data.toString('base64url');
    await expect(enc.decrypt(parts.join('.'), 'subscription:a')).rejects.toBeInstanceOf(DecryptionError);
    await expect(enc.decrypt('v1.kms.a.b.c', 'subscription:a')).rejects.toThrow(/local encryptor/);
  });

  it('refuses a key file that other users can read, or that holds no 256-bit key', async () => {
    const open = join(dir, 'open.key');
    await writeFile(open, `${Buffer.alloc(32, 1).toString('base64')}\n`);
    await chmod(open, 0o644);
    await expect(openLocalEncryptor(open)).rejects.toThrow(/readable by other users/);
    const short = join(dir, 'short.key');
    await writeFile(short, 'c2hvcnQ=\n', { mode: 0o600 });
    await expect(openLocalEncryptor(short)).rejects.toBeInstanceOf(EncryptionConfigError);
  });

  it('creates one key when two processes start at once', async () => {
    const raceDir = join(dir, 'race');
    const keyFile = join(raceDir, 'race.key');
    // Many openers at once: every one gets the same, complete key (none reads a half-written file).
    const [a, ...others] = await Promise.all(Array.from({ length: 20 }, () => openLocalEncryptor(keyFile)));
    const sealed = await a!.encrypt('x', 'c');
    for (const other of others) expect(await other.decrypt(sealed, 'c')).toBe('x');
    expect((await readFile(keyFile, 'utf8')).trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(((await stat(keyFile)).mode & 0o777).toString(8)).toBe('600');
    // No temporary file is left behind.
    expect(await readdir(raceDir)).toEqual(['race.key']);
  });
});
