import { type LabelSelector, labelSelectorSchema, SEVERITIES, type Severity } from '@vigil/core';
import { and, asc, eq, gt, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../database.ts';
import { notificationDeliveries } from '../deliveries/table.ts';
import { InvalidInputError } from '../errors.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../pagination.ts';
import { isUuid, parseOrThrow } from '../validate.ts';
import { SUBSCRIPTION_FORMATS, type Subscription, type SubscriptionFormat } from './model.ts';
import { notificationSubscriptions } from './table.ts';

export interface NewSubscription {
  /** Chosen by the caller when secrets must be sealed to the id before the row exists. */
  id?: string;
  name: string;
  format: SubscriptionFormat;
  url: string;
  host: string;
  eventTypes: readonly string[];
  minSeverity?: Severity | null;
  clusterSelector?: LabelSelector | null;
  config?: Record<string, unknown>;
  sealedSecrets?: string | null;
  enabled?: boolean;
  previousSecretExpiresAt?: Date | null;
}

export type SubscriptionPatch = Partial<Omit<NewSubscription, 'id'>>;

const nameSchema = z.string().trim().min(1).max(200);
const eventTypesSchema = z
  .array(z.string().regex(/^[a-z_]+\.[a-z_]+$/, 'an event type such as finding.opened'))
  .min(1)
  .max(20);
const hostSchema = z.string().min(1).max(300);
const urlSchema = z.string().min(1).max(2048);

type Row = typeof notificationSubscriptions.$inferSelect;

function toSubscription(row: Row): Subscription {
  const { sealedSecrets, ...rest } = row;
  return {
    ...rest,
    minSeverity: (row.minSeverity as Severity | null) ?? null,
    hasSecrets: sealedSecrets !== null,
  };
}

function checkFormat(format: string): void {
  if (!(SUBSCRIPTION_FORMATS as readonly string[]).includes(format)) {
    throw new InvalidInputError(`format must be one of ${SUBSCRIPTION_FORMATS.join(', ')}, got ${format}`);
  }
}

function checkSeverity(severity: string | null | undefined): void {
  if (severity === null || severity === undefined) return;
  if (!(SEVERITIES as readonly string[]).includes(severity)) {
    throw new InvalidInputError(`minSeverity must be one of ${SEVERITIES.join(', ')}, got ${severity}`);
  }
}

/** Stores a subscription whose URL, secrets and options the notifier has already checked and sealed. */
export async function createSubscription(db: Database, input: NewSubscription): Promise<Subscription> {
  if (input.id !== undefined && !isUuid(input.id)) throw new InvalidInputError('id must be a UUID');
  checkFormat(input.format);
  checkSeverity(input.minSeverity);
  const [row] = await db
    .insert(notificationSubscriptions)
    .values({
      ...(input.id ? { id: input.id } : {}),
      name: parseOrThrow('name', nameSchema, input.name),
      format: input.format,
      url: parseOrThrow('url', urlSchema, input.url),
      host: parseOrThrow('host', hostSchema, input.host),
      eventTypes: parseOrThrow('eventTypes', eventTypesSchema, [...input.eventTypes]),
      minSeverity: input.minSeverity ?? null,
      clusterSelector:
        input.clusterSelector == null
          ? null
          : parseOrThrow('clusterSelector', labelSelectorSchema, input.clusterSelector),
      config: input.config ?? {},
      sealedSecrets: input.sealedSecrets ?? null,
      enabled: input.enabled ?? true,
      previousSecretExpiresAt: input.previousSecretExpiresAt ?? null,
    })
    .returning();
  return toSubscription(row!);
}

/** A subscription by id; deleted ones only when asked for. */
export async function getSubscription(
  db: Database,
  id: string,
  options: { includeDeleted?: boolean } = {},
): Promise<Subscription | null> {
  if (!isUuid(id)) return null;
  const [row] = await db
    .select()
    .from(notificationSubscriptions)
    .where(
      and(
        eq(notificationSubscriptions.id, id),
        options.includeDeleted ? undefined : isNull(notificationSubscriptions.deletedAt),
      ),
    );
  return row ? toSubscription(row) : null;
}

/** The sealed credentials and signing secrets of a live subscription (only the notifier can open them). */
export async function getSubscriptionSecrets(db: Database, id: string): Promise<string | null> {
  if (!isUuid(id)) return null;
  const [row] = await db
    .select({ sealed: notificationSubscriptions.sealedSecrets })
    .from(notificationSubscriptions)
    .where(and(eq(notificationSubscriptions.id, id), isNull(notificationSubscriptions.deletedAt)));
  return row?.sealed ?? null;
}

/**
 * A subscription with its sealed secrets in one read, for a delivery attempt (deleted ones included, so
 * the attempt can say why it stops).
 */
export async function getSubscriptionForDelivery(
  db: Database,
  id: string,
): Promise<{ subscription: Subscription; sealedSecrets: string | null } | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(notificationSubscriptions).where(eq(notificationSubscriptions.id, id));
  return row ? { subscription: toSubscription(row), sealedSecrets: row.sealedSecrets } : null;
}

export interface SubscriptionFilter extends PageRequest {
  enabled?: boolean;
  formats?: readonly SubscriptionFormat[];
}

const SUBSCRIPTIONS_LISTING = 'subscriptions';

/** Live subscriptions, oldest first, keyset-paginated. */
export async function listSubscriptions(
  db: Database,
  filter: SubscriptionFilter = {},
): Promise<Page<Subscription>> {
  const limit = pageLimit(filter.limit);
  let after: SQL | undefined;
  if (filter.cursor) {
    const [at, id] = decodeCursor(SUBSCRIPTIONS_LISTING, filter.cursor, ['string', 'string']);
    const date = new Date(at);
    after = or(
      gt(notificationSubscriptions.createdAt, date),
      and(eq(notificationSubscriptions.createdAt, date), gt(notificationSubscriptions.id, id)),
    );
  }
  const rows = await db
    .select()
    .from(notificationSubscriptions)
    .where(
      and(
        isNull(notificationSubscriptions.deletedAt),
        filter.enabled === undefined ? undefined : eq(notificationSubscriptions.enabled, filter.enabled),
        filter.formats ? inArray(notificationSubscriptions.format, [...filter.formats]) : undefined,
        after,
      ),
    )
    .orderBy(asc(notificationSubscriptions.createdAt), asc(notificationSubscriptions.id))
    .limit(limit + 1);
  return toPage(rows, limit, toSubscription, (row) =>
    encodeCursor(SUBSCRIPTIONS_LISTING, [row.createdAt.toISOString(), row.id]),
  );
}

/** Every enabled live subscription, for matching events (a deployment has tens, not thousands). */
export async function listEnabledSubscriptions(db: Database): Promise<Subscription[]> {
  const rows = await db
    .select()
    .from(notificationSubscriptions)
    .where(and(isNull(notificationSubscriptions.deletedAt), eq(notificationSubscriptions.enabled, true)))
    .orderBy(asc(notificationSubscriptions.createdAt), asc(notificationSubscriptions.id));
  return rows.map(toSubscription);
}

/**
 * Changes a live subscription; null when there is none. Enabling clears the disabled reason and the
 * failing streak; a new host moves the pending deliveries to it (they are bounded per host).
 */
export async function updateSubscription(
  db: Database,
  id: string,
  patch: SubscriptionPatch,
): Promise<Subscription | null> {
  if (!isUuid(id)) return null;
  const values: Partial<typeof notificationSubscriptions.$inferInsert> = {};
  if (patch.name !== undefined) values.name = parseOrThrow('name', nameSchema, patch.name);
  if (patch.format !== undefined) {
    checkFormat(patch.format);
    values.format = patch.format;
  }
  if (patch.url !== undefined) values.url = parseOrThrow('url', urlSchema, patch.url);
  if (patch.host !== undefined) values.host = parseOrThrow('host', hostSchema, patch.host);
  if (patch.eventTypes !== undefined) {
    values.eventTypes = parseOrThrow('eventTypes', eventTypesSchema, [...patch.eventTypes]);
  }
  if (patch.minSeverity !== undefined) {
    checkSeverity(patch.minSeverity);
    values.minSeverity = patch.minSeverity;
  }
  if (patch.clusterSelector !== undefined) {
    values.clusterSelector =
      patch.clusterSelector === null
        ? null
        : parseOrThrow('clusterSelector', labelSelectorSchema, patch.clusterSelector);
  }
  if (patch.config !== undefined) values.config = patch.config;
  if (patch.sealedSecrets !== undefined) values.sealedSecrets = patch.sealedSecrets;
  if (patch.previousSecretExpiresAt !== undefined)
    values.previousSecretExpiresAt = patch.previousSecretExpiresAt;
  if (patch.enabled !== undefined) {
    values.enabled = patch.enabled;
    if (patch.enabled) Object.assign(values, { disabledReason: null, disabledAt: null, failingSince: null });
  }
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(notificationSubscriptions)
      .set({ ...values, updatedAt: sql`now()` })
      .where(and(eq(notificationSubscriptions.id, id), isNull(notificationSubscriptions.deletedAt)))
      .returning();
    if (!row) return null;
    if (values.host !== undefined) {
      await tx
        .update(notificationDeliveries)
        .set({ host: values.host })
        .where(
          and(eq(notificationDeliveries.subscriptionId, id), eq(notificationDeliveries.status, 'pending')),
        );
    }
    return toSubscription(row);
  });
}

/**
 * Soft-deletes a subscription: it stops matching events, its pending deliveries fail with that reason, and
 * its delivery history stays until retention. False when there was no live subscription.
 */
export async function deleteSubscription(db: Database, id: string, at: Date): Promise<boolean> {
  if (!isUuid(id)) return false;
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(notificationSubscriptions)
      .set({ deletedAt: at, enabled: false, updatedAt: sql`now()` })
      .where(and(eq(notificationSubscriptions.id, id), isNull(notificationSubscriptions.deletedAt)))
      .returning({ id: notificationSubscriptions.id });
    if (rows.length === 0) return false;
    await failPendingOf(tx, id, 'the subscription was deleted', at);
    return true;
  });
}

/**
 * Disables an enabled subscription with a reason the API shows (410 from the endpoint, failing for days);
 * its pending deliveries fail with the same reason. False when it was not enabled.
 */
export async function disableSubscription(
  db: Database,
  id: string,
  options: { reason: string; at: Date },
): Promise<boolean> {
  if (!isUuid(id)) return false;
  const reason = options.reason.trim().slice(0, 1000) || 'disabled';
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(notificationSubscriptions)
      .set({ enabled: false, disabledReason: reason, disabledAt: options.at, updatedAt: sql`now()` })
      .where(
        and(
          eq(notificationSubscriptions.id, id),
          eq(notificationSubscriptions.enabled, true),
          isNull(notificationSubscriptions.deletedAt),
        ),
      )
      .returning({ id: notificationSubscriptions.id });
    if (rows.length === 0) return false;
    await failPendingOf(tx, id, `the subscription was disabled: ${reason}`, options.at);
    return true;
  });
}

async function failPendingOf(tx: Database, subscriptionId: string, reason: string, at: Date): Promise<void> {
  await tx
    .update(notificationDeliveries)
    .set({ status: 'failed', lastError: reason.slice(0, 2000), completedAt: at, enqueuedAt: null })
    .where(
      and(
        eq(notificationDeliveries.subscriptionId, subscriptionId),
        eq(notificationDeliveries.status, 'pending'),
        or(isNull(notificationDeliveries.leasedUntil), sql`${notificationDeliveries.leasedUntil} <= ${at}`),
      ),
    );
}

/**
 * Records how an attempt went for the endpoint's health: a success ends a failing streak, a failure starts
 * one (or continues it). Returns when the streak began (null after a success). Writes only on a change or
 * once a minute, so a busy endpoint does not turn every delivery into a write on one hot row.
 */
export async function recordEndpointResult(
  db: Database,
  id: string,
  result: { ok: boolean; at: Date },
): Promise<{ failingSince: Date | null }> {
  const at = result.at.toISOString();
  const table = notificationSubscriptions;
  if (result.ok) {
    await db
      .update(table)
      .set({ failingSince: null, lastSuccessAt: result.at })
      .where(
        and(
          eq(table.id, id),
          sql`(${table.failingSince} is not null or ${table.lastSuccessAt} is null
            or ${table.lastSuccessAt} < ${at}::timestamptz - interval '60 seconds')`,
        ),
      );
    return { failingSince: null };
  }
  const [row] = await db
    .update(table)
    .set({ failingSince: sql`coalesce(${table.failingSince}, ${at}::timestamptz)`, lastFailureAt: result.at })
    .where(eq(table.id, id))
    .returning({ failingSince: table.failingSince });
  return { failingSince: row?.failingSince ?? null };
}
