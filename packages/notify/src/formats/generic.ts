import { webhookBody } from '../events.ts';
import { standardWebhookHeaders } from '../signing.ts';
import { type DeliveryOutcome, type FormatContext, failedResponse, isSuccess } from './types.ts';

/**
 * Standard Webhooks: POST `{type, timestamp, data}` as JSON with `webhook-id` (the event's, constant across
 * retries), `webhook-timestamp` (this attempt's) and `webhook-signature` (one `v1,` entry per active secret).
 */
export async function deliverGeneric(ctx: FormatContext): Promise<DeliveryOutcome> {
  const body = webhookBody(ctx.event);
  const response = await ctx.send({
    method: 'POST',
    url: ctx.url,
    headers: {
      'content-type': 'application/json',
      ...standardWebhookHeaders({ id: ctx.webhookId, at: ctx.now, body, secrets: ctx.signingSecrets }),
    },
    body,
  });
  if (!isSuccess(response.status)) return failedResponse('deliver', response);
  return { ok: true, status: response.status };
}
