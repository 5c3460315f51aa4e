import { randomUUID } from 'node:crypto';
import type { LabelSelector, Severity } from '@vigil/core';
import {
  createSubscription,
  type Delivery,
  deleteSubscription,
  getDelivery,
  getSubscription,
  redeliver as redeliverRow,
  type Subscription,
  updateSubscription,
} from '@vigil/db';
import {
  checkDestination,
  displayUrl,
  generateWebhookSecret,
  InvalidSubscriptionError,
  PAGERDUTY_EVENTS_URL,
  parseEventTypes,
  parseFormatConfig,
  parseFormatCredentials,
  rotateSigningSecret,
  type SubscriptionSecrets,
  serializeSecrets,
  WEBHOOK_FORMATS,
  type WebhookEvent,
  type WebhookFormat,
} from '@vigil/notify';
import { openSecrets, secretsContext, sendEvent } from './deliver.ts';
import { clockOf, type SubscriptionServiceDeps, settingsOf } from './deps.ts';
import { enqueueDue } from './enqueue.ts';

export interface SubscriptionInput {
  name: string;
  format: WebhookFormat;
  /** Optional for PagerDuty (the Events API v2 endpoint is the default). */
  url?: string;
  eventTypes: readonly string[];
  minSeverity?: Severity | null;
  clusterSelector?: LabelSelector | null;
  /** Format options (Jira project key, ServiceNow close code...). */
  config?: Record<string, unknown>;
  /** Jira {email, apiToken}, ServiceNow {username, password}, PagerDuty {routingKey}; sealed, never returned. */
  credentials?: Record<string, unknown> | null;
  enabled?: boolean;
}

export type SubscriptionUpdate = Partial<Omit<SubscriptionInput, 'format'>>;

export interface TestDeliveryResult {
  ok: boolean;
  /** The destination's status code (null when no response came). Its body is never read back to callers. */
  statusCode: number | null;
  durationMs: number;
  /** What went wrong, in Vigil's words (status codes, timeouts, refused addresses). */
  error: string | null;
}

/** The notification operations the API offers (its port, implemented here because it needs the notifier). */
export interface SubscriptionService {
  /** Creates a subscription; a generic one gets a `whsec_` signing secret, returned here and never again. */
  create(input: SubscriptionInput): Promise<{ subscription: Subscription; signingSecret: string | null }>;
  update(id: string, patch: SubscriptionUpdate): Promise<Subscription | null>;
  /** A new signing secret; the previous one keeps signing (both signatures are sent) for the overlap. */
  rotateSecret(
    id: string,
    options?: { overlapSeconds?: number },
  ): Promise<{ subscription: Subscription; signingSecret: string } | null>;
  /** Sends a sample event now and reports status and timing only. */
  sendTest(id: string): Promise<TestDeliveryResult | null>;
  /** Schedules a delivery again now, with its original webhook id. */
  redeliver(deliveryId: string): Promise<Delivery | null>;
  remove(id: string): Promise<boolean>;
}

function hostKey(url: URL): string {
  return url.host.toLowerCase();
}

function requireFormat(format: string): WebhookFormat {
  if (!(WEBHOOK_FORMATS as readonly string[]).includes(format)) {
    throw new InvalidSubscriptionError('format', `must be one of ${WEBHOOK_FORMATS.join(', ')}`);
  }
  return format as WebhookFormat;
}

/** The event a test delivery sends: an info-level finding on a cluster that does not exist. */
export function sampleEvent(now: Date): WebhookEvent {
  const at = now.toISOString();
  return {
    type: 'finding.opened',
    timestamp: at,
    data: {
      clusterId: '00000000-0000-0000-0000-000000000000',
      clusterName: 'vigil-test',
      runId: '00000000-0000-0000-0000-000000000000',
      fingerprint: '00000000000000000000000000000000',
      checkId: 'vigil-test-delivery',
      title: 'Vigil test delivery',
      severity: 'info',
      resource: { kind: 'Namespace', name: 'vigil-test' },
      message: 'A test delivery from Vigil: the subscription reaches this destination. It can be closed.',
      controls: [],
      firstSeenAt: at,
      lastSeenAt: at,
      reopenedCount: 0,
      test: true,
    },
  };
}

/**
 * Saving checks the destination (scheme, no credentials in the URL, every DNS answer an allowed address),
 * validates the format's options and credentials, and seals the credentials (and the Slack URL and signing
 * secrets) before anything is written. Errors are InvalidSubscriptionError or DestinationRefusedError,
 * whose messages never contain a credential.
 */
export function createSubscriptionService(deps: SubscriptionServiceDeps): SubscriptionService {
  const now = clockOf(deps);
  const logger = deps.logger ?? { info() {}, warn() {}, error() {} };

  const seal = (id: string, secrets: SubscriptionSecrets) =>
    deps.encryptor.encrypt(serializeSecrets(secrets), secretsContext(id));
  const check = (url: string) => checkDestination(url, { policy: deps.policy, resolver: deps.resolver });

  return {
    async create(input) {
      const format = requireFormat(input.format);
      const raw = input.url ?? (format === 'pagerduty' ? PAGERDUTY_EVENTS_URL : undefined);
      if (raw === undefined) throw new InvalidSubscriptionError('url', `${format} subscriptions need a url`);
      const { url } = await check(raw);
      const eventTypes = parseEventTypes(format, input.eventTypes);
      const config = parseFormatConfig(format, input.config);
      const credentials = parseFormatCredentials(format, input.credentials);
      const signingSecret = format === 'generic' ? generateWebhookSecret() : null;
      const secrets: SubscriptionSecrets = {
        credentials,
        ...(format === 'slack' ? { webhookUrl: url.toString() } : {}),
        ...(signingSecret ? { signing: { current: signingSecret } } : {}),
      };
      const id = randomUUID();
      const subscription = await createSubscription(deps.db, {
        id,
        name: input.name,
        format,
        url: displayUrl(format, url),
        host: hostKey(url),
        eventTypes,
        minSeverity: input.minSeverity ?? null,
        clusterSelector: input.clusterSelector ?? null,
        config,
        sealedSecrets: await seal(id, secrets),
        enabled: input.enabled ?? true,
      });
      logger.info({ msg: 'subscription created', subscriptionId: id, format, host: subscription.host });
      return { subscription, signingSecret };
    },

    async update(id, patch) {
      const current = await getSubscription(deps.db, id);
      if (!current) return null;
      const format = current.format;
      let secrets: SubscriptionSecrets | undefined;
      const values: Parameters<typeof updateSubscription>[2] = {};
      if (patch.url !== undefined) {
        const { url } = await check(patch.url);
        values.url = displayUrl(format, url);
        values.host = hostKey(url);
        if (format === 'slack') secrets = { ...(await openSecrets(deps, id)), webhookUrl: url.toString() };
      }
      if (patch.credentials !== undefined) {
        secrets = {
          ...(secrets ?? (await openSecrets(deps, id))),
          credentials: parseFormatCredentials(format, patch.credentials),
        };
      }
      if (patch.eventTypes !== undefined) values.eventTypes = parseEventTypes(format, patch.eventTypes);
      if (patch.config !== undefined) values.config = parseFormatConfig(format, patch.config);
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.minSeverity !== undefined) values.minSeverity = patch.minSeverity;
      if (patch.clusterSelector !== undefined) values.clusterSelector = patch.clusterSelector;
      if (patch.enabled !== undefined) values.enabled = patch.enabled;
      if (secrets) values.sealedSecrets = await seal(id, secrets);
      return updateSubscription(deps.db, id, values);
    },

    async rotateSecret(id, options = {}) {
      const current = await getSubscription(deps.db, id);
      if (!current) return null;
      if (current.format !== 'generic') {
        throw new InvalidSubscriptionError('format', 'only generic subscriptions have a signing secret');
      }
      const at = now();
      const rotated = rotateSigningSecret(await openSecrets(deps, id), {
        now: at,
        ...(options.overlapSeconds !== undefined ? { overlapSeconds: options.overlapSeconds } : {}),
      });
      const expires = rotated.secrets.signing?.previousExpiresAt;
      const subscription = await updateSubscription(deps.db, id, {
        sealedSecrets: await seal(id, rotated.secrets),
        previousSecretExpiresAt: expires ? new Date(expires) : null,
      });
      if (!subscription) return null;
      logger.info({
        msg: 'signing secret rotated',
        subscriptionId: id,
        previousSecretExpiresAt: expires ?? null,
      });
      return { subscription, signingSecret: rotated.secret };
    },

    async sendTest(id) {
      const subscription = await getSubscription(deps.db, id);
      if (!subscription) return null;
      const at = now();
      const { outcome, durationMs } = await sendEvent(deps, {
        subscription,
        secrets: await openSecrets(deps, id),
        event: sampleEvent(at),
        webhookId: `msg_test_${randomUUID().replace(/-/g, '')}`,
        ticket: null,
        attempt: 1,
        now: at,
      });
      return {
        ok: outcome.ok,
        statusCode: outcome.ok ? outcome.status || null : (outcome.status ?? null),
        durationMs: Math.round(durationMs),
        error: outcome.ok ? null : outcome.error,
      };
    },

    async redeliver(deliveryId) {
      const existing = await getDelivery(deps.db, deliveryId);
      if (!existing) return null;
      const subscription = await getSubscription(deps.db, existing.subscriptionId);
      if (!subscription?.enabled) {
        throw new InvalidSubscriptionError(
          'enabled',
          'enable the subscription before redelivering its events',
        );
      }
      const delivery = await redeliverRow(deps.db, deliveryId, { now: now() });
      if (delivery && deps.queue) {
        await enqueueDue(
          { ...deps, queue: deps.queue, logger, settings: settingsOf(deps) },
          { hosts: [delivery.host] },
        );
      }
      return delivery;
    },

    remove(id) {
      return deleteSubscription(deps.db, id, now());
    },
  };
}
