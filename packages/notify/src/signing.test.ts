import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  isWebhookSecret,
  signatureHeader,
  standardWebhookHeaders,
  webhookIdFor,
} from './signing.ts';

describe('Standard Webhooks signing', () => {
  const body = JSON.stringify({
    type: 'finding.opened',
    timestamp: '2026-01-02T03:04:05.000Z',
    data: { a: 'ü' },
  });

  it('produces headers that the reference library verifies', () => {
    const secret = generateWebhookSecret();
    const headers = standardWebhookHeaders({ id: 'msg_1', at: new Date(), body, secrets: [secret] });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('signs with every active secret, so receivers holding either one verify during a rotation', () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = standardWebhookHeaders({
      id: 'msg_2',
      at: new Date(),
      body,
      secrets: [newSecret, oldSecret],
    });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(oldSecret).verify(body, headers)).toBeTruthy();
    expect(new Webhook(newSecret).verify(body, headers)).toBeTruthy();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(
      WebhookVerificationError,
    );
  });

  it('fails verification when the body, id or timestamp is altered', () => {
    const secret = generateWebhookSecret();
    const headers = standardWebhookHeaders({ id: 'msg_3', at: new Date(), body, secrets: [secret] });
    const hook = new Webhook(secret);
    expect(() => hook.verify(`${body} `, headers)).toThrow(WebhookVerificationError);
    expect(() => hook.verify(body, { ...headers, 'webhook-id': 'msg_4' })).toThrow(WebhookVerificationError);
    const earlier = String(Number(headers['webhook-timestamp']) - 1);
    expect(() => hook.verify(body, { ...headers, 'webhook-timestamp': earlier })).toThrow(
      WebhookVerificationError,
    );
  });

  it('matches the signature the reference library computes for a fixed input', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const timestamp = 1_614_265_330;
    const expected = new Webhook(secret).sign(
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      new Date(timestamp * 1000),
      '{"test": 2432232314}',
    );
    expect(
      signatureHeader({
        id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        timestamp,
        body: '{"test": 2432232314}',
        secrets: [secret],
      }),
    ).toBe(expected);
  });

  it('generates whsec_ secrets of 32 random bytes and rejects malformed ones', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(generateWebhookSecret());
    expect(isWebhookSecret(a)).toBe(true);
    expect(isWebhookSecret('whsec_short')).toBe(false);
    expect(isWebhookSecret('sk_abcdefabcdefabcdefabcdefabcdefabcdef')).toBe(false);
    expect(() => signatureHeader({ id: 'x', timestamp: 1, body: '', secrets: ['whsec_!!'] })).toThrow(
      /not a whsec_/,
    );
    expect(() => signatureHeader({ id: 'x', timestamp: 1, body: '', secrets: [] })).toThrow(/at least one/);
  });

  it('derives one webhook id per (subscription, event), the same on every call', () => {
    const id = webhookIdFor('sub-1', 'evt-1');
    expect(id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(webhookIdFor('sub-1', 'evt-1')).toBe(id);
    expect(webhookIdFor('sub-2', 'evt-1')).not.toBe(id);
    expect(webhookIdFor('sub-1', 'evt-2')).not.toBe(id);
  });
});
