import type { FindingEventData, WebhookEvent } from '../events.ts';
import type { PagerDutyCredentials } from '../subscription.ts';
import { clip, clusterOf, factsOf, resourceText, summaryOf } from './text.ts';
import { type DeliveryOutcome, type FormatContext, failedResponse, isSuccess } from './types.ts';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

const SEVERITY: Record<FindingEventData['severity'], 'critical' | 'error' | 'warning' | 'info'> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'info',
};

/**
 * The alert's dedup_key. Fingerprints identify a misconfiguration across the fleet (they do not include the
 * cluster), and PagerDuty keeps one alert per key, so the key is `<fingerprint>:<cluster id>`: the same
 * finding on two clusters is two alerts, and resolving one never resolves the other.
 */
export function pagerDutyDedupKey(event: WebhookEvent): string {
  switch (event.type) {
    case 'finding.opened':
    case 'finding.reopened':
    case 'finding.resolved':
      return `${event.data.fingerprint}:${event.data.clusterId}`;
    case 'scan.failed':
      return `scan-failed:${event.data.clusterId}`;
    case 'compliance.control_regressed':
      return `control:${event.data.qualifiedId}:${event.data.clusterId}`;
    case 'compliance.digest':
      return `digest:${event.data.date}`;
  }
}

/** The Events API v2 body (https://developer.pagerduty.com/docs/events-api-v2/trigger-events). */
export function pagerDutyEvent(ctx: FormatContext<unknown, PagerDutyCredentials>): Record<string, unknown> {
  const event = ctx.event;
  const dedupKey = pagerDutyDedupKey(event);
  if (event.type === 'finding.resolved') {
    return { routing_key: ctx.credentials.routingKey, event_action: 'resolve', dedup_key: dedupKey };
  }
  const base = {
    routing_key: ctx.credentials.routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    client: 'Vigil',
  };
  const details = Object.fromEntries(factsOf(event));
  switch (event.type) {
    case 'finding.opened':
    case 'finding.reopened':
      return {
        ...base,
        payload: {
          summary: clip(summaryOf(event), 1024),
          source: event.data.clusterName,
          severity: SEVERITY[event.data.severity],
          timestamp: event.timestamp,
          component: clip(resourceText(event.data), 255),
          group: event.data.clusterName,
          class: event.data.checkId,
          custom_details: { ...details, message: event.data.message },
        },
      };
    case 'scan.failed':
      return {
        ...base,
        payload: {
          summary: clip(summaryOf(event), 1024),
          source: event.data.clusterName,
          severity: 'error',
          timestamp: event.timestamp,
          group: event.data.clusterName,
          class: 'scan.failed',
          custom_details: details,
        },
      };
    default:
      return {
        ...base,
        payload: {
          summary: clip(summaryOf(event), 1024),
          source: clusterOf(event)?.clusterName ?? 'vigil',
          severity: 'warning',
          timestamp: event.timestamp,
          class: event.type,
          custom_details: details,
        },
      };
  }
}

/**
 * Triggers or resolves the alert. The Events API is keyed by dedup_key, so it needs no stored reference to
 * resolve; the ticket kept is the key (202 Accepted is success; 400 is an invalid event; 429 is throttling).
 */
export async function deliverPagerDuty(
  ctx: FormatContext<unknown, PagerDutyCredentials>,
): Promise<DeliveryOutcome> {
  const body = pagerDutyEvent(ctx);
  const response = await ctx.send({
    method: 'POST',
    url: ctx.url,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (!isSuccess(response.status)) return failedResponse(`${String(body.event_action)} alert`, response);
  const id = String(body.dedup_key);
  if (!ctx.event.type.startsWith('finding.')) return { ok: true, status: response.status };
  const state = ctx.event.type === 'finding.resolved' ? 'resolved' : 'open';
  return {
    ok: true,
    status: response.status,
    ticket: { id, state },
    note: `${state === 'open' ? 'triggered' : 'resolved'} ${id}`,
  };
}
