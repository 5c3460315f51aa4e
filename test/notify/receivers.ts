import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Loopback receivers that behave like the destinations Vigil delivers to, as their public API documents
 * describe them: status codes, authentication, and the payload shapes they accept or reject. Each records
 * what it received so tests can assert on it.
 */

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this many milliseconds. */
  delayMs?: number;
}

interface Server {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

type Handle = (req: Received) => Reply | Promise<Reply>;

async function serve(handle: Handle): Promise<Server> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const entry: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      received.push(entry);
      let reply: Reply;
      try {
        reply = await handle(entry);
      } catch (error) {
        reply = { status: 500, body: String(error) };
      }
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(value),
});

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function basicUser(header: string | string[] | undefined): [string, string] | null {
  if (typeof header !== 'string' || !header.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

// ---------------------------------------------------------------------------------------------------------
// Generic Standard Webhooks endpoint: answers from a script of replies (then a default).

export interface GenericReceiver extends Server {
  /** Replies used in order for the next requests; afterwards `fallback`. */
  script: Reply[];
  fallback: Reply;
}

export async function startGenericReceiver(fallback: Reply = { status: 204 }): Promise<GenericReceiver> {
  const state = { script: [] as Reply[], fallback };
  const server = await serve(() => state.script.shift() ?? state.fallback);
  return Object.assign(state, server);
}

// ---------------------------------------------------------------------------------------------------------
// Jira Cloud REST v3: create issue (ADF description), transitions, JQL search. Basic auth (email:api token).

export interface JiraIssue {
  id: string;
  key: string;
  summary: string;
  labels: string[];
  status: 'To Do' | 'In Progress' | 'Done';
  description: unknown;
}

export interface JiraReceiver extends Server {
  issues: Map<string, JiraIssue>;
  /** Issues by key. */
  byKey(key: string): JiraIssue | undefined;
  deleteIssue(key: string): void;
}

const CATEGORY: Record<JiraIssue['status'], string> = {
  'To Do': 'new',
  'In Progress': 'indeterminate',
  Done: 'done',
};
const TRANSITIONS: Record<JiraIssue['status'], { id: string; name: string; to: JiraIssue['status'] }[]> = {
  'To Do': [
    { id: '21', name: 'Start progress', to: 'In Progress' },
    { id: '31', name: 'Done', to: 'Done' },
  ],
  'In Progress': [{ id: '31', name: 'Done', to: 'Done' }],
  Done: [{ id: '11', name: 'Reopen', to: 'To Do' }],
};

/** Checks a node of Atlassian Document Format the way Jira's validator does for what Vigil sends. */
function validAdf(node: unknown): boolean {
  const n = node as { type?: unknown; text?: unknown; content?: unknown; version?: unknown };
  if (!n || typeof n.type !== 'string') return false;
  if (n.type === 'text') return typeof n.text === 'string' && n.text.length > 0;
  if (n.type === 'doc' && n.version !== 1) return false;
  if (!['doc', 'paragraph', 'bulletList', 'listItem'].includes(n.type)) return false;
  return Array.isArray(n.content) && n.content.every(validAdf);
}

export async function startJiraReceiver(options: {
  email: string;
  apiToken: string;
  projectKey: string;
}): Promise<JiraReceiver> {
  const issues = new Map<string, JiraIssue>();
  let counter = 0;
  let base = '';
  const find = (idOrKey: string) =>
    issues.get(idOrKey) ?? [...issues.values()].find((i) => i.key === idOrKey);
  const server = await serve((req) => {
    const auth = basicUser(req.headers.authorization);
    if (!auth || auth[0] !== options.email || auth[1] !== options.apiToken) {
      return json(401, {
        errorMessages: ['You are not authenticated. Authentication required to perform this operation.'],
      });
    }
    const url = new URL(req.path, 'http://jira');
    if (req.method === 'POST' && url.pathname === '/rest/api/3/issue') {
      const body = parseJson(req.body) as { fields?: Record<string, unknown> } | undefined;
      const f = body?.fields;
      const errors: Record<string, string> = {};
      if ((f?.project as { key?: unknown })?.key !== options.projectKey)
        errors.project = 'valid project is required';
      if (typeof (f?.issuetype as { name?: unknown })?.name !== 'string')
        errors.issuetype = 'valid issue type is required';
      if (
        typeof f?.summary !== 'string' ||
        f.summary.length === 0 ||
        f.summary.length > 255 ||
        /[\r\n]/.test(f.summary)
      ) {
        errors.summary = 'Summary must be less than 255 characters and on one line.';
      }
      if (!validAdf(f?.description)) errors.description = 'Operation value must be an Atlassian Document.';
      const labels = f?.labels;
      if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string' || /\s/.test(l))) {
        errors.labels = 'The label must not contain spaces.';
      }
      if (Object.keys(errors).length > 0) return json(400, { errorMessages: [], errors });
      counter++;
      const issue: JiraIssue = {
        id: String(10_000 + counter),
        key: `${options.projectKey}-${counter}`,
        summary: f!.summary as string,
        labels: labels as string[],
        status: 'To Do',
        description: f!.description,
      };
      issues.set(issue.id, issue);
      return json(201, { id: issue.id, key: issue.key, self: `${base}/rest/api/3/issue/${issue.id}` });
    }
    const transitions = /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/.exec(url.pathname);
    if (transitions) {
      const issue = find(decodeURIComponent(transitions[1]!));
      if (!issue)
        return json(404, {
          errorMessages: ['Issue does not exist or you do not have permission to see it.'],
        });
      if (req.method === 'GET') {
        return json(200, {
          expand: 'transitions',
          transitions: TRANSITIONS[issue.status].map((t) => ({
            id: t.id,
            name: t.name,
            hasScreen: false,
            to: { name: t.to, statusCategory: { key: CATEGORY[t.to] } },
          })),
        });
      }
      const id = (parseJson(req.body) as { transition?: { id?: unknown } } | undefined)?.transition?.id;
      const t = TRANSITIONS[issue.status].find((x) => x.id === id);
      if (!t) return json(400, { errorMessages: ['Transition id is not valid for this issue.'] });
      issue.status = t.to;
      return { status: 204 };
    }
    if (req.method === 'GET' && url.pathname === '/rest/api/3/search/jql') {
      const label = /labels = "([^"]+)"/.exec(url.searchParams.get('jql') ?? '')?.[1];
      const found = [...issues.values()].filter((i) => label && i.labels.includes(label));
      return json(200, { issues: found.slice(0, 1).map((i) => ({ id: i.id, key: i.key })), isLast: true });
    }
    return json(404, { errorMessages: ['not found'] });
  });
  base = server.url;
  return Object.assign(server, {
    issues,
    byKey: (key: string) => [...issues.values()].find((i) => i.key === key),
    deleteIssue: (key: string) => {
      const issue = [...issues.values()].find((i) => i.key === key);
      if (issue) issues.delete(issue.id);
    },
  });
}

// ---------------------------------------------------------------------------------------------------------
// ServiceNow Table API on the incident table. Basic auth. States: 1 New, 2 In Progress, 6 Resolved, 7 Closed.

export interface Incident {
  sys_id: string;
  number: string;
  state: string;
  active: boolean;
  short_description: string;
  description: string;
  correlation_id: string;
  correlation_display: string;
  impact: string;
  urgency: string;
  close_code?: string;
  close_notes?: string;
  work_notes: string[];
}

export interface ServiceNowReceiver extends Server {
  incidents: Map<string, Incident>;
  /** Closes an incident for good (state 7), as ServiceNow does some days after resolution. */
  closeIncident(sysId: string): void;
}

function pick(record: Incident, fields: string | null): Record<string, unknown> {
  if (!fields) return { ...record };
  return Object.fromEntries(
    fields.split(',').map((f) => [f, (record as unknown as Record<string, unknown>)[f]]),
  );
}

export async function startServiceNowReceiver(options: {
  username: string;
  password: string;
}): Promise<ServiceNowReceiver> {
  const incidents = new Map<string, Incident>();
  let counter = 0;
  const server = await serve((req) => {
    const auth = basicUser(req.headers.authorization);
    if (!auth || auth[0] !== options.username || auth[1] !== options.password) {
      return json(401, {
        error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
        status: 'failure',
      });
    }
    const url = new URL(req.path, 'http://snow');
    const fields = url.searchParams.get('sysparm_fields');
    if (url.pathname === '/api/now/table/incident' && req.method === 'POST') {
      const body = parseJson(req.body) as Record<string, unknown> | undefined;
      if (!body || typeof body.short_description !== 'string' || body.short_description.length > 160) {
        return json(400, { error: { message: 'Invalid short_description' }, status: 'failure' });
      }
      if (typeof body.correlation_id !== 'string' || body.correlation_id.length > 100) {
        return json(400, { error: { message: 'Invalid correlation_id' }, status: 'failure' });
      }
      for (const key of ['impact', 'urgency']) {
        if (!['1', '2', '3'].includes(body[key] as string))
          return json(400, { error: { message: `Invalid ${key}` }, status: 'failure' });
      }
      counter++;
      const incident: Incident = {
        sys_id: randomBytes(16).toString('hex'),
        number: `INC${String(10_000 + counter).padStart(7, '0')}`,
        state: '1',
        active: true,
        short_description: body.short_description,
        description: String(body.description ?? ''),
        correlation_id: body.correlation_id,
        correlation_display: String(body.correlation_display ?? ''),
        impact: body.impact as string,
        urgency: body.urgency as string,
        work_notes: [],
      };
      incidents.set(incident.sys_id, incident);
      return json(
        201,
        { result: pick(incident, fields) },
        { location: `/api/now/table/incident/${incident.sys_id}` },
      );
    }
    if (url.pathname === '/api/now/table/incident' && req.method === 'GET') {
      const query = url.searchParams.get('sysparm_query') ?? '';
      const terms = Object.fromEntries(query.split('^').map((t) => t.split('=') as [string, string]));
      const found = [...incidents.values()].filter(
        (i) =>
          (terms.correlation_id === undefined || i.correlation_id === terms.correlation_id) &&
          (terms.correlation_display === undefined || i.correlation_display === terms.correlation_display) &&
          (terms.active === undefined || String(i.active) === terms.active),
      );
      const limit = Number(url.searchParams.get('sysparm_limit') ?? 10_000);
      return json(200, { result: found.slice(0, limit).map((i) => pick(i, fields)) });
    }
    const one = /^\/api\/now\/table\/incident\/([0-9a-f]{32})$/.exec(url.pathname);
    if (one && req.method === 'PATCH') {
      const incident = incidents.get(one[1]!);
      if (!incident)
        return json(404, {
          error: {
            message: 'No Record found',
            detail: "Record doesn't exist or ACL restricts the record retrieval",
          },
          status: 'failure',
        });
      const body = (parseJson(req.body) ?? {}) as Record<string, string>;
      if (body.state === '6' && (!body.close_code || !body.close_notes)) {
        return json(400, {
          error: { message: 'Data Policy Exception: Resolution code and notes are mandatory' },
          status: 'failure',
        });
      }
      // A closed incident is read-only: the update is accepted but changes nothing, as the business rule does.
      if (incident.state !== '7') {
        if (body.state) incident.state = body.state;
        if (body.close_code) incident.close_code = body.close_code;
        if (body.close_notes) incident.close_notes = body.close_notes;
        if (body.work_notes) incident.work_notes.push(body.work_notes);
        incident.active = !['6', '7', '8'].includes(incident.state);
      }
      return json(200, { result: pick(incident, fields) });
    }
    return json(400, { error: { message: 'Invalid table' }, status: 'failure' });
  });
  return Object.assign(server, {
    incidents,
    closeIncident: (sysId: string) => {
      const incident = incidents.get(sysId);
      if (incident) Object.assign(incident, { state: '7', active: false });
    },
  });
}

// ---------------------------------------------------------------------------------------------------------
// PagerDuty Events API v2: POST /v2/enqueue, 202 on success, 400 invalid event, 429 throttled.

export interface PagerDutyReceiver extends Server {
  /** dedup_key -> state of its alert. */
  alerts: Map<
    string,
    {
      state: 'triggered' | 'resolved';
      summary?: string;
      severity?: string;
      source?: string;
      triggers: number;
    }
  >;
  routingKey: string;
  /** Answer the next n events with 429. */
  throttleNext(n: number): void;
}

export async function startPagerDutyReceiver(): Promise<PagerDutyReceiver> {
  const routingKey = randomBytes(16).toString('hex');
  const alerts: PagerDutyReceiver['alerts'] = new Map();
  let throttle = 0;
  const server = await serve((req) => {
    if (req.method !== 'POST' || req.path !== '/v2/enqueue') return json(404, { status: 'not found' });
    if (throttle > 0) {
      throttle--;
      return json(429, {
        status: 'throttle exceeded',
        message: 'Requests for this service are arriving too quickly.',
      });
    }
    const body = parseJson(req.body) as Record<string, unknown> | undefined;
    const errors: string[] = [];
    if (!body) errors.push('Event object is invalid');
    if (body?.routing_key !== routingKey) errors.push("'routing_key' is invalid");
    if (!['trigger', 'acknowledge', 'resolve'].includes(body?.event_action as string))
      errors.push("'event_action' is invalid");
    const dedup = body?.dedup_key;
    if (typeof dedup !== 'string' || dedup.length === 0 || dedup.length > 255)
      errors.push("'dedup_key' is invalid");
    const payload = body?.payload as Record<string, unknown> | undefined;
    if (body?.event_action === 'trigger') {
      if (typeof payload?.summary !== 'string' || payload.summary.length > 1024)
        errors.push("'payload.summary' is missing or too long");
      if (typeof payload?.source !== 'string') errors.push("'payload.source' is missing");
      if (!['critical', 'error', 'warning', 'info'].includes(payload?.severity as string))
        errors.push("'payload.severity' is invalid");
    }
    if (errors.length > 0)
      return json(400, { status: 'invalid event', message: 'Event object is invalid', errors });
    const key = dedup as string;
    const alert = alerts.get(key) ?? { state: 'resolved' as const, triggers: 0 };
    if (body!.event_action === 'trigger') {
      alerts.set(key, {
        state: 'triggered',
        summary: payload!.summary as string,
        severity: payload!.severity as string,
        source: payload!.source as string,
        triggers: alert.triggers + 1,
      });
    } else if (body!.event_action === 'resolve' && alerts.has(key)) {
      alerts.set(key, { ...alert, state: 'resolved' });
    }
    return json(202, { status: 'success', message: 'Event processed', dedup_key: key });
  });
  return Object.assign(server, {
    alerts,
    routingKey,
    throttleNext: (n: number) => {
      throttle = n;
    },
  });
}

// ---------------------------------------------------------------------------------------------------------
// Slack incoming webhooks: 200 "ok"; 400 invalid_payload / no_text; 404 no_service; 410 channel_is_archived.

export interface SlackReceiver extends Server {
  /** The incoming-webhook URL (the credential). */
  webhookUrl: string;
  messages: { text: string; blocks: unknown[] }[];
  archive(): void;
}

export async function startSlackReceiver(): Promise<SlackReceiver> {
  const path = `/services/T${randomBytes(4).toString('hex').toUpperCase()}/B${randomBytes(4).toString('hex').toUpperCase()}/${randomBytes(12).toString('hex')}`;
  const messages: SlackReceiver['messages'] = [];
  let archived = false;
  const text = (status: number, body: string): Reply => ({
    status,
    headers: { 'content-type': 'text/html' },
    body,
  });
  const server = await serve((req) => {
    if (req.method !== 'POST' || req.path !== path) return text(404, 'no_service');
    if (archived) return text(410, 'channel_is_archived');
    const body = parseJson(req.body) as { text?: unknown; blocks?: unknown } | undefined;
    if (!body) return text(400, 'invalid_payload');
    if (typeof body.text !== 'string' || body.text.length === 0) return text(400, 'no_text');
    const blocks = body.blocks ?? [];
    if (!Array.isArray(blocks) || blocks.length > 50) return text(400, 'invalid_blocks');
    for (const block of blocks as {
      type?: string;
      text?: { text?: string; type?: string };
      fields?: unknown[];
    }[]) {
      if (
        block.type === 'header' &&
        (block.text?.type !== 'plain_text' || (block.text.text ?? '').length > 150)
      ) {
        return text(400, 'invalid_blocks');
      }
      if (block.type === 'section' && block.fields && block.fields.length > 10)
        return text(400, 'invalid_blocks');
    }
    messages.push({ text: body.text, blocks });
    return text(200, 'ok');
  });
  return Object.assign(server, {
    webhookUrl: `${server.url}${path}`,
    messages,
    archive: () => {
      archived = true;
    },
  });
}
