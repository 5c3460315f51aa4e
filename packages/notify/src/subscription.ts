import { z } from 'zod';
import { InvalidSubscriptionError } from './errors.ts';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './events.ts';
import { generateWebhookSecret, isWebhookSecret } from './signing.ts';

export const WEBHOOK_FORMATS = ['generic', 'jira', 'servicenow', 'pagerduty', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** Formats that keep one ticket per (subscription, cluster, finding) and update or close it. */
export const TICKET_FORMATS: readonly WebhookFormat[] = ['jira', 'servicenow', 'pagerduty'];

const name = (max: number) => z.string().trim().min(1).max(max);

export const jiraConfigSchema = z.strictObject({
  projectKey: z.string().regex(/^[A-Z][A-Z0-9_]{1,9}$/, 'a Jira project key such as OPS'),
  issueType: name(60).default('Task'),
  /** The transition that closes an issue; default: the first one leading to a "done" status. */
  resolveTransition: name(60).optional(),
  /** The transition that reopens one; default: the first leading to a "to do" (then "in progress") status. */
  reopenTransition: name(60).optional(),
  labels: z
    .array(z.string().regex(/^[^\s]{1,100}$/, 'a Jira label (no spaces)'))
    .max(10)
    .default([]),
});
export type JiraConfig = z.infer<typeof jiraConfigSchema>;
export const jiraCredentialsSchema = z.strictObject({
  email: z.email().max(254),
  apiToken: z.string().min(1).max(2048),
});
export type JiraCredentials = z.infer<typeof jiraCredentialsSchema>;

export const serviceNowConfigSchema = z.strictObject({
  assignmentGroup: name(100).optional(),
  callerId: name(100).optional(),
  category: name(100).optional(),
  /** Written with state 6 (Resolved), which ServiceNow requires together with close notes. */
  closeCode: name(100).default('Resolved by caller'),
});
export type ServiceNowConfig = z.infer<typeof serviceNowConfigSchema>;
export const serviceNowCredentialsSchema = z.strictObject({
  username: z.string().min(1).max(255),
  password: z.string().min(1).max(1024),
});
export type ServiceNowCredentials = z.infer<typeof serviceNowCredentialsSchema>;

export const pagerDutyConfigSchema = z.strictObject({});
export type PagerDutyConfig = z.infer<typeof pagerDutyConfigSchema>;
export const pagerDutyCredentialsSchema = z.strictObject({
  routingKey: z.string().regex(/^[A-Za-z0-9]{32}$/, 'a 32-character Events API v2 integration key'),
});
export type PagerDutyCredentials = z.infer<typeof pagerDutyCredentialsSchema>;

export const emptyConfigSchema = z.strictObject({});

export interface FormatSettings {
  generic: { config: Record<string, never>; credentials: null };
  jira: { config: JiraConfig; credentials: JiraCredentials };
  servicenow: { config: ServiceNowConfig; credentials: ServiceNowCredentials };
  pagerduty: { config: PagerDutyConfig; credentials: PagerDutyCredentials };
  /** The Slack webhook URL is the credential: it is sealed, and the stored `url` is redacted. */
  slack: { config: Record<string, never>; credentials: null };
}

const CONFIG_SCHEMAS: Record<WebhookFormat, z.ZodType> = {
  generic: emptyConfigSchema,
  jira: jiraConfigSchema,
  servicenow: serviceNowConfigSchema,
  pagerduty: pagerDutyConfigSchema,
  slack: emptyConfigSchema,
};

const CREDENTIAL_SCHEMAS: Record<WebhookFormat, z.ZodType | null> = {
  generic: null,
  jira: jiraCredentialsSchema,
  servicenow: serviceNowCredentialsSchema,
  pagerduty: pagerDutyCredentialsSchema,
  slack: null,
};

/** Event types a format cannot carry: a PagerDuty incident per daily digest would page someone every day. */
const UNSUPPORTED: Record<WebhookFormat, readonly WebhookEventType[]> = {
  generic: [],
  jira: [],
  servicenow: [],
  pagerduty: ['compliance.digest'],
  slack: [],
};

export function supportedEventTypes(format: WebhookFormat): WebhookEventType[] {
  return WEBHOOK_EVENT_TYPES.filter((t) => !UNSUPPORTED[format].includes(t));
}

function parse<T>(field: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.length ? `${field}.${issue.path.join('.')}` : field;
  throw new InvalidSubscriptionError(path, issue?.message ?? 'invalid');
}

/** Validates a format's options; absent options take the format's defaults. */
export function parseFormatConfig(format: WebhookFormat, config: unknown): Record<string, unknown> {
  return parse('config', CONFIG_SCHEMAS[format], config ?? {}) as Record<string, unknown>;
}

/**
 * Validates the credentials a format needs (none for generic and Slack). Values are never echoed in
 * errors: only the field path and what was expected.
 */
export function parseFormatCredentials(
  format: WebhookFormat,
  credentials: unknown,
): Record<string, string> | null {
  const schema = CREDENTIAL_SCHEMAS[format];
  if (schema === null) {
    if (credentials !== undefined && credentials !== null) {
      throw new InvalidSubscriptionError('credentials', `${format} subscriptions take no credentials`);
    }
    return null;
  }
  if (credentials === undefined || credentials === null) {
    throw new InvalidSubscriptionError('credentials', `${format} subscriptions need credentials`);
  }
  return parse('credentials', schema, credentials) as Record<string, string>;
}

export function parseEventTypes(format: WebhookFormat, types: readonly string[]): WebhookEventType[] {
  if (types.length === 0) throw new InvalidSubscriptionError('eventTypes', 'name at least one event type');
  const supported = supportedEventTypes(format);
  for (const type of types) {
    if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(type)) {
      throw new InvalidSubscriptionError('eventTypes', `unknown event type ${JSON.stringify(type)}`);
    }
    if (!supported.includes(type as WebhookEventType)) {
      throw new InvalidSubscriptionError('eventTypes', `${format} subscriptions cannot receive ${type}`);
    }
  }
  return [...new Set(types as WebhookEventType[])];
}

/**
 * What is sealed per subscription: the format's credentials and, for generic endpoints, the signing secrets.
 * During a rotation the previous secret keeps signing until `previousExpiresAt`.
 */
export interface SubscriptionSecrets {
  credentials: Record<string, string> | null;
  /** Slack only: the webhook URL, which is itself a credential. */
  webhookUrl?: string;
  signing?: { current: string; previous?: string; previousExpiresAt?: string };
}

const secretsSchema = z.strictObject({
  credentials: z.record(z.string(), z.string()).nullable(),
  webhookUrl: z.string().optional(),
  signing: z
    .strictObject({
      current: z.string().refine(isWebhookSecret),
      previous: z.string().refine(isWebhookSecret).optional(),
      previousExpiresAt: z.string().optional(),
    })
    .optional(),
});

export function serializeSecrets(secrets: SubscriptionSecrets): string {
  return JSON.stringify(secrets);
}

export function parseSecrets(plaintext: string): SubscriptionSecrets {
  let value: unknown;
  try {
    value = JSON.parse(plaintext);
  } catch {
    throw new Error('sealed subscription secrets are not JSON');
  }
  const parsed = secretsSchema.safeParse(value);
  if (!parsed.success) throw new Error('sealed subscription secrets have an unexpected shape');
  return parsed.data as SubscriptionSecrets;
}

/** The secrets that sign now: the current one, and the previous one until its overlap window ends. */
export function activeSigningSecrets(secrets: SubscriptionSecrets, now: Date): string[] {
  const signing = secrets.signing;
  if (!signing) return [];
  const active = [signing.current];
  if (signing.previous && signing.previousExpiresAt && new Date(signing.previousExpiresAt) > now) {
    active.push(signing.previous);
  }
  return active;
}

/** Longest overlap a rotation may keep the previous secret signing. */
export const MAX_ROTATION_OVERLAP_SECONDS = 7 * 24 * 3600;
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 24 * 3600;

/**
 * Replaces the signing secret; the old one keeps signing (both signatures are sent) for `overlapSeconds`,
 * so receivers can switch without dropping a delivery. Returns the new secrets and the new secret to show once.
 */
export function rotateSigningSecret(
  secrets: SubscriptionSecrets,
  options: { now: Date; overlapSeconds?: number },
): { secrets: SubscriptionSecrets; secret: string } {
  if (!secrets.signing)
    throw new InvalidSubscriptionError('format', 'only generic subscriptions have a signing secret');
  const overlap = options.overlapSeconds ?? DEFAULT_ROTATION_OVERLAP_SECONDS;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_ROTATION_OVERLAP_SECONDS) {
    throw new InvalidSubscriptionError(
      'overlapSeconds',
      `must be an integer from 0 to ${MAX_ROTATION_OVERLAP_SECONDS}`,
    );
  }
  const secret = generateWebhookSecret();
  const signing: SubscriptionSecrets['signing'] =
    overlap === 0
      ? { current: secret }
      : {
          current: secret,
          previous: secrets.signing.current,
          previousExpiresAt: new Date(options.now.getTime() + overlap * 1000).toISOString(),
        };
  return { secrets: { ...secrets, signing }, secret };
}

/**
 * What the API shows of a destination. A Slack incoming-webhook URL is a bearer credential (anyone holding
 * it can post), so only its origin is kept; other URLs are shown as given.
 */
export function displayUrl(format: WebhookFormat, url: URL): string {
  if (format === 'slack') return `${url.origin}/…`;
  return url.toString();
}
