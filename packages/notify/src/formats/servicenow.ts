import type { ServiceNowConfig, ServiceNowCredentials } from '../subscription.ts';
import { clip, clusterOf, factsOf, findingOf, messageOf, summaryOf } from './text.ts';
import {
  basicAuth,
  type DeliveryOutcome,
  type FormatContext,
  failedResponse,
  isSuccess,
  joinUrl,
  jsonBody,
  type TicketRef,
} from './types.ts';

type ServiceNowContext = FormatContext<ServiceNowConfig, ServiceNowCredentials>;

/** Incident states (the incident table's `state` choices). */
export const INCIDENT_STATE = {
  new: '1',
  inProgress: '2',
  onHold: '3',
  resolved: '6',
  closed: '7',
  canceled: '8',
};

const IMPACT_URGENCY: Record<string, [string, string]> = {
  critical: ['1', '1'],
  high: ['2', '1'],
  medium: ['2', '2'],
  low: ['3', '2'],
  info: ['3', '3'],
};

const FIELDS = 'sysparm_fields=sys_id,number,state&sysparm_exclude_reference_link=true';

function headers(ctx: ServiceNowContext): Record<string, string> {
  return {
    authorization: basicAuth(ctx.credentials.username, ctx.credentials.password),
    accept: 'application/json',
    'content-type': 'application/json',
  };
}

/**
 * `correlation_id` is the finding's fingerprint and `correlation_display` names Vigil and the cluster (a
 * fingerprint recurs across clusters); together they find the incident for one finding on one cluster.
 * Other events correlate on their webhook id.
 */
export function serviceNowCorrelation(ctx: ServiceNowContext): {
  correlation_id: string;
  correlation_display: string;
} {
  const finding = findingOf(ctx.event);
  if (finding)
    return { correlation_id: finding.fingerprint, correlation_display: `vigil:${finding.clusterId}` };
  return { correlation_id: ctx.webhookId, correlation_display: 'vigil' };
}

interface IncidentRecord {
  sys_id: string;
  number?: string;
  state?: string;
}

function recordOf(value: unknown): IncidentRecord | null {
  const result = (value as { result?: unknown } | null)?.result;
  const record = (Array.isArray(result) ? result[0] : result) as Partial<IncidentRecord> | undefined;
  return record && typeof record.sys_id === 'string'
    ? {
        sys_id: record.sys_id,
        ...(typeof record.number === 'string' ? { number: record.number } : {}),
        ...(typeof record.state === 'string' ? { state: record.state } : {}),
      }
    : null;
}

function ticketOf(ctx: ServiceNowContext, record: IncidentRecord): TicketRef {
  return {
    id: record.sys_id,
    ...(record.number ? { key: record.number } : {}),
    url: joinUrl(ctx.url, `/nav_to.do?uri=incident.do?sys_id=${record.sys_id}`),
    state: 'open',
  };
}

function descriptionOf(ctx: ServiceNowContext): string {
  const lines: string[] = [];
  const message = messageOf(ctx.event);
  if (message) lines.push(message, '');
  for (const [label, value] of factsOf(ctx.event)) lines.push(`${label}: ${value}`);
  lines.push('', `Reported by Vigil (${ctx.event.type}, ${ctx.webhookId}).`);
  return clip(lines.join('\n'), 4000);
}

async function findActive(ctx: ServiceNowContext): Promise<IncidentRecord | DeliveryOutcome | null> {
  const c = serviceNowCorrelation(ctx);
  const query = `correlation_id=${c.correlation_id}^correlation_display=${c.correlation_display}^active=true`;
  const response = await ctx.send({
    method: 'GET',
    url: joinUrl(
      ctx.url,
      `/api/now/table/incident?sysparm_query=${encodeURIComponent(query)}&sysparm_limit=1&${FIELDS}`,
    ),
    headers: headers(ctx),
  });
  if (!isSuccess(response.status))
    return failedResponse('look up an incident created by an earlier attempt', response);
  return recordOf(jsonBody(response));
}

async function createIncident(ctx: ServiceNowContext): Promise<DeliveryOutcome> {
  if (ctx.attempt > 1) {
    const found = await findActive(ctx);
    if (found && 'ok' in found) return found;
    if (found)
      return {
        ok: true,
        status: 200,
        ticket: ticketOf(ctx, found),
        note: `found ${found.number ?? found.sys_id} from an earlier attempt`,
      };
  }
  const severity = findingOf(ctx.event)?.severity ?? (ctx.event.type === 'scan.failed' ? 'high' : 'medium');
  const [impact, urgency] = IMPACT_URGENCY[severity] ?? IMPACT_URGENCY.medium!;
  const response = await ctx.send({
    method: 'POST',
    url: joinUrl(ctx.url, `/api/now/table/incident?${FIELDS}`),
    headers: headers(ctx),
    body: JSON.stringify({
      short_description: clip(summaryOf(ctx.event).replace(/[\r\n]+/g, ' '), 160),
      description: descriptionOf(ctx),
      ...serviceNowCorrelation(ctx),
      impact,
      urgency,
      ...(ctx.config.category ? { category: ctx.config.category } : {}),
      ...(ctx.config.assignmentGroup ? { assignment_group: ctx.config.assignmentGroup } : {}),
      ...(ctx.config.callerId ? { caller_id: ctx.config.callerId } : {}),
    }),
  });
  if (!isSuccess(response.status)) return failedResponse('create incident', response);
  const record = recordOf(jsonBody(response));
  if (!record)
    return { ok: false, status: response.status, error: 'create incident: the response names no sys_id' };
  return {
    ok: true,
    status: response.status,
    ticket: ticketOf(ctx, record),
    note: `created ${record.number ?? record.sys_id}`,
  };
}

async function update(
  ctx: ServiceNowContext,
  ticket: TicketRef,
  fields: Record<string, string>,
): Promise<{ status: number; record: IncidentRecord | null } | DeliveryOutcome> {
  const response = await ctx.send({
    method: 'PATCH',
    url: joinUrl(ctx.url, `/api/now/table/incident/${encodeURIComponent(ticket.id)}?${FIELDS}`),
    headers: headers(ctx),
    body: JSON.stringify(fields),
  });
  if (response.status === 404) return { status: 404, record: null };
  if (!isSuccess(response.status)) return failedResponse(`update ${ticket.key ?? ticket.id}`, response);
  return { status: response.status, record: recordOf(jsonBody(response)) };
}

/**
 * ServiceNow incidents through the Table API: a finding opens an incident; its resolution sets state 6
 * (Resolved) with a close code and notes; a reopened finding moves the incident back to In Progress, or
 * opens a new one when the old one is closed or gone (closed incidents cannot be reopened).
 */
export async function deliverServiceNow(ctx: ServiceNowContext): Promise<DeliveryOutcome> {
  const type = ctx.event.type;
  if (!type.startsWith('finding.')) {
    const created = await createIncident(ctx);
    return created.ok
      ? { ok: true, status: created.status, ...(created.note ? { note: created.note } : {}) }
      : created;
  }
  const ticket = ctx.ticket;
  const cluster = clusterOf(ctx.event)?.clusterName ?? '';
  if (type === 'finding.resolved') {
    if (!ticket) return { ok: true, status: 0, note: 'no incident to resolve' };
    if (ticket.state === 'resolved') return { ok: true, status: 0, note: `${ticket.key} already resolved` };
    const result = await update(ctx, ticket, {
      state: INCIDENT_STATE.resolved,
      close_code: ctx.config.closeCode,
      close_notes: `Vigil: the finding is no longer open on ${cluster} (${ctx.webhookId}).`,
    });
    if ('ok' in result) return result;
    if (result.record === null && result.status === 404) {
      return { ok: true, status: 404, ticket: null, note: `${ticket.key} no longer exists` };
    }
    return {
      ok: true,
      status: result.status,
      ticket: { ...ticket, state: 'resolved' },
      note: `resolved ${ticket.key}`,
    };
  }
  if (ticket?.state === 'open') return { ok: true, status: 0, note: `${ticket.key} already open` };
  if (ticket) {
    const result = await update(ctx, ticket, {
      state: INCIDENT_STATE.inProgress,
      work_notes: `Vigil: the finding is open again on ${cluster} (${ctx.webhookId}).`,
    });
    if ('ok' in result) return result;
    if (result.record?.state === INCIDENT_STATE.inProgress) {
      return {
        ok: true,
        status: result.status,
        ticket: { ...ticket, state: 'open' },
        note: `reopened ${ticket.key}`,
      };
    }
    // Gone, or closed for good: a new incident carries the finding from here.
  }
  return createIncident(ctx);
}
