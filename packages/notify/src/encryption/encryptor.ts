import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptionError } from '../errors.ts';

/**
 * Seals credentials (Jira tokens, ServiceNow passwords, PagerDuty routing keys, Slack webhook URLs, `whsec_`
 * signing secrets) before they reach the database, and opens them for a delivery. `context` binds a sealed
 * value to what it belongs to (e.g. `subscription:<id>`): a value copied onto another row does not open.
 */
export interface Encryptor {
  readonly kind: 'local' | 'kms';
  encrypt(plaintext: string, context: string): Promise<string>;
  decrypt(sealed: string, context: string): Promise<string>;
}

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function aad(context: string): Buffer {
  return Buffer.from(`vigil-notify:v1:${context}`, 'utf8');
}

/** AES-256-GCM with a fresh 96-bit nonce; returns nonce and ciphertext+tag, base64url. */
export function seal(key: Uint8Array, plaintext: string, context: string): { iv: string; data: string } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(context));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { iv: iv.toString('base64url'), data: data.toString('base64url') };
}

export function open(key: Uint8Array, iv: string, data: string, context: string): string {
  const nonce = Buffer.from(iv, 'base64url');
  const raw = Buffer.from(data, 'base64url');
  if (nonce.length !== IV_BYTES || raw.length < TAG_BYTES)
    throw new DecryptionError('malformed sealed value');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(aad(context));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(raw.subarray(0, raw.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch (error) {
    throw new DecryptionError('the sealed value does not open with this key and context', { cause: error });
  }
}

/** Splits `v1.<kind>.<parts...>`; throws DecryptionError for any other shape. */
export function sealedParts(sealed: string, kind: string, count: number): string[] {
  const parts = sealed.split('.');
  if (parts.length !== count + 2 || parts[0] !== 'v1' || parts[1] !== kind || parts.some((p) => p === '')) {
    throw new DecryptionError(`not a value sealed by the ${kind} encryptor`);
  }
  return parts.slice(2);
}
