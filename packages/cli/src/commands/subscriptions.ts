import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseLabelSelector } from '@vigil/api';
import type { LabelSelector, Severity } from '@vigil/core';
import {
  closeDatabase,
  type Database,
  listDeliveries,
  listSubscriptions,
  migrate,
  openDatabase,
} from '@vigil/db';
import { createSubscriptionService, type SubscriptionService } from '@vigil/jobs';
import {
  createHttpClient,
  openLocalEncryptor,
  parseAllowCidrs,
  systemResolver,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_FORMATS,
  type WebhookFormat,
} from '@vigil/notify';
import { oneOf, parseFlags } from '../args.ts';
import { type Command, EXIT_OK } from '../command.ts';
import { apiClientConfig, localStackConfig } from '../config.ts';
import { StateError, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { runningServer } from '../local-stack.ts';
import { toJson } from '../output.ts';

const usage = `Usage: vigil subscriptions list [--output text|json]
       vigil subscriptions add NAME --format FORMAT [--url URL] --event TYPE [--event TYPE ...] [options]
       vigil subscriptions test NAME|ID
       vigil subscriptions deliveries NAME|ID [--status pending|succeeded|failed] [--output text|json]
       vigil subscriptions rotate-secret NAME|ID [--overlap SECONDS]
       vigil subscriptions remove NAME|ID

Where events go: signed webhooks (generic, Standard Webhooks), Jira Cloud issues, ServiceNow incidents,
PagerDuty alerts and Slack messages. While Vigil runs (\`npm start\`), the commands go through its API (set
VIGIL_API_KEY to an admin key); otherwise they use its database and secrets key directly.

Options of add:
  --format FORMAT          ${WEBHOOK_FORMATS.join(', ')}
  --url URL                The endpoint, Jira site, ServiceNow instance or Slack webhook URL
                           (PagerDuty defaults to the Events API v2 endpoint)
  --event TYPE             ${WEBHOOK_EVENT_TYPES.join(', ')} (repeatable)
  --min-severity S         Skip finding events below it (critical, high, medium, low, info)
  --cluster-selector SEL   Only clusters whose labels match, e.g. env=prod,team in (a,b)
  --config KEY=VALUE       A format option (repeatable), e.g. projectKey=SEC, closeCode="Resolved by caller"
  --credential KEY=VALUE   A credential (repeatable): email, apiToken (jira); username, password
                           (servicenow); routingKey (pagerduty). KEY=@FILE reads the value from a file,
                           keeping it out of the shell history. Stored encrypted, never shown again.

A generic subscription prints its whsec_ signing secret once. rotate-secret prints a new one; the old one
keeps signing beside it for --overlap seconds (default 86400).
`;

interface SubscriptionView {
  id: string;
  name: string;
  format: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
}

interface DeliveryView {
  id: string;
  webhookId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
}

interface AddInput {
  name: string;
  format: WebhookFormat;
  url?: string;
  eventTypes: string[];
  minSeverity?: Severity;
  clusterSelector?: LabelSelector;
  config?: Record<string, unknown>;
  credentials?: Record<string, string>;
}

/** Where the commands act: a running Vigil's API, or the database and key file directly. */
interface Target {
  describe: string;
  list(): Promise<SubscriptionView[]>;
  add(input: AddInput): Promise<{ subscription: SubscriptionView; signingSecret: string | null }>;
  test(
    id: string,
  ): Promise<{ ok: boolean; statusCode: number | null; durationMs: number; error: string | null }>;
  deliveries(id: string, status?: string): Promise<DeliveryView[]>;
  rotate(id: string, overlapSeconds?: number): Promise<{ signingSecret: string }>;
  remove(id: string): Promise<void>;
  close(): Promise<void>;
}

function keyValues(flag: string, values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    if (at <= 0) throw new UsageError(`--${flag} must be KEY=VALUE`);
    out[value.slice(0, at)] = value.slice(at + 1);
  }
  return out;
}

async function credentialValues(values: string[] | undefined, io: Io): Promise<Record<string, string>> {
  const out = keyValues('credential', values);
  for (const [key, value] of Object.entries(out)) {
    if (value.startsWith('@')) {
      try {
        out[key] = (await readFile(resolve(io.cwd, value.slice(1)), 'utf8')).trim();
      } catch {
        throw new UsageError(`--credential ${key}: cannot read ${value.slice(1)}`);
      }
    }
  }
  return out;
}

function view(s: {
  id: string;
  name: string;
  format: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  failingSince: Date | string | null;
}): SubscriptionView {
  return {
    id: s.id,
    name: s.name,
    format: s.format,
    url: s.url,
    eventTypes: s.eventTypes,
    enabled: s.enabled,
    disabledReason: s.disabledReason,
    failingSince: s.failingSince instanceof Date ? s.failingSince.toISOString() : s.failingSince,
  };
}

function apiTarget(url: string, apiKey: string | undefined): Target {
  if (!apiKey) {
    throw new StateError(`Vigil is running at ${url}: set VIGIL_API_KEY to an admin key`);
  }
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok)
      throw new UsageError(
        `the API answered ${response.status}: ${String(json.detail ?? response.statusText)}`,
      );
    return json;
  };
  return {
    describe: `the Vigil API at ${url}`,
    async list() {
      const items: SubscriptionView[] = [];
      let cursor: string | null = null;
      do {
        const page = (await call(
          'GET',
          `/v1/subscriptions?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        )) as {
          items: SubscriptionView[];
          nextCursor: string | null;
        };
        items.push(...page.items.map(view));
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    },
    add: async (input) => {
      const created = (await call('POST', '/v1/subscriptions', input)) as {
        subscription: SubscriptionView;
        signingSecret: string | null;
      };
      return { subscription: view(created.subscription), signingSecret: created.signingSecret };
    },
    test: async (id) => (await call('POST', `/v1/subscriptions/${id}/test`)) as never,
    deliveries: async (id, status) =>
      (
        (await call(
          'GET',
          `/v1/subscriptions/${id}/deliveries?limit=100${status ? `&status=${status}` : ''}`,
        )) as { items: DeliveryView[] }
      ).items,
    rotate: async (id, overlapSeconds) =>
      (await call(
        'POST',
        `/v1/subscriptions/${id}/rotate-secret`,
        overlapSeconds === undefined ? {} : { overlapSeconds },
      )) as never,
    remove: async (id) => {
      await call('DELETE', `/v1/subscriptions/${id}`);
    },
    close: async () => {},
  };
}

/** The subscription service's refusals read as usage errors (their messages never contain a credential). */
async function plain<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'DESTINATION_REFUSED' || code === 'INVALID_SUBSCRIPTION' || code === 'INVALID_INPUT') {
      throw new UsageError((error as Error).message, { cause: error });
    }
    throw error;
  }
}

async function databaseTarget(io: Io): Promise<Target> {
  const config = localStackConfig(io.env);
  let db: Database;
  try {
    db = await openDatabase(
      config.databaseUrl ? { url: config.databaseUrl } : { dataDir: resolve(io.cwd, config.dataDir, 'data') },
    );
  } catch (error) {
    throw new UsageError(`cannot open Vigil's database: ${(error as Error).message}`, { cause: error });
  }
  await migrate(db);
  const policy = parseAllowCidrs(config.webhookAllowCidrs);
  const http = createHttpClient({ policy });
  const service: SubscriptionService = createSubscriptionService({
    db,
    encryptor: await openLocalEncryptor(resolve(io.cwd, config.secretsKeyFile)),
    http,
    policy,
    resolver: systemResolver(),
    now: io.now,
  });
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    describe: config.databaseUrl ? 'the database at DATABASE_URL' : `the database in ${config.dataDir}`,
    async list() {
      const items: SubscriptionView[] = [];
      let cursor: string | undefined;
      do {
        const page = await listSubscriptions(db, { limit: 500, ...(cursor ? { cursor } : {}) });
        items.push(...page.items.map(view));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return items;
    },
    add: async (input) => {
      const created = await plain(() => service.create(input));
      return { subscription: view(created.subscription), signingSecret: created.signingSecret };
    },
    async test(id) {
      const result = await service.sendTest(id);
      if (!result) throw new UsageError(`no subscription ${id}`);
      return result;
    },
    async deliveries(id, status) {
      const page = await listDeliveries(db, {
        subscriptionId: id,
        limit: 100,
        ...(status ? { statuses: [status as 'pending'] } : {}),
      });
      return page.items.map((d) => ({
        id: d.id,
        webhookId: d.webhookId,
        eventType: d.eventType,
        status: d.status,
        attempts: d.attempts,
        lastStatusCode: d.lastStatusCode,
        lastError: d.lastError,
        nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
        createdAt: d.createdAt.toISOString(),
        completedAt: iso(d.completedAt),
      }));
    },
    async rotate(id, overlapSeconds) {
      const rotated = await plain(() =>
        service.rotateSecret(id, overlapSeconds === undefined ? {} : { overlapSeconds }),
      );
      if (!rotated) throw new UsageError(`no subscription ${id}`);
      return rotated;
    },
    async remove(id) {
      if (!(await service.remove(id))) throw new UsageError(`no subscription ${id}`);
    },
    close: async () => {
      http.close();
      await closeDatabase(db);
    },
  };
}

async function targetFor(io: Io): Promise<Target> {
  const client = apiClientConfig(io.env);
  if (client.url) return apiTarget(client.url.replace(/\/$/, ''), client.apiKey);
  const { dataDir } = localStackConfig(io.env);
  const server = await runningServer(resolve(io.cwd, dataDir));
  if (server) return apiTarget(server.url, client.apiKey);
  return databaseTarget(io);
}

/** A subscription by id, or by name when exactly one has it. */
async function resolveId(target: Target, ref: string): Promise<string> {
  const all = await target.list();
  const byId = all.find((s) => s.id === ref);
  if (byId) return byId.id;
  const named = all.filter((s) => s.name === ref);
  if (named.length === 1) return named[0]!.id;
  if (named.length > 1) throw new UsageError(`${named.length} subscriptions are named ${ref}: use the id`);
  throw new UsageError(`no subscription ${ref}`);
}

export const subscriptions: Command = {
  name: 'subscriptions',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      format: { type: 'string' },
      url: { type: 'string' },
      event: { type: 'string', multiple: true },
      'min-severity': { type: 'string' },
      'cluster-selector': { type: 'string' },
      config: { type: 'string', multiple: true },
      credential: { type: 'string', multiple: true },
      status: { type: 'string' },
      overlap: { type: 'string' },
      output: { type: 'string' },
    });
    const [action, ref, ...rest] = positionals;
    const actions = ['list', 'add', 'test', 'deliveries', 'rotate-secret', 'remove'];
    if (!action) throw new UsageError(`missing the action: ${actions.join(', ')}`);
    if (!actions.includes(action)) throw new UsageError(`unknown action "${action}": ${actions.join(', ')}`);
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    if (action !== 'list' && !ref) throw new UsageError(`subscriptions ${action} needs a NAME or ID`);
    if (action === 'list' && ref) throw new UsageError(`unexpected argument "${ref}"`);
    const output = oneOf('output', values.output, ['text', 'json'] as const, 'text');
    const status = values.status
      ? oneOf('status', values.status, ['pending', 'succeeded', 'failed'] as const, 'pending')
      : undefined;
    let overlap: number | undefined;
    if (values.overlap !== undefined) {
      overlap = Number(values.overlap);
      if (!Number.isInteger(overlap) || overlap < 0)
        throw new UsageError('--overlap must be a whole number of seconds');
    }
    // Validate the flags of add before touching anything.
    let input: AddInput | undefined;
    if (action === 'add') {
      if (!values.format) throw new UsageError(`--format is required: ${WEBHOOK_FORMATS.join(', ')}`);
      const format = oneOf('format', values.format, WEBHOOK_FORMATS, 'generic');
      if (!values.event?.length) throw new UsageError('name at least one --event');
      const credentials = await credentialValues(values.credential, io);
      let clusterSelector: LabelSelector | undefined;
      if (values['cluster-selector'] !== undefined) {
        try {
          clusterSelector = parseLabelSelector(values['cluster-selector']);
        } catch (error) {
          throw new UsageError(`--cluster-selector: ${(error as Error).message}`);
        }
      }
      const config: Record<string, unknown> = keyValues('config', values.config);
      if (typeof config.labels === 'string') config.labels = config.labels.split(',').filter(Boolean);
      input = {
        name: ref!,
        format,
        ...(values.url ? { url: values.url } : {}),
        eventTypes: values.event,
        ...(values['min-severity'] ? { minSeverity: values['min-severity'] as Severity } : {}),
        ...(clusterSelector ? { clusterSelector } : {}),
        ...(Object.keys(config).length > 0 ? { config } : {}),
        ...(Object.keys(credentials).length > 0 ? { credentials } : {}),
      };
    }
    const target = await targetFor(io);
    try {
      switch (action) {
        case 'list': {
          const items = await target.list();
          if (output === 'json') {
            io.stdout.write(toJson(items));
            break;
          }
          if (items.length === 0) io.stdout.write(`No subscriptions in ${target.describe}.\n`);
          for (const s of items) {
            const state = s.enabled
              ? s.failingSince
                ? `failing since ${s.failingSince}`
                : 'enabled'
              : `disabled: ${s.disabledReason ?? 'by hand'}`;
            io.stdout.write(
              `${s.name}  ${s.format}  ${s.url}  [${s.eventTypes.join(', ')}]  ${state}  ${s.id}\n`,
            );
          }
          break;
        }
        case 'add': {
          const { subscription, signingSecret } = await target.add(input!);
          io.stdout.write(`Subscribed ${subscription.name} (${subscription.id}) in ${target.describe}.\n`);
          if (signingSecret) {
            io.stdout.write(
              `Signing secret (shown once; deliveries are signed with it):\n${signingSecret}\n`,
            );
          }
          break;
        }
        case 'test': {
          const result = await target.test(await resolveId(target, ref!));
          io.stdout.write(
            result.ok
              ? `Delivered: HTTP ${result.statusCode ?? '-'} in ${result.durationMs} ms.\n`
              : `Not delivered: ${result.error} (${result.durationMs} ms).\n`,
          );
          return result.ok ? EXIT_OK : 1;
        }
        case 'deliveries': {
          const items = await target.deliveries(await resolveId(target, ref!), status);
          if (output === 'json') {
            io.stdout.write(toJson(items));
            break;
          }
          if (items.length === 0) io.stdout.write('No deliveries.\n');
          for (const d of items) {
            const next = d.nextAttemptAt ? `, next ${d.nextAttemptAt}` : '';
            const last = d.lastStatusCode !== null ? ` HTTP ${d.lastStatusCode}` : '';
            const error = d.lastError ? ` (${d.lastError})` : '';
            io.stdout.write(
              `${d.createdAt}  ${d.eventType}  ${d.status} after ${d.attempts} attempt(s)${last}${error}${next}  ${d.webhookId}\n`,
            );
          }
          break;
        }
        case 'rotate-secret': {
          const { signingSecret } = await target.rotate(await resolveId(target, ref!), overlap);
          io.stdout.write(
            `New signing secret (shown once; the previous one keeps signing during the overlap):\n${signingSecret}\n`,
          );
          break;
        }
        case 'remove': {
          await target.remove(await resolveId(target, ref!));
          io.stdout.write(`Removed ${ref}; its pending deliveries fail and its history stays.\n`);
          break;
        }
      }
    } finally {
      await target.close();
    }
    return EXIT_OK;
  },
};
