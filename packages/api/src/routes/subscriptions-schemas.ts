import { z } from '@hono/zod-openapi';
import {
  labelSelectorSchema,
  objectRefSchema,
  orNull,
  subjectRefSchema,
  uuidSchema,
} from '../openapi/schemas.ts';

// Schemas of the notification routes and of the webhook payloads (the document's `webhooks` section). The
// notifier (@vigil/notify) holds the same shapes as zod schemas it checks stored events with; the API may not
// import it (layers), so test/notify/openapi-webhooks.test.ts keeps the two in step.

const instant = z.iso.datetime().openapi({ example: '2026-11-26T06:00:04.512Z' });
const EXAMPLE_SUBSCRIPTION_ID = '4e2f1a3b-0000-4000-8000-00000000000a';
const EXAMPLE_DELIVERY_ID = '8c1d2e3f-0000-4000-8000-00000000000b';

export const WEBHOOK_EVENT_TYPES = [
  'finding.opened',
  'finding.resolved',
  'finding.reopened',
  'scan.failed',
  'compliance.control_regressed',
  'compliance.digest',
] as const;

export const SUBSCRIPTION_FORMATS = ['generic', 'jira', 'servicenow', 'pagerduty', 'slack'] as const;

export const eventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES).openapi('WebhookEventType');
export const subscriptionFormatSchema = z.enum(SUBSCRIPTION_FORMATS).openapi('SubscriptionFormat', {
  description:
    '`generic`: Standard Webhooks (signed JSON). `jira`: Jira Cloud issues (REST v3). `servicenow`: incidents ' +
    'through the Table API. `pagerduty`: Events API v2 alerts. `slack`: an incoming webhook.',
});
const severitySchema = z.enum(['critical', 'high', 'medium', 'low', 'info']);

const configSchema = z.record(z.string(), z.unknown()).openapi({
  description:
    'Format options. `jira`: `projectKey` (required), `issueType` (default `Task`), `resolveTransition`, ' +
    '`reopenTransition`, `labels`. `servicenow`: `assignmentGroup`, `callerId`, `category`, `closeCode` ' +
    '(default `Resolved by caller`). Others take none.',
  example: { projectKey: 'SEC', issueType: 'Bug' },
});

const credentialsSchema = z.record(z.string(), z.string().max(2048)).openapi({
  description:
    'Write-only. `jira`: `email`, `apiToken`. `servicenow`: `username`, `password`. `pagerduty`: ' +
    '`routingKey`. Stored encrypted (KMS, or the local key file) and never returned.',
  example: { email: 'vigil-bot@example.com', apiToken: '<Atlassian API token>' },
});

export const newSubscriptionSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    format: subscriptionFormatSchema,
    url: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .openapi({
        description:
          'The destination: the endpoint (generic), the site (`https://acme.atlassian.net`), the instance ' +
          '(`https://acme.service-now.com`), the Events API endpoint (PagerDuty; default ' +
          '`https://events.pagerduty.com/v2/enqueue`) or the incoming-webhook URL (Slack). http(s) only; it must ' +
          'resolve to public addresses unless the operator allow-lists a range (VIGIL_WEBHOOK_ALLOW_CIDRS).',
      }),
    eventTypes: z.array(eventTypeSchema).min(1).max(6),
    minSeverity: severitySchema.optional().openapi({ description: 'Finding events below it are not sent.' }),
    clusterSelector: labelSelectorSchema.optional().openapi({
      description: 'Only events of clusters whose labels match; absent: every cluster.',
    }),
    config: configSchema.optional(),
    credentials: credentialsSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .openapi('NewSubscription', {
    example: {
      name: 'security tickets',
      format: 'jira',
      url: 'https://acme.atlassian.net',
      eventTypes: ['finding.opened', 'finding.resolved', 'finding.reopened'],
      minSeverity: 'high',
      clusterSelector: { matchLabels: { env: 'prod' } },
      config: { projectKey: 'SEC' },
      credentials: { email: 'vigil-bot@example.com', apiToken: '<Atlassian API token>' },
    },
  });

export const subscriptionPatchSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    url: z.string().min(1).max(2048).optional(),
    eventTypes: z.array(eventTypeSchema).min(1).max(6).optional(),
    minSeverity: orNull(severitySchema).optional(),
    clusterSelector: orNull(labelSelectorSchema).optional(),
    config: configSchema.optional(),
    credentials: credentialsSchema.optional(),
    enabled: z.boolean().optional().openapi({
      description: 'Enabling a disabled subscription clears its disabled reason and failing streak.',
    }),
  })
  .openapi('SubscriptionPatch', { example: { enabled: true } });

export const EXAMPLE_SUBSCRIPTION = {
  id: EXAMPLE_SUBSCRIPTION_ID,
  name: 'security tickets',
  format: 'jira',
  url: 'https://acme.atlassian.net',
  eventTypes: ['finding.opened', 'finding.resolved', 'finding.reopened'],
  minSeverity: 'high',
  clusterSelector: { matchLabels: { env: 'prod' } },
  config: { projectKey: 'SEC', issueType: 'Task', labels: [] },
  enabled: true,
  disabledReason: null,
  disabledAt: null,
  failingSince: null,
  lastSuccessAt: '2026-11-26T06:00:04.512Z',
  lastFailureAt: null,
  previousSecretExpiresAt: null,
  hasCredentials: true,
  createdAt: '2026-11-20T09:12:00.000Z',
  updatedAt: '2026-11-20T09:12:00.000Z',
};

export const subscriptionSchema = z
  .object({
    id: uuidSchema,
    name: z.string(),
    format: subscriptionFormatSchema,
    url: z
      .string()
      .openapi({ description: 'The destination; a Slack webhook URL is shown by its origin only.' }),
    eventTypes: z.array(z.string()),
    minSeverity: severitySchema.nullable(),
    clusterSelector: orNull(labelSelectorSchema),
    config: z.record(z.string(), z.unknown()),
    enabled: z.boolean(),
    disabledReason: z.string().nullable().openapi({
      description: 'Why Vigil disabled it: the endpoint answered 410, or failed for the whole retry window.',
    }),
    disabledAt: instant.nullable(),
    failingSince: instant.nullable().openapi({ description: 'Start of the current run of failed attempts.' }),
    lastSuccessAt: instant.nullable(),
    lastFailureAt: instant.nullable(),
    previousSecretExpiresAt: instant.nullable().openapi({
      description: 'Generic only: until when the previous signing secret still signs, after a rotation.',
    }),
    hasCredentials: z
      .boolean()
      .openapi({ description: 'Whether credentials or signing secrets are stored.' }),
    createdAt: instant,
    updatedAt: instant,
  })
  .openapi('Subscription', { example: EXAMPLE_SUBSCRIPTION });

export const createdSubscriptionSchema = z
  .object({
    subscription: subscriptionSchema,
    signingSecret: z
      .string()
      .nullable()
      .openapi({
        description:
          'Generic subscriptions: the `whsec_` secret that signs deliveries (Standard Webhooks). Shown only in ' +
          'this response; null for other formats.',
        example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      }),
  })
  .openapi('CreatedSubscription', {
    example: {
      subscription: {
        ...EXAMPLE_SUBSCRIPTION,
        format: 'generic',
        url: 'https://hooks.example.com/vigil',
        config: {},
      },
      signingSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    },
  });

export const rotateSecretSchema = z
  .strictObject({
    overlapSeconds: z.number().int().min(0).max(604_800).optional().openapi({
      description: 'How long the previous secret keeps signing beside the new one (default 86400).',
    }),
  })
  .openapi('RotateSecret', { example: { overlapSeconds: 86_400 } });

export const rotatedSecretSchema = z
  .object({
    subscription: subscriptionSchema,
    signingSecret: z.string().openapi({ description: 'The new secret. Shown only in this response.' }),
  })
  .openapi('RotatedSecret', {
    example: {
      subscription: {
        ...EXAMPLE_SUBSCRIPTION,
        format: 'generic',
        config: {},
        previousSecretExpiresAt: '2026-11-27T06:00:04.512Z',
      },
      signingSecret: 'whsec_Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA==',
    },
  });

export const testDeliverySchema = z
  .object({
    ok: z.boolean(),
    statusCode: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "The destination's status; its body is never returned." }),
    durationMs: z.number().int(),
    error: z.string().nullable(),
  })
  .openapi('TestDelivery', { example: { ok: true, statusCode: 201, durationMs: 182, error: null } });

const deliveryShape = {
  id: uuidSchema,
  subscriptionId: uuidSchema,
  webhookId: z
    .string()
    .openapi({ description: 'The `webhook-id` header: the same on every retry and redelivery.' }),
  eventType: eventTypeSchema,
  eventTimestamp: instant,
  clusterId: uuidSchema.nullable(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.number().int(),
  firstAttemptAt: instant.nullable(),
  lastAttemptAt: instant.nullable(),
  nextAttemptAt: instant.nullable().openapi({ description: 'When a pending delivery is tried next.' }),
  lastStatusCode: z.number().int().nullable(),
  lastError: z
    .string()
    .nullable()
    .openapi({ description: 'Status codes and steps only, never a response body.' }),
  lastDurationMs: z.number().int().nullable(),
  note: z.string().nullable().openapi({ description: 'What the last success did, e.g. `created SEC-42`.' }),
  createdAt: instant,
  completedAt: instant.nullable(),
};

export const EXAMPLE_DELIVERY = {
  id: EXAMPLE_DELIVERY_ID,
  subscriptionId: EXAMPLE_SUBSCRIPTION_ID,
  webhookId: 'msg_5b1f0c2d9e8a7b6c5d4e3f2a1b0c9d8e',
  eventType: 'finding.opened',
  eventTimestamp: '2026-11-26T06:00:04.512Z',
  clusterId: '0b8e3c52-52a4-4a8f-9b3f-2f1a7d3c9e10',
  status: 'pending',
  attempts: 2,
  firstAttemptAt: '2026-11-26T06:00:05.000Z',
  lastAttemptAt: '2026-11-26T06:00:28.000Z',
  nextAttemptAt: '2026-11-26T06:04:10.000Z',
  lastStatusCode: 503,
  lastError: 'create issue: HTTP 503',
  lastDurationMs: 412,
  note: null,
  createdAt: '2026-11-26T06:00:04.600Z',
  completedAt: null,
};

export const deliverySchema = z.object(deliveryShape).openapi('Delivery', { example: EXAMPLE_DELIVERY });

// ---------- webhook payloads (`{type, timestamp, data}` per Standard Webhooks)

const findingEventData = z
  .object({
    clusterId: uuidSchema,
    clusterName: z.string(),
    runId: uuidSchema,
    fingerprint: z
      .string()
      .openapi({ description: 'Stable across runs; the same misconfiguration on every cluster.' }),
    checkId: z.string(),
    title: z.string(),
    severity: severitySchema,
    resource: objectRefSchema,
    subject: subjectRefSchema.optional(),
    message: z.string(),
    controls: z.array(z.string()),
    firstSeenAt: instant,
    lastSeenAt: instant,
    reopenedCount: z.number().int(),
    reason: z.enum(['absent', 'suppressed']).optional().openapi({
      description: '`finding.resolved`: gone from the cluster, or suppressed by an exception from now on.',
    }),
  })
  .openapi('FindingEventData');

const scanFailedData = z
  .object({
    clusterId: uuidSchema,
    clusterName: z.string(),
    runId: uuidSchema,
    slot: z.string(),
    trigger: z.string(),
    attempts: z.number().int(),
    reason: z.string(),
  })
  .openapi('ScanFailedEventData');

const controlRegressedData = z
  .object({
    clusterId: uuidSchema,
    clusterName: z.string(),
    runId: uuidSchema,
    previousRunId: uuidSchema,
    framework: z.string(),
    frameworkVersion: z.string(),
    controlId: z.string(),
    qualifiedId: z.string(),
    title: z.string(),
    checks: z.array(z.string()),
  })
  .openapi('ControlRegressedEventData');

const controlStatus = z.enum(['pass', 'fail', 'not_evaluated', 'not_applicable', 'manual']);
const frameworkCounts = z
  .object({
    framework: z.string(),
    title: z.string(),
    version: z.string(),
    pass: z.number().int(),
    fail: z.number().int(),
    notEvaluated: z.number().int(),
    notApplicable: z.number().int(),
    manual: z.number().int(),
  })
  .openapi('DigestFrameworkCounts');

const digestData = z
  .object({
    date: z.string().openapi({ description: 'The UTC day (YYYY-MM-DD).', example: '2026-11-26' }),
    generatedAt: instant,
    since: instant,
    clusters: z.array(
      z.object({
        clusterId: uuidSchema,
        clusterName: z.string(),
        runId: uuidSchema,
        status: z.enum(['complete', 'partial']),
        recordedAt: instant,
        previousRunId: uuidSchema.nullable(),
        frameworks: z.array(frameworkCounts),
        changes: z.array(
          z.object({
            framework: z.string(),
            qualifiedId: z.string(),
            title: z.string(),
            from: controlStatus.nullable(),
            to: controlStatus,
          }),
        ),
      }),
    ),
    unscanned: z.array(z.object({ clusterId: uuidSchema, clusterName: z.string() })),
    fleet: z.object({
      clusters: z.number().int(),
      frameworks: z.array(frameworkCounts),
      changes: z.object({ regressed: z.number().int(), improved: z.number().int(), other: z.number().int() }),
    }),
  })
  .openapi('ComplianceDigestEventData');

const DATA: Record<(typeof WEBHOOK_EVENT_TYPES)[number], z.ZodType> = {
  'finding.opened': findingEventData,
  'finding.resolved': findingEventData,
  'finding.reopened': findingEventData,
  'scan.failed': scanFailedData,
  'compliance.control_regressed': controlRegressedData,
  'compliance.digest': digestData,
};

const SUMMARY: Record<(typeof WEBHOOK_EVENT_TYPES)[number], string> = {
  'finding.opened': 'A finding appeared on a cluster',
  'finding.resolved': 'A finding is gone (or suppressed by an exception)',
  'finding.reopened': 'A resolved finding came back',
  'scan.failed': 'A scan of a cluster failed',
  'compliance.control_regressed': 'A compliance control went from pass to fail',
  'compliance.digest': 'The daily compliance digest',
};

/** The body of a generic delivery of one event type. */
export function webhookPayloadSchema(type: (typeof WEBHOOK_EVENT_TYPES)[number]) {
  const name = type.replace(/(^|[._])(\w)/g, (_, _sep: string, c: string) => c.toUpperCase());
  return z
    .object({
      type: z.literal(type),
      timestamp: instant.openapi({ description: 'When the event happened (constant across retries).' }),
      data: DATA[type],
    })
    .openapi(`${name}Webhook`);
}

export const webhookHeadersSchema = z.object({
  'webhook-id': z.string().openapi({
    description: 'Unique per event and subscription, constant across retries: deduplicate on it.',
    example: 'msg_5b1f0c2d9e8a7b6c5d4e3f2a1b0c9d8e',
  }),
  'webhook-timestamp': z
    .string()
    .openapi({ description: 'Seconds since the epoch, of this attempt.', example: '1795672804' }),
  'webhook-signature': z.string().openapi({
    description:
      'Space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per active secret (two during a ' +
      'rotation). Verify with any Standard Webhooks library and the `whsec_` secret.',
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  }),
});

export const WEBHOOK_SUMMARIES = SUMMARY;
