import { z } from 'zod';

/**
 * Every event a subscription can ask for: the outbox's event types (written with each run) and the daily
 * compliance digest (built per subscription by the digest job).
 */
export const WEBHOOK_EVENT_TYPES = [
  'finding.opened',
  'finding.resolved',
  'finding.reopened',
  'scan.failed',
  'compliance.control_regressed',
  'compliance.digest',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const FINDING_EVENT_TYPES = ['finding.opened', 'finding.resolved', 'finding.reopened'] as const;
export type FindingEventType = (typeof FINDING_EVENT_TYPES)[number];

export function isFindingEventType(type: string): type is FindingEventType {
  return (FINDING_EVENT_TYPES as readonly string[]).includes(type);
}

const SEVERITY = z.enum(['critical', 'high', 'medium', 'low', 'info']);
const text = (max: number) => z.string().max(max);

// The payload schemas are loose (unknown fields pass through to generic receivers) but every field that a
// format reads is checked, so a malformed row fails its delivery with a clear reason instead of sending junk.

export const findingEventDataSchema = z.looseObject({
  clusterId: z.string(),
  clusterName: text(253),
  runId: z.string(),
  fingerprint: text(128),
  checkId: text(128),
  title: text(1000),
  severity: SEVERITY,
  resource: z.looseObject({ kind: text(253), name: text(253), namespace: text(253).optional() }),
  subject: z.looseObject({ kind: text(64), name: text(1000), namespace: text(253).optional() }).optional(),
  message: text(10_000),
  controls: z.array(text(200)),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  reopenedCount: z.number().int().nonnegative(),
  reason: z.enum(['absent', 'suppressed']).optional(),
});
export type FindingEventData = z.infer<typeof findingEventDataSchema>;

export const scanFailedDataSchema = z.looseObject({
  clusterId: z.string(),
  clusterName: text(253),
  runId: z.string(),
  slot: text(200),
  trigger: text(32),
  attempts: z.number().int().nonnegative(),
  reason: text(4000),
});
export type ScanFailedData = z.infer<typeof scanFailedDataSchema>;

export const controlRegressedDataSchema = z.looseObject({
  clusterId: z.string(),
  clusterName: text(253),
  runId: z.string(),
  previousRunId: z.string(),
  framework: text(200),
  frameworkVersion: text(64),
  controlId: text(200),
  qualifiedId: text(400),
  title: text(1000),
  checks: z.array(text(128)),
});
export type ControlRegressedData = z.infer<typeof controlRegressedDataSchema>;

const CONTROL_STATUS = z.enum(['pass', 'fail', 'not_evaluated', 'not_applicable', 'manual']);
export type DigestControlStatus = z.infer<typeof CONTROL_STATUS>;

export const frameworkCountsSchema = z.object({
  framework: z.string(),
  title: z.string(),
  version: z.string(),
  pass: z.number().int(),
  fail: z.number().int(),
  notEvaluated: z.number().int(),
  notApplicable: z.number().int(),
  manual: z.number().int(),
});
export type FrameworkCounts = z.infer<typeof frameworkCountsSchema>;

export const controlChangeSchema = z.object({
  framework: z.string(),
  qualifiedId: z.string(),
  title: z.string(),
  /** Null when the control was not in yesterday's result (a new cluster, framework or control). */
  from: CONTROL_STATUS.nullable(),
  to: CONTROL_STATUS,
});
export type ControlChange = z.infer<typeof controlChangeSchema>;

export const complianceDigestDataSchema = z.object({
  /** The UTC day the digest is for (YYYY-MM-DD). */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  generatedAt: z.string(),
  /** The instant "yesterday" is taken at: each cluster's newest result then is the baseline. */
  since: z.string(),
  clusters: z.array(
    z.object({
      clusterId: z.string(),
      clusterName: z.string(),
      runId: z.string(),
      status: z.enum(['complete', 'partial']),
      recordedAt: z.string(),
      /** The baseline run, or null when the cluster had no result yet at `since`. */
      previousRunId: z.string().nullable(),
      frameworks: z.array(frameworkCountsSchema),
      changes: z.array(controlChangeSchema),
    }),
  ),
  /** Clusters the subscription covers that have no recorded scan yet. */
  unscanned: z.array(z.object({ clusterId: z.string(), clusterName: z.string() })),
  fleet: z.object({
    clusters: z.number().int(),
    frameworks: z.array(frameworkCountsSchema),
    changes: z.object({ regressed: z.number().int(), improved: z.number().int(), other: z.number().int() }),
  }),
});
export type ComplianceDigestData = z.infer<typeof complianceDigestDataSchema>;

export interface EventDataByType {
  'finding.opened': FindingEventData;
  'finding.resolved': FindingEventData;
  'finding.reopened': FindingEventData;
  'scan.failed': ScanFailedData;
  'compliance.control_regressed': ControlRegressedData;
  'compliance.digest': ComplianceDigestData;
}

const DATA_SCHEMAS: { [K in WebhookEventType]: z.ZodType<EventDataByType[K]> } = {
  'finding.opened': findingEventDataSchema,
  'finding.resolved': findingEventDataSchema,
  'finding.reopened': findingEventDataSchema,
  'scan.failed': scanFailedDataSchema,
  'compliance.control_regressed': controlRegressedDataSchema,
  'compliance.digest': complianceDigestDataSchema,
};

/** An event as it is delivered; generic receivers get exactly `{type, timestamp, data}` as the body. */
export type WebhookEvent = {
  [K in WebhookEventType]: { type: K; timestamp: string; data: EventDataByType[K] };
}[WebhookEventType];

/**
 * Checks a stored event before delivery. Throws with the first problem's path; the caller fails the delivery
 * with that message (a malformed row never becomes a request).
 */
export function parseWebhookEvent(input: { type: string; timestamp: string; data: unknown }): WebhookEvent {
  if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(input.type)) {
    throw new Error(`unknown event type ${JSON.stringify(input.type)}`);
  }
  const type = input.type as WebhookEventType;
  const parsed = DATA_SCHEMAS[type].safeParse(input.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`malformed ${type} payload at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return { type, timestamp: input.timestamp, data: parsed.data } as WebhookEvent;
}

/** The body of a generic (Standard Webhooks) delivery. */
export function webhookBody(event: WebhookEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
}
