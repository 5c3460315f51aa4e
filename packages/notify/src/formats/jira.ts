import type { JiraConfig, JiraCredentials } from '../subscription.ts';
import { clip, factsOf, messageOf, summaryOf } from './text.ts';
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

type JiraContext = FormatContext<JiraConfig, JiraCredentials>;

type AdfNode = Record<string, unknown>;

function textNode(text: string, strong = false): AdfNode {
  // ADF rejects empty text nodes.
  return { type: 'text', text: text === '' ? '—' : text, ...(strong ? { marks: [{ type: 'strong' }] } : {}) };
}

/** The issue description in Atlassian Document Format (REST v3 takes no plain-text description). */
export function jiraDescription(ctx: JiraContext): AdfNode {
  const content: AdfNode[] = [];
  const message = messageOf(ctx.event);
  if (message) content.push({ type: 'paragraph', content: [textNode(clip(message, 30_000))] });
  content.push({
    type: 'bulletList',
    content: factsOf(ctx.event).map(([label, value]) => ({
      type: 'listItem',
      content: [{ type: 'paragraph', content: [textNode(`${label}: `, true), textNode(clip(value, 2_000))] }],
    })),
  });
  content.push({
    type: 'paragraph',
    content: [textNode(`Reported by Vigil (${ctx.event.type}, ${ctx.webhookId}).`)],
  });
  return { type: 'doc', version: 1, content };
}

function headers(ctx: JiraContext): Record<string, string> {
  return {
    authorization: basicAuth(ctx.credentials.email, ctx.credentials.apiToken),
    accept: 'application/json',
    'content-type': 'application/json',
  };
}

/** A label unique to this event and subscription, so a retry can find an issue whose creation response was lost. */
function eventLabel(ctx: JiraContext): string {
  return `vigil-${ctx.webhookId}`;
}

function ticketOf(ctx: JiraContext, issue: { id: string; key: string }): TicketRef {
  return { id: issue.id, key: issue.key, url: joinUrl(ctx.url, `/browse/${issue.key}`), state: 'open' };
}

function issueOf(value: unknown): { id: string; key: string } | null {
  const v = value as { id?: unknown; key?: unknown } | null;
  return v && typeof v.id === 'string' && typeof v.key === 'string' ? { id: v.id, key: v.key } : null;
}

async function findCreated(ctx: JiraContext): Promise<{ id: string; key: string } | DeliveryOutcome | null> {
  const jql = `labels = "${eventLabel(ctx)}" ORDER BY created ASC`;
  const response = await ctx.send({
    method: 'GET',
    url: joinUrl(ctx.url, `/rest/api/3/search/jql?jql=${encodeURIComponent(jql)}&fields=key&maxResults=1`),
    headers: headers(ctx),
  });
  if (!isSuccess(response.status))
    return failedResponse('search for an issue created by an earlier attempt', response);
  const issues = (jsonBody(response) as { issues?: unknown[] } | null)?.issues;
  return Array.isArray(issues) && issues.length > 0 ? issueOf(issues[0]) : null;
}

async function createIssue(ctx: JiraContext): Promise<DeliveryOutcome> {
  if (ctx.attempt > 1) {
    const found = await findCreated(ctx);
    if (found && 'ok' in found) return found;
    if (found)
      return {
        ok: true,
        status: 200,
        ticket: ticketOf(ctx, found),
        note: `found ${found.key} from an earlier attempt`,
      };
  }
  const response = await ctx.send({
    method: 'POST',
    url: joinUrl(ctx.url, '/rest/api/3/issue'),
    headers: headers(ctx),
    body: JSON.stringify({
      fields: {
        project: { key: ctx.config.projectKey },
        issuetype: { name: ctx.config.issueType },
        summary: clip(summaryOf(ctx.event).replace(/[\r\n]+/g, ' '), 255),
        description: jiraDescription(ctx),
        labels: [...new Set(['vigil', eventLabel(ctx), ...ctx.config.labels])],
      },
    }),
  });
  if (!isSuccess(response.status)) return failedResponse('create issue', response);
  const issue = issueOf(jsonBody(response));
  if (!issue)
    return { ok: false, status: response.status, error: 'create issue: the response names no issue' };
  return { ok: true, status: response.status, ticket: ticketOf(ctx, issue), note: `created ${issue.key}` };
}

interface Transition {
  id: string;
  name?: string;
  to?: { name?: string; statusCategory?: { key?: string } };
}

/** Moves the issue through the named transition, or the first one into the wanted status category. */
async function transition(
  ctx: JiraContext,
  ticket: TicketRef,
  want: { name?: string; categories: string[] },
): Promise<'moved' | 'gone' | 'none' | DeliveryOutcome> {
  const path = `/rest/api/3/issue/${encodeURIComponent(ticket.id)}/transitions`;
  const listed = await ctx.send({ method: 'GET', url: joinUrl(ctx.url, path), headers: headers(ctx) });
  if (listed.status === 404) return 'gone';
  if (!isSuccess(listed.status))
    return failedResponse(`list transitions of ${ticket.key ?? ticket.id}`, listed);
  const transitions = ((jsonBody(listed) as { transitions?: Transition[] } | null)?.transitions ?? []).filter(
    (t) => typeof t?.id === 'string',
  );
  const lower = want.name?.toLowerCase();
  const chosen = lower
    ? transitions.find((t) => t.name?.toLowerCase() === lower || t.to?.name?.toLowerCase() === lower)
    : want.categories
        .map((category) => transitions.find((t) => t.to?.statusCategory?.key === category))
        .find((t) => t !== undefined);
  if (!chosen) return 'none';
  const moved = await ctx.send({
    method: 'POST',
    url: joinUrl(ctx.url, path),
    headers: headers(ctx),
    body: JSON.stringify({ transition: { id: chosen.id } }),
  });
  if (moved.status === 404) return 'gone';
  if (!isSuccess(moved.status)) return failedResponse(`transition ${ticket.key ?? ticket.id}`, moved);
  return 'moved';
}

/**
 * Jira Cloud (REST v3): a finding opens an issue; its resolution moves the issue to a done status; a
 * reopened finding moves it back, or opens a new issue when the old one is gone or cannot be reopened.
 * Other events open one issue each.
 */
export async function deliverJira(ctx: JiraContext): Promise<DeliveryOutcome> {
  const type = ctx.event.type;
  if (!type.startsWith('finding.')) {
    const created = await createIssue(ctx);
    return created.ok
      ? { ok: true, status: created.status, ...(created.note ? { note: created.note } : {}) }
      : created;
  }
  const ticket = ctx.ticket;
  if (type === 'finding.resolved') {
    if (!ticket) return { ok: true, status: 0, note: 'no issue to resolve' };
    if (ticket.state === 'resolved') return { ok: true, status: 0, note: `${ticket.key} already resolved` };
    const result = await transition(ctx, ticket, {
      ...(ctx.config.resolveTransition ? { name: ctx.config.resolveTransition } : {}),
      categories: ['done'],
    });
    if (typeof result === 'object') return result;
    if (result === 'gone')
      return { ok: true, status: 404, ticket: null, note: `${ticket.key} no longer exists` };
    if (result === 'none') {
      return {
        ok: false,
        status: 200,
        error: `resolve ${ticket.key}: no transition to a done status is available`,
      };
    }
    return {
      ok: true,
      status: 204,
      ticket: { ...ticket, state: 'resolved' },
      note: `resolved ${ticket.key}`,
    };
  }
  if (ticket?.state === 'open') return { ok: true, status: 0, note: `${ticket.key} already open` };
  if (ticket) {
    const result = await transition(ctx, ticket, {
      ...(ctx.config.reopenTransition ? { name: ctx.config.reopenTransition } : {}),
      categories: ['new', 'indeterminate'],
    });
    if (typeof result === 'object') return result;
    if (result === 'moved') {
      return { ok: true, status: 204, ticket: { ...ticket, state: 'open' }, note: `reopened ${ticket.key}` };
    }
    // Deleted, or a workflow with no way back: a new issue carries the finding from here.
  }
  return createIssue(ctx);
}
