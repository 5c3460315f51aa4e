// @vigil/notify: webhook formats, Standard Webhooks signing, the SSRF-guarded HTTP client, credential
// encryption and the retry schedule. No database and no queue: packages/jobs composes these into delivery.

export { systemResolver } from './dns.ts';
export type { Encryptor } from './encryption/encryptor.ts';
export { createKmsEncryptor, type KmsEncryptorOptions } from './encryption/kms.ts';
export { DEFAULT_SECRETS_KEY_FILE, openLocalEncryptor } from './encryption/local.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './formats/index.ts';
export {
  createHttpClient,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type HttpClient,
  type HttpClientOptions,
  type OutboundRequest,
  type OutboundResponse,
  USER_AGENT,
} from './http-client.ts';
export * from './message.ts';
export * from './retry.ts';
export * from './signing.ts';
export * from './ssrf.ts';
export * from './subscription.ts';
