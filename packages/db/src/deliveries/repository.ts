import { and, desc, eq, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../database.ts';
import { InvalidInputError } from '../errors.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../pagination.ts';
import { affectedOf, arrayParam, chunks, rowsOf, toDate } from '../sql.ts';
import { notificationSubscriptions } from '../subscriptions/table.ts';
import { isUuid } from '../validate.ts';
import type { Delivery, DeliveryStatus, NewDelivery, StoredTicket } from './model.ts';
import { notificationDeliveries, notificationTickets } from './table.ts';

const INSERT_CHUNK = 1_000;
const d = notificationDeliveries;

/**
 * Creates deliveries; one that exists for (subscription, event) is skipped, so fanning the same outbox rows
 * out twice (a retried fan-out, two workers) creates each delivery once. Returns how many were new.
 */
export async function insertDeliveries(db: Database, rows: readonly NewDelivery[]): Promise<number> {
  let inserted = 0;
  for (const part of chunks(rows, INSERT_CHUNK)) {
    const records = part.map((r, ord) => ({
      ord,
      subscription_id: r.subscriptionId,
      event_key: r.eventKey,
      webhook_id: r.webhookId,
      event_type: r.eventType,
      event_timestamp: r.eventTimestamp.toISOString(),
      payload: r.payload,
      cluster_id: r.clusterId,
      ticket_key: r.ticketKey,
      host: r.host,
      next_attempt_at: (r.nextAttemptAt ?? null)?.toISOString() ?? null,
    }));
    // Rows are inserted in the order given, so `seq` follows the order of the events they come from.
    const result = await db.execute(sql`
      insert into ${d} (subscription_id, event_key, webhook_id, event_type, event_timestamp, payload,
        cluster_id, ticket_key, host, next_attempt_at)
      select r.subscription_id, r.event_key, r.webhook_id, r.event_type, r.event_timestamp, r.payload,
        r.cluster_id, r.ticket_key, r.host, coalesce(r.next_attempt_at, now())
      from jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
        as r(ord int, subscription_id uuid, event_key text, webhook_id text, event_type text,
          event_timestamp timestamptz, payload jsonb, cluster_id uuid, ticket_key text, host text,
          next_attempt_at timestamptz)
      order by r.ord
      on conflict (subscription_id, event_key) do nothing`);
    inserted += affectedOf(result);
  }
  return inserted;
}

export async function getDelivery(db: Database, id: string): Promise<Delivery | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(d).where(eq(d.id, id));
  return (row as Delivery | undefined) ?? null;
}

export interface DeliveryFilter extends PageRequest {
  subscriptionId?: string;
  statuses?: readonly DeliveryStatus[];
  eventTypes?: readonly string[];
}

const DELIVERIES_LISTING = 'deliveries';

/** Deliveries newest first, keyset-paginated on (created_at, seq). */
export async function listDeliveries(db: Database, filter: DeliveryFilter = {}): Promise<Page<Delivery>> {
  const limit = pageLimit(filter.limit);
  if (filter.subscriptionId !== undefined && !isUuid(filter.subscriptionId))
    return { items: [], nextCursor: null };
  let before: SQL | undefined;
  if (filter.cursor) {
    const [at, seq] = decodeCursor(DELIVERIES_LISTING, filter.cursor, ['string', 'number']);
    const date = new Date(at);
    before = or(lt(d.createdAt, date), and(eq(d.createdAt, date), lt(d.seq, seq)));
  }
  const rows = await db
    .select()
    .from(d)
    .where(
      and(
        filter.subscriptionId ? eq(d.subscriptionId, filter.subscriptionId) : undefined,
        filter.statuses ? inArray(d.status, [...filter.statuses]) : undefined,
        filter.eventTypes ? inArray(d.eventType, [...filter.eventTypes]) : undefined,
        before,
      ),
    )
    .orderBy(desc(d.createdAt), desc(d.seq))
    .limit(limit + 1);
  return toPage(
    rows,
    limit,
    (row) => row as Delivery,
    (row) => encodeCursor(DELIVERIES_LISTING, [row.createdAt.toISOString(), row.seq]),
  );
}

/** Why a delivery named in a queue message was not claimed. */
export type ClaimSkip =
  | { id: string; reason: 'missing' | 'finished' | 'leased' }
  | { id: string; reason: 'not_due'; nextAttemptAt: Date }
  | { id: string; reason: 'blocked' };

// An earlier delivery about the same finding to the same subscription is still pending: this one waits,
// so that a "resolved" never overtakes the "opened" that creates the ticket it closes.
const blocked = sql`${d.ticketKey} is not null and exists (
  select 1 from ${d} p
  where p.subscription_id = ${d.subscriptionId} and p.ticket_key = ${d.ticketKey}
    and p.status = 'pending' and p.seq < ${d.seq})`;

/**
 * Leases the named deliveries for one attempt each: pending, due (within `skewSeconds`), not leased, not
 * waiting behind an earlier delivery about the same finding. Each claim counts an attempt. A blocked
 * delivery gives its queue slot back (the earlier one hands it on when it finishes).
 */
export async function claimDeliveries(
  db: Database,
  ids: readonly string[],
  options: { now: Date; leaseSeconds: number; skewSeconds?: number },
): Promise<{ claimed: Delivery[]; skipped: ClaimSkip[] }> {
  const valid = [...new Set(ids.filter(isUuid))];
  const skipped: ClaimSkip[] = ids.filter((id) => !isUuid(id)).map((id) => ({ id, reason: 'missing' }));
  if (valid.length === 0) return { claimed: [], skipped };
  if (!(options.leaseSeconds > 0)) throw new InvalidInputError('leaseSeconds must be positive');
  const now = options.now.toISOString();
  const skew = options.skewSeconds ?? 2;
  const claimed = (await db
    .update(d)
    .set({
      leasedUntil: sql`${now}::timestamptz + make_interval(secs => ${options.leaseSeconds})`,
      attempts: sql`${d.attempts} + 1`,
      firstAttemptAt: sql`coalesce(${d.firstAttemptAt}, ${now}::timestamptz)`,
      enqueuedAt: sql`coalesce(${d.enqueuedAt}, ${now}::timestamptz)`,
    })
    .where(
      and(
        inArray(d.id, valid),
        eq(d.status, 'pending'),
        sql`(${d.leasedUntil} is null or ${d.leasedUntil} <= ${now}::timestamptz)`,
        sql`${d.nextAttemptAt} <= ${now}::timestamptz + make_interval(secs => ${skew})`,
        sql`not (${blocked})`,
      ),
    )
    .returning()) as Delivery[];
  const got = new Set(claimed.map((c) => c.id));
  const rest = valid.filter((id) => !got.has(id));
  if (rest.length > 0) {
    const rows = await db
      .select({
        id: d.id,
        status: d.status,
        leasedUntil: d.leasedUntil,
        nextAttemptAt: d.nextAttemptAt,
        blocked: sql<boolean>`(${blocked})`,
      })
      .from(d)
      .where(inArray(d.id, rest));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const release: string[] = [];
    for (const id of rest) {
      const row = byId.get(id);
      if (!row) skipped.push({ id, reason: 'missing' });
      else if (row.status !== 'pending') skipped.push({ id, reason: 'finished' });
      else if (row.leasedUntil && row.leasedUntil > options.now) skipped.push({ id, reason: 'leased' });
      else if (row.blocked) {
        skipped.push({ id, reason: 'blocked' });
        release.push(id);
      } else skipped.push({ id, reason: 'not_due', nextAttemptAt: row.nextAttemptAt });
    }
    if (release.length > 0) {
      await db
        .update(d)
        .set({ enqueuedAt: null })
        .where(
          and(
            inArray(d.id, release),
            eq(d.status, 'pending'),
            sql`(${d.leasedUntil} is null or ${d.leasedUntil} <= ${now}::timestamptz)`,
          ),
        );
    }
  }
  return { claimed, skipped };
}

export interface AttemptResult {
  /** `pending` with `nextAttemptAt` schedules a retry; `succeeded` and `failed` are final. */
  status: DeliveryStatus;
  at: Date;
  statusCode?: number | null;
  error?: string | null;
  durationMs?: number | null;
  note?: string | null;
  nextAttemptAt?: Date;
}

/**
 * Records an attempt's result and frees the delivery's queue slot. Only a pending delivery changes (a
 * delivery failed meanwhile because its subscription was disabled stays failed). True when it changed.
 */
export async function completeDelivery(db: Database, id: string, result: AttemptResult): Promise<boolean> {
  if (result.status === 'pending' && !result.nextAttemptAt) {
    throw new InvalidInputError('a retried delivery needs nextAttemptAt');
  }
  const rows = await db
    .update(d)
    .set({
      status: result.status,
      lastAttemptAt: result.at,
      lastStatusCode: result.statusCode ?? null,
      lastError: result.error ? result.error.slice(0, 2000) : null,
      lastDurationMs:
        result.durationMs === undefined || result.durationMs === null ? null : Math.round(result.durationMs),
      note: result.note ? result.note.slice(0, 500) : null,
      ...(result.nextAttemptAt ? { nextAttemptAt: result.nextAttemptAt } : {}),
      enqueuedAt: null,
      leasedUntil: null,
      completedAt: result.status === 'pending' ? null : result.at,
    })
    .where(and(eq(d.id, id), eq(d.status, 'pending')))
    .returning({ id: d.id });
  return rows.length > 0;
}

/**
 * Marks due deliveries as enqueued and returns them, at most `perHostLimit` in flight (enqueued or leased)
 * per host: the caller sends one queue message per row, delayed until its next attempt. Taken in order of
 * next attempt, then creation; deliveries of disabled subscriptions and those waiting behind an earlier one
 * about the same finding are left. A row enqueued longer than `staleSeconds` ago whose message was lost (a
 * crash between marking and sending) counts as not enqueued.
 *
 * Hosts are locked one at a time (advisory transaction locks), so concurrent callers never exceed a host's
 * limit together.
 */
export async function enqueueDueDeliveries(
  db: Database,
  options: {
    now: Date;
    /** Deliveries due within this many seconds are taken (SQS holds a message back at most 900 s). */
    horizonSeconds: number;
    perHostLimit: number;
    staleSeconds: number;
    /** Only these hosts (after an attempt: the host it went to); all hosts with due deliveries otherwise. */
    hosts?: readonly string[];
  },
): Promise<{ id: string; host: string; nextAttemptAt: Date }[]> {
  const now = options.now.toISOString();
  const horizon = sql`${now}::timestamptz + make_interval(secs => ${options.horizonSeconds})`;
  const stale = sql`${now}::timestamptz - make_interval(secs => ${options.staleSeconds})`;
  let hosts = options.hosts ? [...new Set(options.hosts)] : undefined;
  if (!hosts) {
    const rows = rowsOf<{ host: string }>(
      await db.execute(sql`
        select distinct host from ${d}
        where status = 'pending' and next_attempt_at <= ${horizon}`),
    );
    hosts = rows.map((r) => r.host);
  }
  const out: { id: string; host: string; nextAttemptAt: Date }[] = [];
  for (const host of hosts.sort()) {
    const rows = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`vigil-notify-host:${host}`}))`);
      return rowsOf<{ id: string; host: string; next_attempt_at: string; seq: string | number }>(
        await tx.execute(sql`
          with inflight as (
            select count(*)::int as n from ${d}
            where host = ${host} and status = 'pending' and enqueued_at is not null and enqueued_at > ${stale}
          ), picked as (
            select q.id from ${d} q
            join ${notificationSubscriptions} s on s.id = q.subscription_id
            where q.host = ${host} and q.status = 'pending'
              and q.next_attempt_at <= ${horizon}
              and (q.enqueued_at is null or q.enqueued_at <= ${stale})
              and (q.leased_until is null or q.leased_until <= ${now}::timestamptz)
              and s.enabled and s.deleted_at is null
              and (q.ticket_key is null or not exists (
                select 1 from ${d} p
                where p.subscription_id = q.subscription_id and p.ticket_key = q.ticket_key
                  and p.status = 'pending' and p.seq < q.seq))
            order by q.next_attempt_at, q.seq
            limit greatest(0, ${options.perHostLimit}::int - (select n from inflight))
            for update of q skip locked
          )
          update ${d} set enqueued_at = ${now}::timestamptz
          where id in (select id from picked)
          returning id, host, next_attempt_at, seq`),
      );
    });
    // RETURNING has no order: hand rows out oldest-due first, as they were picked.
    rows.sort(
      (a, b) =>
        toDate(a.next_attempt_at).getTime() - toDate(b.next_attempt_at).getTime() ||
        Number(a.seq) - Number(b.seq),
    );
    for (const row of rows)
      out.push({ id: row.id, host: row.host, nextAttemptAt: toDate(row.next_attempt_at) });
  }
  return out;
}

/** Gives queue slots back when their messages could not be sent; the next sweep tries them again. */
export async function releaseEnqueued(db: Database, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db.execute(sql`
    update ${d} set enqueued_at = null
    where id = any(${arrayParam(ids, 'uuid')}) and status = 'pending'
      and (leased_until is null or leased_until <= now())`);
  return affectedOf(result);
}

/**
 * Schedules a delivery again now, whatever its state (manual redelivery). The event keeps its webhook id; the
 * retry window starts over. Null when there is no such delivery.
 */
export async function redeliver(db: Database, id: string, options: { now: Date }): Promise<Delivery | null> {
  if (!isUuid(id)) return null;
  const [row] = await db
    .update(d)
    .set({
      status: 'pending',
      nextAttemptAt: options.now,
      firstAttemptAt: null,
      enqueuedAt: null,
      leasedUntil: null,
      completedAt: null,
    })
    .where(eq(d.id, id))
    .returning();
  return (row as Delivery | undefined) ?? null;
}

/** How many of a subscription's deliveries are in each state (for the API's subscription view). */
export async function countDeliveries(
  db: Database,
  subscriptionId: string,
): Promise<Record<DeliveryStatus, number>> {
  const counts: Record<DeliveryStatus, number> = { pending: 0, succeeded: 0, failed: 0 };
  if (!isUuid(subscriptionId)) return counts;
  const rows = await db
    .select({ status: d.status, n: sql<number>`count(*)::int` })
    .from(d)
    .where(eq(d.subscriptionId, subscriptionId))
    .groupBy(d.status);
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

export interface TicketKey {
  subscriptionId: string;
  clusterId: string;
  fingerprint: string;
}

const t = notificationTickets;

function ticketWhere(key: TicketKey): SQL {
  return and(
    eq(t.subscriptionId, key.subscriptionId),
    eq(t.clusterId, key.clusterId),
    eq(t.fingerprint, key.fingerprint),
  )!;
}

/** The ticket a subscription keeps for a finding on a cluster. */
export async function getTicket(db: Database, key: TicketKey): Promise<StoredTicket | null> {
  const [row] = await db.select({ reference: t.reference }).from(t).where(ticketWhere(key));
  return row?.reference ?? null;
}

/** Stores (or replaces) the ticket for a finding; null forgets it (the ticket was deleted remotely). */
export async function saveTicket(db: Database, key: TicketKey, ticket: StoredTicket | null): Promise<void> {
  if (ticket === null) {
    await db.delete(t).where(ticketWhere(key));
    return;
  }
  await db
    .insert(t)
    .values({ ...key, reference: ticket })
    .onConflictDoUpdate({
      target: [t.subscriptionId, t.clusterId, t.fingerprint],
      set: { reference: ticket, updatedAt: sql`now()` },
    });
}
