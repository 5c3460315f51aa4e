import { createHash, createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks secrets are `whsec_` followed by base64 of the key bytes. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

/** A fresh signing secret (256 random bits), shown to the subscriber once. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** True for a `whsec_` secret whose key is 24 to 64 bytes of valid base64 (the spec's bounds). */
export function isWebhookSecret(value: string): boolean {
  if (!value.startsWith(WEBHOOK_SECRET_PREFIX)) return false;
  const encoded = value.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return false;
  const key = Buffer.from(encoded, 'base64');
  return key.length >= 24 && key.length <= 64;
}

function keyOf(secret: string): Buffer {
  if (!isWebhookSecret(secret)) throw new Error('not a whsec_ signing secret');
  return Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
}

/**
 * The `webhook-signature` value: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for every secret, space
 * separated. During a rotation both the new and the previous secret sign, so a receiver that still holds
 * the old one keeps verifying.
 */
export function signatureHeader(input: {
  id: string;
  /** Seconds since the epoch, the value of `webhook-timestamp`. */
  timestamp: number;
  body: string;
  secrets: readonly string[];
}): string {
  if (input.secrets.length === 0) throw new Error('at least one signing secret is needed');
  const content = `${input.id}.${input.timestamp}.${input.body}`;
  return input.secrets
    .map((secret) => `v1,${createHmac('sha256', keyOf(secret)).update(content, 'utf8').digest('base64')}`)
    .join(' ');
}

/** The three Standard Webhooks headers for one attempt. The timestamp is the attempt's, the id the event's. */
export function standardWebhookHeaders(input: {
  id: string;
  at: Date;
  body: string;
  secrets: readonly string[];
}): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const timestamp = Math.floor(input.at.getTime() / 1000);
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader({
      id: input.id,
      timestamp,
      body: input.body,
      secrets: input.secrets,
    }),
  };
}

/**
 * The `webhook-id` of an event for one subscription: derived from the pair, so every retry and every manual
 * redelivery of that event to that subscription carries the same id (receivers deduplicate on it), and two
 * subscriptions never share one.
 */
export function webhookIdFor(subscriptionId: string, eventKey: string): string {
  const digest = createHash('sha256').update(`${subscriptionId}\u0000${eventKey}`).digest('hex');
  return `msg_${digest.slice(0, 32)}`;
}
