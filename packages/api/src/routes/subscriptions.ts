import { z } from '@hono/zod-openapi';
import type { LabelSelector, Severity } from '@vigil/core';
import {
  countDeliveries,
  type Delivery,
  getDelivery,
  getSubscription,
  listDeliveries,
  listSubscriptions,
  type Subscription,
} from '@vigil/db';
import type { Context } from 'hono';
import { requireUnrestricted } from '../auth/visibility.ts';
import type { ApiEnv } from '../http/env.ts';
import { ApiError, notFound } from '../http/problem.ts';
import { pageQuery, pageSchema, uuidSchema } from '../openapi/schemas.ts';
import { createRouter, defineRoute } from './route-kit.ts';
import {
  createdSubscriptionSchema,
  deliverySchema,
  EXAMPLE_DELIVERY,
  EXAMPLE_SUBSCRIPTION,
  eventTypeSchema,
  newSubscriptionSchema,
  rotatedSecretSchema,
  rotateSecretSchema,
  subscriptionFormatSchema,
  subscriptionPatchSchema,
  subscriptionSchema,
  testDeliverySchema,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_SUMMARIES,
  webhookHeadersSchema,
  webhookPayloadSchema,
} from './subscriptions-schemas.ts';

/**
 * The port through which the API saves and tests subscriptions. Saving needs the notifier (the SSRF check,
 * sealing credentials, generating signing secrets), which the API may not import; packages/jobs implements
 * it (`createSubscriptionService`) and the entry point passes it in `ApiDeps.notifications`.
 */
export interface NotificationService {
  create(input: {
    name: string;
    format: (typeof subscriptionFormatSchema.options)[number];
    url?: string;
    eventTypes: readonly string[];
    minSeverity?: Severity | null;
    clusterSelector?: LabelSelector | null;
    config?: Record<string, unknown>;
    credentials?: Record<string, unknown> | null;
    enabled?: boolean;
  }): Promise<{ subscription: Subscription; signingSecret: string | null }>;
  update(
    id: string,
    patch: {
      name?: string;
      url?: string;
      eventTypes?: readonly string[];
      minSeverity?: Severity | null;
      clusterSelector?: LabelSelector | null;
      config?: Record<string, unknown>;
      credentials?: Record<string, unknown> | null;
      enabled?: boolean;
    },
  ): Promise<Subscription | null>;
  rotateSecret(
    id: string,
    options?: { overlapSeconds?: number },
  ): Promise<{ subscription: Subscription; signingSecret: string } | null>;
  sendTest(
    id: string,
  ): Promise<{ ok: boolean; statusCode: number | null; durationMs: number; error: string | null } | null>;
  redeliver(deliveryId: string): Promise<Delivery | null>;
  remove(id: string): Promise<boolean>;
}

const FLEET_WIDE =
  ' Subscriptions cover the fleet (by cluster label selector), so a credential limited to some clusters gets 403.';

const subscriptionIdParams = z.strictObject({
  subscriptionId: uuidSchema.openapi({
    param: { name: 'subscriptionId', in: 'path' },
    example: EXAMPLE_SUBSCRIPTION.id,
  }),
});
const deliveryIdParams = z.strictObject({
  deliveryId: uuidSchema.openapi({ param: { name: 'deliveryId', in: 'path' }, example: EXAMPLE_DELIVERY.id }),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toSubscriptionDto(s: Subscription) {
  return {
    id: s.id,
    name: s.name,
    format: s.format,
    url: s.url,
    eventTypes: s.eventTypes,
    minSeverity: s.minSeverity,
    clusterSelector: s.clusterSelector,
    config: s.config,
    enabled: s.enabled,
    disabledReason: s.disabledReason,
    disabledAt: iso(s.disabledAt),
    failingSince: iso(s.failingSince),
    lastSuccessAt: iso(s.lastSuccessAt),
    lastFailureAt: iso(s.lastFailureAt),
    previousSecretExpiresAt: iso(s.previousSecretExpiresAt),
    hasCredentials: s.hasSecrets,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function toDeliveryDto(d: Delivery) {
  return {
    id: d.id,
    subscriptionId: d.subscriptionId,
    webhookId: d.webhookId,
    eventType: d.eventType as (typeof WEBHOOK_EVENT_TYPES)[number],
    eventTimestamp: d.eventTimestamp.toISOString(),
    clusterId: d.clusterId,
    status: d.status,
    attempts: d.attempts,
    firstAttemptAt: iso(d.firstAttemptAt),
    lastAttemptAt: iso(d.lastAttemptAt),
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    lastDurationMs: d.lastDurationMs,
    note: d.note,
    createdAt: d.createdAt.toISOString(),
    completedAt: iso(d.completedAt),
  };
}

function notifications(c: Context<ApiEnv>): NotificationService {
  const service = c.var.services.notifications;
  if (!service) throw new ApiError('unavailable', 'notifications are not configured in this deployment');
  return service;
}

/**
 * The notifier's refusals as 400 problems naming the field: a destination the SSRF guard refuses, options
 * or credentials that do not fit the format. Their messages never contain a credential.
 */
async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = (error as Error).message;
    if (code === 'DESTINATION_REFUSED') {
      throw new ApiError('bad-request', `url: ${message}`, {
        invalidParams: [{ name: 'body.url', reason: message }],
      });
    }
    if (code === 'INVALID_SUBSCRIPTION') {
      const field = (error as { field?: string }).field ?? 'body';
      throw new ApiError('bad-request', message, {
        invalidParams: [{ name: `body.${field}`, reason: message }],
      });
    }
    throw error;
  }
}

const create = defineRoute({
  method: 'post',
  path: '/v1/subscriptions',
  operationId: 'createSubscription',
  summary: 'Subscribe a destination to events',
  description:
    'The URL is checked when saved (and again on every connection): http(s) only, no credentials in it, and ' +
    'every address its host resolves to must be public unless the operator allow-lists the range. A generic ' +
    'subscription gets a `whsec_` signing secret, returned once.' +
    FLEET_WIDE,
  tags: ['Notifications'],
  scope: 'admin',
  errors: [503],
  request: { body: { required: true, content: { 'application/json': { schema: newSubscriptionSchema } } } },
  responses: {
    201: {
      description: 'The subscription, with its signing secret (generic only).',
      headers: z.object({
        location: z.string().openapi({ example: `/v1/subscriptions/${EXAMPLE_SUBSCRIPTION.id}` }),
      }),
      content: { 'application/json': { schema: createdSubscriptionSchema } },
    },
  },
});

const list = defineRoute({
  method: 'get',
  path: '/v1/subscriptions',
  operationId: 'listSubscriptions',
  summary: 'List subscriptions',
  description: `Oldest first.${FLEET_WIDE}`,
  tags: ['Notifications'],
  scope: 'read',
  request: {
    query: z.strictObject({
      format: subscriptionFormatSchema.optional(),
      enabled: z
        .enum(['true', 'false'])
        .optional()
        .transform((v) => (v === undefined ? undefined : v === 'true'))
        .openapi({ example: 'false' }),
      ...pageQuery,
    }),
  },
  responses: {
    200: {
      description: 'A page of subscriptions.',
      content: {
        'application/json': {
          schema: pageSchema(subscriptionSchema, 'SubscriptionPage', EXAMPLE_SUBSCRIPTION),
        },
      },
    },
  },
});

const get = defineRoute({
  method: 'get',
  path: '/v1/subscriptions/{subscriptionId}',
  operationId: 'getSubscription',
  summary: 'Get a subscription',
  description: `With its delivery counts; credentials are never returned.${FLEET_WIDE}`,
  tags: ['Notifications'],
  scope: 'read',
  errors: [404],
  request: { params: subscriptionIdParams },
  responses: {
    200: {
      description: 'The subscription.',
      content: {
        'application/json': {
          schema: subscriptionSchema
            .extend({
              deliveries: z.object({
                pending: z.number().int(),
                succeeded: z.number().int(),
                failed: z.number().int(),
              }),
            })
            .openapi('SubscriptionDetail', {
              example: { ...EXAMPLE_SUBSCRIPTION, deliveries: { pending: 1, succeeded: 40, failed: 0 } },
            }),
        },
      },
    },
  },
});

const update = defineRoute({
  method: 'patch',
  path: '/v1/subscriptions/{subscriptionId}',
  operationId: 'updateSubscription',
  summary: 'Change a subscription',
  description: `A new URL is checked as on creation; new credentials replace the stored ones.${FLEET_WIDE}`,
  tags: ['Notifications'],
  scope: 'admin',
  errors: [404, 503],
  request: {
    params: subscriptionIdParams,
    body: { required: true, content: { 'application/json': { schema: subscriptionPatchSchema } } },
  },
  responses: {
    200: {
      description: 'The subscription.',
      content: { 'application/json': { schema: subscriptionSchema } },
    },
  },
});

const remove = defineRoute({
  method: 'delete',
  path: '/v1/subscriptions/{subscriptionId}',
  operationId: 'deleteSubscription',
  summary: 'Delete a subscription',
  description: `Its pending deliveries fail; its delivery history stays.${FLEET_WIDE}`,
  tags: ['Notifications'],
  scope: 'admin',
  errors: [404, 503],
  request: { params: subscriptionIdParams },
  responses: { 204: { description: 'Deleted.' } },
});

const rotate = defineRoute({
  method: 'post',
  path: '/v1/subscriptions/{subscriptionId}/rotate-secret',
  operationId: 'rotateSubscriptionSecret',
  summary: 'Rotate the signing secret',
  description:
    'Generic subscriptions only. During the overlap both secrets sign every delivery (two `v1,` entries in ' +
    `\`webhook-signature\`), so receivers can switch without missing one.${FLEET_WIDE}`,
  tags: ['Notifications'],
  scope: 'admin',
  errors: [404, 503],
  request: {
    params: subscriptionIdParams,
    body: { required: true, content: { 'application/json': { schema: rotateSecretSchema } } },
  },
  responses: {
    200: { description: 'The new secret.', content: { 'application/json': { schema: rotatedSecretSchema } } },
  },
});

const test = defineRoute({
  method: 'post',
  path: '/v1/subscriptions/{subscriptionId}/test',
  operationId: 'testSubscription',
  summary: 'Send a test delivery',
  description:
    'Sends a sample `finding.opened` event now, through the same checks and signing as real deliveries, and ' +
    `reports the status code and timing. The destination's response body is never returned.${FLEET_WIDE}`,
  tags: ['Notifications'],
  scope: 'admin',
  errors: [404, 503],
  request: { params: subscriptionIdParams },
  responses: {
    200: { description: 'What happened.', content: { 'application/json': { schema: testDeliverySchema } } },
  },
});

const deliveries = defineRoute({
  method: 'get',
  path: '/v1/subscriptions/{subscriptionId}/deliveries',
  operationId: 'listSubscriptionDeliveries',
  summary: "List a subscription's deliveries",
  description: `Newest first: status, attempts, last status code, next attempt.${FLEET_WIDE}`,
  tags: ['Notifications'],
  scope: 'read',
  errors: [404],
  request: {
    params: subscriptionIdParams,
    query: z.strictObject({
      status: z.enum(['pending', 'succeeded', 'failed']).optional(),
      eventType: eventTypeSchema.optional(),
      ...pageQuery,
    }),
  },
  responses: {
    200: {
      description: 'A page of deliveries.',
      content: {
        'application/json': { schema: pageSchema(deliverySchema, 'DeliveryPage', EXAMPLE_DELIVERY) },
      },
    },
  },
});

const getOne = defineRoute({
  method: 'get',
  path: '/v1/deliveries/{deliveryId}',
  operationId: 'getDelivery',
  summary: 'Get a delivery',
  description: `With the event it delivers.${FLEET_WIDE}`,
  tags: ['Notifications'],
  scope: 'read',
  errors: [404],
  request: { params: deliveryIdParams },
  responses: {
    200: {
      description: 'The delivery.',
      content: {
        'application/json': {
          schema: deliverySchema
            .extend({
              payload: z.record(z.string(), z.unknown()).openapi({ description: 'The event `data`.' }),
            })
            .openapi('DeliveryDetail', {
              example: { ...EXAMPLE_DELIVERY, payload: { clusterName: 'prod-eu' } },
            }),
        },
      },
    },
  },
});

const redeliver = defineRoute({
  method: 'post',
  path: '/v1/deliveries/{deliveryId}/redeliver',
  operationId: 'redeliverDelivery',
  summary: 'Deliver an event again',
  description:
    'Schedules the delivery now, whatever its state, with the same `webhook-id` (receivers deduplicate on it) ' +
    `and a fresh retry window. The subscription must be enabled (409 otherwise).${FLEET_WIDE}`,
  tags: ['Notifications'],
  scope: 'admin',
  errors: [404, 409, 503],
  request: { params: deliveryIdParams },
  responses: {
    202: { description: 'Scheduled.', content: { 'application/json': { schema: deliverySchema } } },
  },
});

export function subscriptionRoutes() {
  const router = createRouter()
    .openapi(create, async (c) => {
      requireUnrestricted(c, 'subscriptions');
      const body = c.req.valid('json');
      const { subscription, signingSecret } = await translated(() => notifications(c).create(body));
      c.header('location', `/v1/subscriptions/${subscription.id}`);
      return c.json({ subscription: toSubscriptionDto(subscription), signingSecret }, 201);
    })
    .openapi(list, async (c) => {
      requireUnrestricted(c, 'subscriptions');
      const q = c.req.valid('query');
      const page = await listSubscriptions(c.var.services.db, {
        ...(q.format ? { formats: [q.format] } : {}),
        ...(q.enabled !== undefined ? { enabled: q.enabled } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      return c.json({ items: page.items.map(toSubscriptionDto), nextCursor: page.nextCursor }, 200);
    })
    .openapi(get, async (c) => {
      requireUnrestricted(c, 'subscriptions');
      const { subscriptionId } = c.req.valid('param');
      const subscription = await getSubscription(c.var.services.db, subscriptionId);
      if (!subscription) throw notFound('subscription', subscriptionId);
      const counts = await countDeliveries(c.var.services.db, subscriptionId);
      return c.json({ ...toSubscriptionDto(subscription), deliveries: counts }, 200);
    })
    .openapi(update, async (c) => {
      requireUnrestricted(c, 'subscriptions');
      const { subscriptionId } = c.req.valid('param');
      const body = c.req.valid('json');
      const updated = await translated(() => notifications(c).update(subscriptionId, body));
      if (!updated) throw notFound('subscription', subscriptionId);
      return c.json(toSubscriptionDto(updated), 200);
    })
    .openapi(remove, async (c) => {
      requireUnrestricted(c, 'subscriptions');
      const { subscriptionId } = c.req.valid('param');
      if (!(await notifications(c).remove(subscriptionId))) throw notFound('subscription', subscriptionId);
      return c.body(null, 204);
    })
    .openapi(rotate, async (c) => {
      requireUnrestricted(c, 'subscriptions');
      const { subscriptionId } = c.req.valid('param');
      const body = c.req.valid('json');
      const rotated = await translated(() => notifications(c).rotateSecret(subscriptionId, body));
      if (!rotated) throw notFound('subscription', subscriptionId);
      return c.json(
        { subscription: toSubscriptionDto(rotated.subscription), signingSecret: rotated.signingSecret },
        200,
      );
    })
    .openapi(test, async (c) => {
      requireUnrestricted(c, 'subscriptions');
      const { subscriptionId } = c.req.valid('param');
      const result = await notifications(c).sendTest(subscriptionId);
      if (!result) throw notFound('subscription', subscriptionId);
      return c.json(result, 200);
    })
    .openapi(deliveries, async (c) => {
      requireUnrestricted(c, 'subscriptions');
      const { subscriptionId } = c.req.valid('param');
      const q = c.req.valid('query');
      if (!(await getSubscription(c.var.services.db, subscriptionId, { includeDeleted: true }))) {
        throw notFound('subscription', subscriptionId);
      }
      const page = await listDeliveries(c.var.services.db, {
        subscriptionId,
        ...(q.status ? { statuses: [q.status] } : {}),
        ...(q.eventType ? { eventTypes: [q.eventType] } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      return c.json({ items: page.items.map(toDeliveryDto), nextCursor: page.nextCursor }, 200);
    })
    .openapi(getOne, async (c) => {
      requireUnrestricted(c, 'subscriptions');
      const { deliveryId } = c.req.valid('param');
      const delivery = await getDelivery(c.var.services.db, deliveryId);
      if (!delivery) throw notFound('delivery', deliveryId);
      return c.json({ ...toDeliveryDto(delivery), payload: delivery.payload }, 200);
    })
    .openapi(redeliver, async (c) => {
      requireUnrestricted(c, 'subscriptions');
      const { deliveryId } = c.req.valid('param');
      let delivery: Delivery | null;
      try {
        delivery = await notifications(c).redeliver(deliveryId);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'INVALID_SUBSCRIPTION') {
          throw new ApiError('conflict', (error as Error).message);
        }
        throw error;
      }
      if (!delivery) throw notFound('delivery', deliveryId);
      return c.json(toDeliveryDto(delivery), 202);
    });
  for (const type of WEBHOOK_EVENT_TYPES) {
    router.openAPIRegistry.registerWebhook({
      // Not Vigil's API schemes: receivers authenticate the sender by the signature headers below.
      security: [],
      method: 'post',
      path: type,
      operationId: `webhook_${type.replace('.', '_')}`,
      summary: WEBHOOK_SUMMARIES[type],
      description:
        'Sent to generic subscriptions as a Standard Webhooks delivery: JSON `{type, timestamp, data}` with ' +
        '`webhook-id`, `webhook-timestamp` and `webhook-signature`. Any 2xx acknowledges it; 410 disables the ' +
        'subscription; anything else (redirects included, never followed) is retried with backoff for about ' +
        'three days.',
      tags: ['Notifications'],
      request: {
        headers: webhookHeadersSchema,
        body: { required: true, content: { 'application/json': { schema: webhookPayloadSchema(type) } } },
      },
      responses: { 200: { description: 'Received (any 2xx).' } },
    });
  }
  return router;
}
