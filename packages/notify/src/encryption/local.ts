import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EncryptionConfigError } from '../errors.ts';
import { type Encryptor, KEY_BYTES, open, seal, sealedParts } from './encryptor.ts';

/** Where the local stack keeps its key unless VIGIL_SECRETS_KEY_FILE says otherwise. */
export const DEFAULT_SECRETS_KEY_FILE = '.vigil/secrets.key';

/**
 * AES-256-GCM with a 256-bit key kept in a file (the local stack's stand-in for KMS). The first use creates
 * the file with mode 0600 (its directory 0700); a file that others can read, or that does not hold a
 * 32-byte base64 key, is refused rather than used. The entry point passes the path: nothing here reads env.
 */
export async function openLocalEncryptor(keyFile: string): Promise<Encryptor> {
  const key = await loadOrCreateKey(keyFile);
  return {
    kind: 'local',
    async encrypt(plaintext, context) {
      const { iv, data } = seal(key, plaintext, context);
      return `v1.local.${iv}.${data}`;
    },
    async decrypt(sealed, context) {
      const [iv, data] = sealedParts(sealed, 'local', 2);
      return open(key, iv!, data!, context);
    },
  };
}

async function loadOrCreateKey(keyFile: string): Promise<Buffer> {
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  // The key is written whole to a private temporary file, then linked into place: link() fails with EEXIST
  // when the key file exists, so two processes starting at once create one key, and the loser never reads
  // a file the winner is still writing (as it could with an O_EXCL create followed by a write).
  const temporary = `${keyFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    await link(temporary, keyFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new EncryptionConfigError(`cannot create the secrets key file ${keyFile}`, { cause: error });
    }
  } finally {
    await rm(temporary, { force: true });
  }
  const info = await stat(keyFile);
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    throw new EncryptionConfigError(
      `the secrets key file ${keyFile} is readable by other users (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`,
    );
  }
  const text = (await readFile(keyFile, 'utf8')).trim();
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== KEY_BYTES) {
    throw new EncryptionConfigError(`the secrets key file ${keyFile} does not hold a base64 256-bit key`);
  }
  return key;
}
