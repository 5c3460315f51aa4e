import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecryptionError, EncryptionConfigError } from '../errors.ts';
import { createKmsEncryptor } from './kms.ts';

// A stand-in for KMS that behaves like it: data keys are "wrapped" by XOR with a master key plus the
// encryption context, and Decrypt refuses a context other than the one the key was generated under.
function fakeKms() {
  const kms = mockClient(KMSClient);
  const master = randomBytes(32);
  const wrapped = new Map<string, { key: Buffer; context: string }>();
  let decrypts = 0;
  kms.on(GenerateDataKeyCommand).callsFake((input) => {
    expect(input.KeySpec).toBe('AES_256');
    const key = randomBytes(32);
    const blob = Buffer.concat([randomBytes(8), Buffer.from(key.map((b, i) => b ^ master[i]!))]);
    wrapped.set(blob.toString('hex'), { key, context: JSON.stringify(input.EncryptionContext) });
    return { Plaintext: new Uint8Array(key), CiphertextBlob: new Uint8Array(blob), KeyId: input.KeyId };
  });
  kms.on(DecryptCommand).callsFake((input) => {
    decrypts++;
    const entry = wrapped.get(Buffer.from(input.CiphertextBlob).toString('hex'));
    if (!entry || entry.context !== JSON.stringify(input.EncryptionContext)) {
      throw Object.assign(new Error('InvalidCiphertextException'), { name: 'InvalidCiphertextException' });
    }
    return { Plaintext: new Uint8Array(entry.key) };
  });
  return { kms, decrypts: () => decrypts };
}

describe('KMS envelope encryptor', () => {
  let fake: ReturnType<typeof fakeKms>;
  beforeEach(() => {
    fake = fakeKms();
  });
  afterEach(() => {
    fake.kms.restore();
  });

  it('seals with a fresh data key per value and opens it through KMS Decrypt with the same context', async () => {
    const enc = createKmsEncryptor({ client: new KMSClient({ region: 'eu-west-1' }), keyId: 'alias/vigil' });
    const sealed = await enc.encrypt('pd-routing-key', 'subscription:1');
    expect(sealed).toMatch(/^v1\.kms\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('pd-routing-key');
    expect(await enc.decrypt(sealed, 'subscription:1')).toBe('pd-routing-key');
    const calls = fake.kms.commandCalls(GenerateDataKeyCommand);
    expect(calls[0]!.args[0].input).toMatchObject({
      KeyId: 'alias/vigil',
      EncryptionContext: { purpose: 'vigil-notify-credentials', owner: 'subscription:1' },
    });
    expect(fake.kms.commandCalls(DecryptCommand)[0]!.args[0].input.KeyId).toBe('alias/vigil');
  });

  it('cannot open a value under another owner: KMS refuses the context', async () => {
    const enc = createKmsEncryptor({ client: new KMSClient({ region: 'eu-west-1' }), keyId: 'k' });
    const sealed = await enc.encrypt('secret', 'subscription:1');
    await expect(enc.decrypt(sealed, 'subscription:2')).rejects.toBeInstanceOf(DecryptionError);
  });

  it('reuses an opened data key until its cache entry expires', async () => {
    let clock = 0;
    const enc = createKmsEncryptor({
      client: new KMSClient({ region: 'eu-west-1' }),
      keyId: 'k',
      cacheTtlMs: 1000,
      now: () => clock,
    });
    const sealed = await enc.encrypt('secret', 'subscription:1');
    await enc.decrypt(sealed, 'subscription:1');
    await enc.decrypt(sealed, 'subscription:1');
    expect(fake.decrypts()).toBe(1);
    clock = 1001;
    await enc.decrypt(sealed, 'subscription:1');
    expect(fake.decrypts()).toBe(2);
  });

  it('reports a failing GenerateDataKey as a configuration error without the plaintext', async () => {
    fake.kms
      .on(GenerateDataKeyCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const enc = createKmsEncryptor({ client: new KMSClient({ region: 'eu-west-1' }), keyId: 'k' });
    const error = await enc.encrypt('top-secret', 'subscription:1').catch((e: Error) => e);
    expect(error).toBeInstanceOf(EncryptionConfigError);
    expect((error as Error).message).toBe('KMS GenerateDataKey failed: AccessDeniedException');
  });
});
