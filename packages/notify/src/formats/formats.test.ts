import { describe, expect, it } from 'vitest';
import { parseWebhookEvent, type WebhookEvent, webhookBody } from '../events.ts';
import { generateWebhookSecret } from '../signing.ts';
import { activeSigningSecrets, rotateSigningSecret } from '../subscription.ts';
import { jiraDescription } from './jira.ts';
import { pagerDutyDedupKey, pagerDutyEvent } from './pagerduty.ts';
import { serviceNowCorrelation } from './servicenow.ts';
import { escapeSlack, slackMessage } from './slack.ts';
import { clip, summaryOf } from './text.ts';
import type { FormatContext } from './types.ts';

const finding = (overrides: Record<string, unknown> = {}): WebhookEvent =>
  parseWebhookEvent({
    type: 'finding.opened',
    timestamp: '2026-01-02T03:04:05.000Z',
    data: {
      clusterId: 'c-1',
      clusterName: 'prod-eu',
      runId: 'r-1',
      fingerprint: 'f'.repeat(32),
      checkId: 'cluster-admin',
      title: 'Subjects bound to cluster-admin',
      severity: 'high',
      resource: { kind: 'ClusterRoleBinding', name: 'ops-admins' },
      subject: { kind: 'Group', name: 'ops' },
      message: 'Group ops is bound to cluster-admin through ClusterRoleBinding ops-admins',
      controls: ['cis-eks-1.8.0:4.1.1'],
      firstSeenAt: '2026-01-01T00:00:00.000Z',
      lastSeenAt: '2026-01-02T00:00:00.000Z',
      reopenedCount: 0,
      ...overrides,
    },
  });

function ctx(event: WebhookEvent, extra: Partial<FormatContext> = {}): FormatContext {
  return {
    event,
    webhookId: 'msg_abc',
    url: 'https://dest.example',
    config: {},
    credentials: { routingKey: 'r'.repeat(32) },
    signingSecrets: [],
    ticket: null,
    attempt: 1,
    now: new Date(),
    send: async () => {
      throw new Error('not sent in this test');
    },
    ...extra,
  };
}

describe('event payloads', () => {
  it('serialises exactly {type, timestamp, data}', () => {
    const event = finding();
    expect(Object.keys(JSON.parse(webhookBody(event)))).toEqual(['type', 'timestamp', 'data']);
  });

  it('refuses a stored event of an unknown type or with a malformed field, naming the field', () => {
    expect(() => parseWebhookEvent({ type: 'finding.exploded', timestamp: 't', data: {} })).toThrow(
      /unknown event type/,
    );
    expect(() => finding({ severity: 'urgent' })).toThrow(/^malformed finding\.opened payload at severity/);
    expect(() => finding({ resource: { kind: 'X' } })).toThrow(/at resource\.name/);
  });

  it('keeps fields it does not know for generic receivers', () => {
    expect(finding({ suppression: { exceptionId: 'e' } }).data).toMatchObject({
      suppression: { exceptionId: 'e' },
    });
  });
});

describe('Slack', () => {
  it('escapes control characters of untrusted cluster data so nothing pings a channel or forms a link', () => {
    const event = finding({ clusterName: 'prod', message: 'user <!channel> & <https://evil.example|click>' });
    const message = JSON.stringify(slackMessage(ctx(event)));
    expect(message).not.toContain('<!channel>');
    expect(message).not.toContain('<https://evil');
    expect(message).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    expect(escapeSlack('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it('keeps within Block Kit limits: a plain-text header of at most 150 characters, at most 10 fields a section', () => {
    const message = slackMessage(
      ctx(finding({ title: 'x'.repeat(400), controls: Array.from({ length: 30 }, (_, i) => `c:${i}`) })),
    );
    const blocks = message.blocks as {
      type: string;
      text?: { type: string; text: string };
      fields?: unknown[];
    }[];
    expect(blocks[0]?.type).toBe('header');
    expect(blocks[0]?.text?.text.length).toBeLessThanOrEqual(150);
    expect(blocks.every((b) => (b.fields?.length ?? 0) <= 10)).toBe(true);
    expect(typeof message.text).toBe('string');
  });
});

describe('Jira', () => {
  it('describes the finding in Atlassian Document Format without empty text nodes', () => {
    const doc = jiraDescription(ctx(finding({ subject: { kind: 'User', name: '' } })) as never) as {
      type: string;
      version: number;
      content: unknown[];
    };
    expect(doc).toMatchObject({ type: 'doc', version: 1 });
    const texts: string[] = [];
    const walk = (node: unknown) => {
      const n = node as { type?: string; text?: string; content?: unknown[] };
      if (n.type === 'text') texts.push(n.text!);
      for (const child of n.content ?? []) walk(child);
    };
    walk(doc);
    expect(texts.every((t) => t.length > 0)).toBe(true);
    expect(texts.join('')).toContain('Group ops is bound to cluster-admin');
  });

  it('titles tickets on one line within 255 characters', () => {
    const summary = summaryOf(finding({ title: 'y'.repeat(300) }));
    expect(clip(summary, 255)).toHaveLength(255);
    expect(summary.startsWith('[high] prod-eu: ')).toBe(true);
  });
});

describe('PagerDuty', () => {
  it('triggers with a per-cluster dedup key and maps severities to the four PagerDuty levels', () => {
    const event = finding({ severity: 'medium' });
    const body = pagerDutyEvent(ctx(event) as never) as {
      event_action: string;
      dedup_key: string;
      payload: Record<string, unknown>;
    };
    expect(body).toMatchObject({
      event_action: 'trigger',
      dedup_key: `${'f'.repeat(32)}:c-1`,
      routing_key: 'r'.repeat(32),
    });
    expect(body.payload).toMatchObject({ severity: 'warning', source: 'prod-eu', class: 'cluster-admin' });
    expect((body.payload.summary as string).length).toBeLessThanOrEqual(1024);
  });

  it('resolves with only the routing key, action and dedup key', () => {
    const resolved = parseWebhookEvent({ type: 'finding.resolved', timestamp: 't', data: finding().data });
    expect(pagerDutyEvent(ctx(resolved) as never)).toEqual({
      routing_key: 'r'.repeat(32),
      event_action: 'resolve',
      dedup_key: pagerDutyDedupKey(resolved),
    });
  });
});

describe('ServiceNow', () => {
  it('correlates a finding incident on its fingerprint and names the cluster', () => {
    expect(serviceNowCorrelation(ctx(finding()) as never)).toEqual({
      correlation_id: 'f'.repeat(32),
      correlation_display: 'vigil:c-1',
    });
  });
});

describe('signing secret rotation', () => {
  it('signs with the previous secret until the overlap ends', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const first = generateWebhookSecret();
    const { secrets, secret } = rotateSigningSecret(
      { credentials: null, signing: { current: first } },
      { now, overlapSeconds: 60 },
    );
    expect(activeSigningSecrets(secrets, now)).toEqual([secret, first]);
    expect(activeSigningSecrets(secrets, new Date(now.getTime() + 61_000))).toEqual([secret]);
    expect(() => rotateSigningSecret(secrets, { now, overlapSeconds: 8 * 24 * 3600 })).toThrow(
      /overlapSeconds/,
    );
    expect(rotateSigningSecret(secrets, { now, overlapSeconds: 0 }).secrets.signing).toEqual({
      current: expect.any(String),
    });
  });
});
