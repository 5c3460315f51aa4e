import { clip, factsOf, messageOf, summaryOf } from './text.ts';
import { type DeliveryOutcome, type FormatContext, failedResponse, isSuccess } from './types.ts';

/**
 * Slack's mrkdwn treats &, < and > as control characters (`<!channel>` pings everyone, `<url|text>` makes a
 * link). Cluster data is untrusted, so every value is escaped as Slack's formatting guide asks.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const EMOJI: Record<string, string> = {
  'finding.opened': ':rotating_light:',
  'finding.reopened': ':repeat:',
  'finding.resolved': ':white_check_mark:',
  'scan.failed': ':x:',
  'compliance.control_regressed': ':chart_with_downwards_trend:',
  'compliance.digest': ':clipboard:',
};

/** The incoming-webhook message: `text` (notifications and fallback) plus Block Kit blocks. */
export function slackMessage(ctx: FormatContext): Record<string, unknown> {
  const summary = summaryOf(ctx.event);
  const facts = factsOf(ctx.event);
  const message = messageOf(ctx.event);
  const blocks: Record<string, unknown>[] = [
    // Header blocks take plain text of at most 150 characters.
    { type: 'header', text: { type: 'plain_text', text: clip(summary, 150), emoji: true } },
  ];
  if (message) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(escapeSlack(message), 3000) } });
  }
  // A section holds at most 10 fields of at most 2000 characters each.
  for (let i = 0; i < facts.length; i += 10) {
    blocks.push({
      type: 'section',
      fields: facts.slice(i, i + 10).map(([label, value]) => ({
        type: 'mrkdwn',
        text: clip(`*${escapeSlack(label)}*\n${escapeSlack(value)}`, 2000),
      })),
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `Vigil · ${escapeSlack(ctx.event.type)} · ${escapeSlack(ctx.webhookId)}` },
    ],
  });
  return {
    text: `${EMOJI[ctx.event.type] ?? ''} ${escapeSlack(summary)}`.trim(),
    blocks: blocks.slice(0, 50),
  };
}

/** Slack incoming webhooks answer 200 "ok"; 400/403/404 name a problem; 410 means the channel is archived. */
export async function deliverSlack(ctx: FormatContext): Promise<DeliveryOutcome> {
  const response = await ctx.send({
    method: 'POST',
    url: ctx.url,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(slackMessage(ctx)),
  });
  if (!isSuccess(response.status)) return failedResponse('post message', response);
  return { ok: true, status: response.status };
}
