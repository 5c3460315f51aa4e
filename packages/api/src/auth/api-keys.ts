import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Vigil API keys: `vgl_<key id>_<secret><checksum>`.
 *
 * - key id: 8 base62 characters, not secret; finds the row (`api_keys.key_id`), so no lookup ever runs on
 *   secret material.
 * - secret: 32 base62 characters from the CSPRNG, about 190 bits.
 * - checksum: CRC32 of everything before it, 6 base62 characters, so a mistyped or truncated key is refused
 *   without a database read and secret scanners can recognise real keys (the prefix makes them findable).
 *
 * Stored: SHA-256 of the whole key. A slow password hash (bcrypt, scrypt) protects low-entropy secrets
 * against offline guessing; with 190 random bits there is nothing to guess, and SHA-256 keeps every request
 * cheap. The stored and presented hashes are compared with `timingSafeEqual`.
 */
export const API_KEY_PREFIX = 'vgl_';
const KEY_ID_LENGTH = 8;
const SECRET_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const API_KEY_PATTERN = new RegExp(
  `^${API_KEY_PREFIX}([0-9A-Za-z]{${KEY_ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH + CHECKSUM_LENGTH}})$`,
);

/** Uniform base62 text: bytes >= 248 are dropped so that every character is equally likely. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= 248) continue;
      out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

function checksumOf(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export interface GeneratedApiKey {
  /** The key; shown once and never stored. */
  token: string;
  keyId: string;
  secretHash: Uint8Array;
}

export function hashApiKey(token: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(token, 'utf8').digest());
}

/** The key text for a key id and secret (both base62), with its checksum. */
export function formatApiKey(keyId: string, secret: string): string {
  const body = `${API_KEY_PREFIX}${keyId}_${secret}`;
  return body + checksumOf(body);
}

/** A new random key with its key id and hash. */
export function generateApiKey(): GeneratedApiKey {
  const keyId = randomBase62(KEY_ID_LENGTH);
  const token = formatApiKey(keyId, randomBase62(SECRET_LENGTH));
  return { token, keyId, secretHash: hashApiKey(token) };
}

/** The key id and hash of a well-formed key with a valid checksum; null for anything else. */
export function parseApiKey(token: string): { keyId: string; secretHash: Uint8Array } | null {
  const match = API_KEY_PATTERN.exec(token);
  if (!match) return null;
  const body = token.slice(0, -CHECKSUM_LENGTH);
  if (checksumOf(body) !== token.slice(-CHECKSUM_LENGTH)) return null;
  return { keyId: match[1]!, secretHash: hashApiKey(token) };
}

/** True when the hashes match, in time independent of where they differ. */
export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

/** The printable, non-secret part of a key for logs and listings: `vgl_AbCd1234_…`. */
export function redactApiKey(keyId: string): string {
  return `${API_KEY_PREFIX}${keyId}_…`;
}
