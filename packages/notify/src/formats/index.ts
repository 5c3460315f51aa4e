import { NotifyError } from '../errors.ts';
import type {
  JiraConfig,
  JiraCredentials,
  PagerDutyCredentials,
  ServiceNowConfig,
  ServiceNowCredentials,
  WebhookFormat,
} from '../subscription.ts';
import { deliverGeneric } from './generic.ts';
import { deliverJira } from './jira.ts';
import { deliverPagerDuty } from './pagerduty.ts';
import { deliverServiceNow } from './servicenow.ts';
import { deliverSlack } from './slack.ts';
import type { DeliveryOutcome, FormatContext } from './types.ts';

export { jiraDescription } from './jira.ts';
export { PAGERDUTY_EVENTS_URL, pagerDutyDedupKey, pagerDutyEvent } from './pagerduty.ts';
export { INCIDENT_STATE, serviceNowCorrelation } from './servicenow.ts';
export { escapeSlack, slackMessage } from './slack.ts';
export { clip, factsOf, summaryOf } from './text.ts';
export type { DeliveryOutcome, FormatContext, TicketRef } from './types.ts';

/**
 * Delivers one event in a format. Transport failures (refused destination, timeout, connection errors)
 * become a failed outcome; anything else thrown is a bug and propagates.
 */
export async function deliverEvent(format: WebhookFormat, ctx: FormatContext): Promise<DeliveryOutcome> {
  try {
    switch (format) {
      case 'generic':
        return await deliverGeneric(ctx);
      case 'slack':
        return await deliverSlack(ctx);
      case 'pagerduty':
        return await deliverPagerDuty(ctx as FormatContext<unknown, PagerDutyCredentials>);
      case 'jira':
        return await deliverJira(ctx as unknown as FormatContext<JiraConfig, JiraCredentials>);
      case 'servicenow':
        return await deliverServiceNow(
          ctx as unknown as FormatContext<ServiceNowConfig, ServiceNowCredentials>,
        );
    }
  } catch (error) {
    if (error instanceof NotifyError) return { ok: false, error: error.message };
    throw error;
  }
}
