import type { WebhookEvent } from '../events.ts';
import type { OutboundRequest, OutboundResponse } from '../http-client.ts';

/** The ticket a subscription keeps for one finding on one cluster (Jira issue, ServiceNow incident, PD alert). */
export interface TicketRef {
  /** Jira issue id, ServiceNow sys_id, PagerDuty dedup_key. */
  id: string;
  /** What people call it: Jira key (OPS-12), incident number (INC0010001). */
  key?: string;
  /** Where a person can open it. */
  url?: string;
  state: 'open' | 'resolved';
}

export interface FormatContext<
  Config = Record<string, unknown>,
  Credentials = Record<string, string> | null,
> {
  event: WebhookEvent;
  /** Constant across retries and redeliveries of this event to this subscription. */
  webhookId: string;
  /** The real destination (for Slack, the unsealed webhook URL). */
  url: string;
  config: Config;
  credentials: Credentials;
  /** Signing secrets in force (generic only). */
  signingSecrets: readonly string[];
  /** The ticket kept for this finding, if any (finding events of ticket formats only). */
  ticket: TicketRef | null;
  /** 1 for the first attempt; later attempts look for a ticket a lost response may have created. */
  attempt: number;
  now: Date;
  send(request: OutboundRequest): Promise<OutboundResponse>;
}

export type DeliveryOutcome =
  | {
      ok: true;
      /** The status of the last request made (0 when nothing had to be sent). */
      status: number;
      /** undefined: keep the stored ticket; null: forget it; a value: store it. */
      ticket?: TicketRef | null;
      /** What was done, for the delivery's record: "created OPS-12", "nothing to resolve". */
      note?: string;
    }
  | {
      ok: false;
      status?: number;
      retryAfter?: string;
      /** Status codes and steps only: a remote body is never stored or shown. */
      error: string;
    };

export function failedResponse(step: string, response: OutboundResponse): DeliveryOutcome {
  const retryAfter = response.headers['retry-after'];
  return {
    ok: false,
    status: response.status,
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    error: `${step}: HTTP ${response.status}`,
  };
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** `base` without a trailing slash, so paths can be appended. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/** Parses a JSON body the format needs (an issue key, a sys_id); null when it is not JSON. */
export function jsonBody(response: OutboundResponse): unknown {
  try {
    return JSON.parse(response.body);
  } catch {
    return null;
  }
}
