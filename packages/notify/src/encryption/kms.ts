import {
  DecryptCommand,
  GenerateDataKeyCommand,
  type GenerateDataKeyCommandOutput,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { DecryptionError, EncryptionConfigError } from '../errors.ts';
import { type Encryptor, KEY_BYTES, open, seal, sealedParts } from './encryptor.ts';

export interface KmsEncryptorOptions {
  client: KMSClient;
  /** Key id, ARN or alias of a symmetric KMS key. */
  keyId: string;
  /** How long an opened data key is reused (default 5 minutes): one KMS call per subscription, not per attempt. */
  cacheTtlMs?: number;
  /** Data keys kept at most (default 1000). */
  cacheSize?: number;
  now?: () => number;
}

/**
 * Envelope encryption with AWS KMS: every sealed value has its own data key (GenerateDataKey, AES_256), the
 * value is sealed locally with AES-256-GCM, and only the KMS-encrypted data key is stored beside it. The
 * encryption context names the owner, so KMS refuses to open a data key for another row and CloudTrail shows
 * which subscription a Decrypt was for.
 */
export function createKmsEncryptor(options: KmsEncryptorOptions): Encryptor {
  const ttl = options.cacheTtlMs ?? 5 * 60_000;
  const size = options.cacheSize ?? 1000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { key: Uint8Array; until: number }>();
  const encryptionContext = (context: string) => ({ purpose: 'vigil-notify-credentials', owner: context });

  return {
    kind: 'kms',
    async encrypt(plaintext, context) {
      let result: GenerateDataKeyCommandOutput;
      try {
        result = await options.client.send(
          new GenerateDataKeyCommand({
            KeyId: options.keyId,
            KeySpec: 'AES_256',
            EncryptionContext: encryptionContext(context),
          }),
        );
      } catch (error) {
        throw new EncryptionConfigError(`KMS GenerateDataKey failed: ${(error as Error).name}`, {
          cause: error,
        });
      }
      if (!result.Plaintext || result.Plaintext.length !== KEY_BYTES || !result.CiphertextBlob) {
        throw new EncryptionConfigError('KMS returned no 256-bit data key');
      }
      try {
        const { iv, data } = seal(result.Plaintext, plaintext, context);
        return `v1.kms.${Buffer.from(result.CiphertextBlob).toString('base64url')}.${iv}.${data}`;
      } finally {
        result.Plaintext.fill(0);
      }
    },
    async decrypt(sealed, context) {
      const [wrapped, iv, data] = sealedParts(sealed, 'kms', 3);
      const cacheKey = `${context}\u0000${wrapped}`;
      const cached = cache.get(cacheKey);
      let key: Uint8Array;
      if (cached && cached.until > now()) key = cached.key;
      else {
        let result: { Plaintext?: Uint8Array };
        try {
          result = await options.client.send(
            new DecryptCommand({
              CiphertextBlob: Buffer.from(wrapped!, 'base64url'),
              KeyId: options.keyId,
              EncryptionContext: encryptionContext(context),
            }),
          );
        } catch (error) {
          throw new DecryptionError(`KMS Decrypt failed: ${(error as Error).name}`, { cause: error });
        }
        if (!result.Plaintext || result.Plaintext.length !== KEY_BYTES) {
          throw new DecryptionError('KMS returned no 256-bit data key');
        }
        key = result.Plaintext;
        cache.delete(cacheKey);
        cache.set(cacheKey, { key, until: now() + ttl });
        while (cache.size > size) {
          cache.delete(cache.keys().next().value as string);
        }
      }
      return open(key, iv!, data!, context);
    },
  };
}
