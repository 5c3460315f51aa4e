import {
  completeDelivery,
  type Delivery,
  disableSubscription,
  getSubscriptionForDelivery,
  getSubscriptionSecrets,
  getTicket,
  recordEndpointResult,
  type Subscription,
  saveTicket,
} from '@vigil/db';
import {
  activeSigningSecrets,
  classifyStatus,
  type DeliveryOutcome,
  deliverEvent,
  type FindingEventData,
  isFindingEventType,
  type OutboundRequest,
  type OutboundResponse,
  parseRetryAfter,
  parseSecrets,
  parseWebhookEvent,
  planRetry,
  RETRY_WINDOW_SECONDS,
  type SubscriptionSecrets,
  TICKET_FORMATS,
  type TicketRef,
  type WebhookEvent,
} from '@vigil/notify';
import { clockOf, type NotifyDeps } from './deps.ts';

export type AttemptStatus = 'succeeded' | 'retrying' | 'failed';

export interface AttemptReport {
  deliveryId: string;
  status: AttemptStatus;
  statusCode: number | null;
  /** Set when the attempt disabled the subscription (410, or failing for the whole retry window). */
  disabled?: string;
  nextAttemptAt?: Date;
}

/** The sealing context of a subscription's secrets: a sealed value copied to another row does not open. */
export function secretsContext(subscriptionId: string): string {
  return `subscription:${subscriptionId}`;
}

export async function openSecrets(
  deps: Pick<NotifyDeps, 'db' | 'encryptor'>,
  subscriptionId: string,
  sealed?: string | null,
): Promise<SubscriptionSecrets> {
  const value = sealed === undefined ? await getSubscriptionSecrets(deps.db, subscriptionId) : sealed;
  if (value === null) return { credentials: null };
  return parseSecrets(await deps.encryptor.decrypt(value, secretsContext(subscriptionId)));
}

/** The URL a delivery really goes to: Slack's is sealed, since it is itself a credential. */
export function destinationOf(subscription: Subscription, secrets: SubscriptionSecrets): string {
  return subscription.format === 'slack' ? (secrets.webhookUrl ?? subscription.url) : subscription.url;
}

/**
 * Runs one event through a subscription's format with the guarded client. Used by delivery attempts and by
 * the API's test delivery; returns the outcome and the time the requests took.
 */
export async function sendEvent(
  deps: Pick<NotifyDeps, 'http'>,
  input: {
    subscription: Subscription;
    secrets: SubscriptionSecrets;
    event: WebhookEvent;
    webhookId: string;
    ticket: TicketRef | null;
    attempt: number;
    now: Date;
  },
): Promise<{ outcome: DeliveryOutcome; durationMs: number }> {
  let durationMs = 0;
  const send = async (request: OutboundRequest): Promise<OutboundResponse> => {
    const started = performance.now();
    try {
      return await deps.http.send(request);
    } finally {
      durationMs += performance.now() - started;
    }
  };
  const outcome = await deliverEvent(input.subscription.format, {
    event: input.event,
    webhookId: input.webhookId,
    url: destinationOf(input.subscription, input.secrets),
    config: input.subscription.config,
    credentials: input.secrets.credentials,
    signingSecrets: activeSigningSecrets(input.secrets, input.now),
    ticket: input.ticket,
    attempt: input.attempt,
    now: input.now,
    send,
  });
  return { outcome, durationMs };
}

function ticketKeyParts(delivery: Delivery): { clusterId: string; fingerprint: string } | null {
  if (!isFindingEventType(delivery.eventType) || !delivery.clusterId) return null;
  const fingerprint = (delivery.payload as Partial<FindingEventData>).fingerprint;
  return typeof fingerprint === 'string' ? { clusterId: delivery.clusterId, fingerprint } : null;
}

/**
 * One attempt of a claimed delivery, recorded: success (with the ticket it created, moved or forgot),
 * a retry on the schedule (honouring Retry-After), or a final failure. A 410 disables the subscription at
 * once; so does a failure when the endpoint has been failing for the whole retry window. Remote bodies are
 * never recorded: the delivery keeps status codes and what Vigil did.
 */
export async function attemptDelivery(deps: NotifyDeps, delivery: Delivery): Promise<AttemptReport> {
  const now = clockOf(deps)();
  const random = deps.random ?? Math.random;
  const fail = async (error: string, statusCode: number | null = null): Promise<AttemptReport> => {
    await completeDelivery(deps.db, delivery.id, { status: 'failed', at: now, error, statusCode });
    return { deliveryId: delivery.id, status: 'failed', statusCode };
  };

  const found = await getSubscriptionForDelivery(deps.db, delivery.subscriptionId);
  const subscription = found?.subscription;
  if (!subscription || subscription.deletedAt) return fail('the subscription was deleted');
  if (!subscription.enabled) {
    return fail(
      `the subscription is disabled${subscription.disabledReason ? `: ${subscription.disabledReason}` : ''}`,
    );
  }
  let event: WebhookEvent;
  try {
    event = parseWebhookEvent({
      type: delivery.eventType,
      timestamp: delivery.eventTimestamp.toISOString(),
      data: delivery.payload,
    });
  } catch (error) {
    // The stored event cannot become a request however often it is tried.
    return fail((error as Error).message);
  }

  let outcome: DeliveryOutcome;
  let durationMs = 0;
  const ticketParts = TICKET_FORMATS.includes(subscription.format) ? ticketKeyParts(delivery) : null;
  const ticketKey = ticketParts ? { subscriptionId: subscription.id, ...ticketParts } : null;
  try {
    const secrets = await openSecrets(deps, subscription.id, found.sealedSecrets);
    const ticket = ticketKey ? await getTicket(deps.db, ticketKey) : null;
    ({ outcome, durationMs } = await sendEvent(deps, {
      subscription,
      secrets,
      event,
      webhookId: delivery.webhookId,
      ticket,
      attempt: delivery.attempts,
      now,
    }));
  } catch (error) {
    const name = (error as { code?: string }).code ?? (error as Error).name;
    if (name !== 'DECRYPTION_FAILED' && name !== 'ENCRYPTION_CONFIG') throw error;
    // A key outage or a damaged secret: retried like an endpoint failure, and visible on the delivery.
    outcome = { ok: false, error: `cannot open the subscription's credentials (${name})` };
  }

  if (outcome.ok) {
    if (ticketKey && outcome.ticket !== undefined) await saveTicket(deps.db, ticketKey, outcome.ticket);
    await completeDelivery(deps.db, delivery.id, {
      status: 'succeeded',
      at: now,
      statusCode: outcome.status || null,
      durationMs,
      note: outcome.note ?? null,
    });
    // A healthy endpoint's row is left alone: one write a minute, not one per delivery.
    const recent =
      subscription.lastSuccessAt && now.getTime() - subscription.lastSuccessAt.getTime() < 60_000;
    if (subscription.failingSince !== null || !recent) {
      await recordEndpointResult(deps.db, subscription.id, { ok: true, at: now });
    }
    return { deliveryId: delivery.id, status: 'succeeded', statusCode: outcome.status || null };
  }

  const statusCode = outcome.status ?? null;
  if (statusCode !== null && classifyStatus(statusCode) === 'gone') {
    const reason = `the endpoint answered 410 Gone at ${now.toISOString()}`;
    await completeDelivery(deps.db, delivery.id, {
      status: 'failed',
      at: now,
      statusCode,
      durationMs,
      error: `${outcome.error}; the subscription is disabled`,
    });
    // The endpoint's failure is recorded as any other (lastFailureAt, failingSince) before it is disabled.
    await recordEndpointResult(deps.db, subscription.id, { ok: false, at: now });
    await disableSubscription(deps.db, subscription.id, { reason, at: now });
    return { deliveryId: delivery.id, status: 'failed', statusCode, disabled: reason };
  }

  const { failingSince } = await recordEndpointResult(deps.db, subscription.id, { ok: false, at: now });
  const plan = planRetry({
    firstAttemptAt: delivery.firstAttemptAt ?? now,
    now,
    failedAttempts: delivery.attempts,
    retryAfterSeconds: parseRetryAfter(outcome.retryAfter, now),
    random,
  });
  const failingFor = failingSince ? (now.getTime() - failingSince.getTime()) / 1000 : 0;
  const endpointDead = failingFor >= RETRY_WINDOW_SECONDS;
  if (plan.kind === 'give_up' || endpointDead) {
    await completeDelivery(deps.db, delivery.id, {
      status: 'failed',
      at: now,
      statusCode,
      durationMs,
      error: `${outcome.error}; gave up after ${delivery.attempts} attempts`,
    });
    if (endpointDead) {
      const reason = `failing since ${failingSince!.toISOString()} (last: ${outcome.error})`;
      await disableSubscription(deps.db, subscription.id, { reason, at: now });
      return { deliveryId: delivery.id, status: 'failed', statusCode, disabled: reason };
    }
    return { deliveryId: delivery.id, status: 'failed', statusCode };
  }
  await completeDelivery(deps.db, delivery.id, {
    status: 'pending',
    at: now,
    statusCode,
    durationMs,
    error: outcome.error,
    nextAttemptAt: plan.at,
  });
  return { deliveryId: delivery.id, status: 'retrying', statusCode, nextAttemptAt: plan.at };
}
